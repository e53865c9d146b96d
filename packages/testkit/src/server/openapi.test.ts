/** /openapi/v2 and /openapi/v3 over HTTPS: negotiation, validators, caching headers. */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, toSwagger } from '../openapi/test-support/gnostic-reader.ts';
import { TestApiServer } from './api-server.ts';

const PROTOBUF_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

let server: TestApiServer;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, server.url),
      {
        method,
        ca: server.caPem,
        headers: { Authorization: `Bearer ${server.adminToken}`, ...headers },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const sha512 = (body: Buffer): string =>
  createHash('sha512').update(body).digest('hex').toUpperCase();

beforeAll(async () => {
  server = await TestApiServer.start({ kubernetesVersion: 'v1.33.4' });
});

afterAll(async () => {
  await server.stop();
});

describe('/openapi/v2', () => {
  it('protobuf for client-go’s Accept, JSON for JSON, with one ETag: the SHA-512 of the JSON', async () => {
    const pb = await get('/openapi/v2?timeout=32s', { Accept: PROTOBUF_ACCEPT });
    expect(pb.status).toBe(200);
    expect(pb.headers['content-type']).toBe(PROTOBUF_TYPE);
    expect(pb.headers.vary).toBe('Accept');
    expect(pb.headers['last-modified']).toMatch(/ GMT$/);
    const json = await get('/openapi/v2', { Accept: 'application/json, */*' });
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json');
    expect(json.headers.etag).toBe(`"${sha512(json.body)}"`);
    expect(pb.headers.etag).toBe(json.headers.etag);
    const doc = JSON.parse(json.body.toString('utf8')) as Record<string, any>;
    expect(doc.swagger).toBe('2.0');
    expect(doc.info).toEqual({ title: 'Kubernetes', version: 'v1.33.4' });
    expect(toSwagger(decodeMessage('Document', pb.body))).toEqual(doc);
  });

  it('If-None-Match with the ETag is 304 without a body', async () => {
    const first = await get('/openapi/v2', { Accept: PROTOBUF_ACCEPT });
    const again = await get('/openapi/v2', {
      Accept: PROTOBUF_ACCEPT,
      'If-None-Match': String(first.headers.etag),
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(first.headers.etag);
    const other = await get('/openapi/v2', { Accept: PROTOBUF_ACCEPT, 'If-None-Match': '"other"' });
    expect(other.status).toBe(200);
    const since = await get('/openapi/v2', {
      'If-Modified-Since': String(first.headers['last-modified']),
    });
    expect(since.status).toBe(304);
  });

  it('an Accept it cannot serve is 406, and client-go’s old fallback path is not served', async () => {
    const html = await get('/openapi/v2', { Accept: 'text/html' });
    expect(html.status).toBe(406);
    expect(html.body.length).toBe(0);
    expect((await get('/swagger-2.0.0.pb-v1')).status).toBe(404);
  });

  it('HEAD has the headers and no body', async () => {
    const head = await get('/openapi/v2', { Accept: PROTOBUF_ACCEPT }, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(1000);
    expect(head.body.length).toBe(0);
  });
});

describe('/openapi/v3', () => {
  it('discovery points at each document by the hash that is its ETag', async () => {
    const root = await get('/openapi/v3');
    expect(root.headers['content-type']).toBe('application/json');
    const paths = (JSON.parse(root.body.toString('utf8')) as { paths: Record<string, any> }).paths;
    const url = String(paths['apis/coordination.k8s.io/v1'].serverRelativeURL);
    const hash = /\?hash=([0-9A-F]{128})$/.exec(url)?.[1];
    expect(hash).toBeDefined();
    const doc = await get(url, { Accept: 'application/json' });
    expect(doc.status).toBe(200);
    expect(doc.headers.etag).toBe(`"${hash ?? ''}"`);
    expect(sha512(doc.body)).toBe(hash);
    expect(doc.headers['cache-control']).toBe('public, immutable');
    const body = JSON.parse(doc.body.toString('utf8')) as Record<string, any>;
    expect(body.info.version).toBe('v1.33.4');
    expect(Object.keys(body.components.schemas)).toEqual(['io.k8s.api.coordination.v1.Lease']);
  });

  it('without a hash it is not cacheable for good; a stale hash redirects to the current one', async () => {
    const plain = await get('/openapi/v3/api/v1');
    expect(plain.status).toBe(200);
    expect(plain.headers['cache-control']).toBe('no-cache, private');
    const stale = await get('/openapi/v3/api/v1?hash=0123');
    expect(stale.status).toBe(301);
    expect(stale.headers.location).toBe(`/openapi/v3/api/v1?hash=${sha512(plain.body)}`);
  });

  it('a group/version it does not serve is NotFound, as is any other /openapi path', async () => {
    for (const path of ['/openapi/v3/apis/apps/v1', '/openapi/v4', '/openapi/v2/x']) {
      const answer = await get(path);
      expect(answer.status, path).toBe(404);
      expect(JSON.parse(answer.body.toString('utf8'))).toMatchObject({
        kind: 'Status',
        reason: 'NotFound',
      });
    }
  });
});
