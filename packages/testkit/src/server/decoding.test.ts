import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../test-support/raw-client.ts';
import { TestApiServer } from './api-server.ts';

let server: TestApiServer;
let api: RawClient;

type Obj = Record<string, any>;

const PODS = '/api/v1/namespaces/default/pods';
const SECRETS = '/api/v1/namespaces/default/secrets';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

const pod = (name: string, metadata: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...metadata },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
});

beforeAll(async () => {
  server = await TestApiServer.start();
  api = new RawClient({ url: server.url, caPem: server.caPem, token: server.adminToken });
});

afterAll(async () => {
  await server.stop();
});

const badRequest = (message: string): Obj => ({
  kind: 'Status',
  status: 'Failure',
  reason: 'BadRequest',
  code: 400,
  message,
});

describe('bodies that are not JSON', () => {
  it('a create names the kind, Go’s error and the start of the body', async () => {
    const res = await api.post(PODS, '{"kind":"Pod"');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject(
      badRequest(
        'the object provided is unrecognized (must be of type Pod): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"kind":"Pod")',
      ),
    );
  });

  it('shows a body that does not start an object in hex, cut at 30 bytes', async () => {
    const res = await api.post(PODS, 'hello');
    expect(res.body).toMatchObject({
      message:
        "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: invalid character 'h' looking for beginning of value (68656c6c6f)",
    });
    const long = await api.post(CONFIGMAPS, `{"metadata": {"name": "x"}, "data": {,}}`);
    expect((long.body as Obj).message).toBe(
      'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: invalid character \',\' looking for beginning of object key string ({"metadata": {"name": "x"}, "d ...)',
    );
  });

  it('a patch: prefixed for json and merge (with field validation), bare for strategic', async () => {
    await api.post(PODS, pod('patch-syntax'));
    const path = `${PODS}/patch-syntax`;
    const send = (type: string, query = '') =>
      api.send('PATCH', `${path}${query}`, '{"a" 1}', { 'Content-Type': type });
    const words = "invalid character '1' after object key";
    expect((await send('application/merge-patch+json')).body).toMatchObject(
      badRequest(`error decoding patch: ${words}`),
    );
    expect((await send('application/json-patch+json')).body).toMatchObject(
      badRequest(`error decoding patch: ${words}`),
    );
    expect((await send('application/strategic-merge-patch+json')).body).toMatchObject(
      badRequest(words),
    );
    const ignore = '?fieldValidation=Ignore';
    expect((await send('application/merge-patch+json', ignore)).body).toMatchObject(
      badRequest('Invalid JSON Patch'),
    );
    expect((await send('application/json-patch+json', ignore)).body).toMatchObject(
      badRequest(words),
    );
  });
});

describe('decode errors', () => {
  it('a body of another group is named by the version part of its apiVersion', async () => {
    const res = await api.post(PODS, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'x' },
    });
    expect(res.status).toBe(400);
    expect((res.body as Obj).message).toMatch(
      /^Lease in version "v1" cannot be handled as a Pod: /,
    );
  });

  it('bad base64 in Secret data or ConfigMap binaryData fails decoding, before validation', async () => {
    const secret = await api.post(SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'Not_Valid' },
      data: { password: 'not base64!' },
    });
    expect(secret.body).toMatchObject(
      badRequest(
        'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3',
      ),
    );
    const configMap = await api.post(CONFIGMAPS, {
      metadata: { name: 'bin' },
      binaryData: { blob: 'YQ=' },
    });
    expect(configMap.body).toMatchObject(
      badRequest(
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 3',
      ),
    );
  });

  it('accepts what Go’s base64 accepts and serves it re-encoded', async () => {
    const res = await api.post(SECRETS, {
      metadata: { name: 'wrapped' },
      data: { key: 'YWJj\nZGVm', bits: 'YR==' },
    });
    expect(res.status).toBe(201);
    expect((res.body as Obj).data).toEqual({ key: 'YWJjZGVm', bits: 'YQ==' });
  });

  it('a patch that leaves bad base64 is Invalid on field "patch"', async () => {
    await api.post(SECRETS, { metadata: { name: 'patched' }, data: { a: 'YQ==' } });
    const res = await api.patch(
      `${SECRETS}/patched`,
      { data: { a: 'not base64!' } },
      'application/merge-patch+json',
    );
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      reason: 'Invalid',
      details: { causes: [{ field: 'patch', reason: 'FieldValueInvalid' }] },
    });
    expect((res.body as Obj).message).toMatch(/: illegal base64 data at input byte 3$/);
  });
});

describe('omitempty', () => {
  it('removing the last label, annotation or finalizer drops the field', async () => {
    await api.post(PODS, pod('bare', { labels: { a: 'b' }, annotations: { n: 'x' } }));
    const res = await api.patch(
      `${PODS}/bare`,
      { metadata: { labels: { a: null }, annotations: { n: null }, finalizers: [] } },
      'application/merge-patch+json',
    );
    expect(res.status).toBe(200);
    const metadata = (res.body as Obj).metadata as Obj;
    for (const field of ['labels', 'annotations', 'finalizers']) {
      expect(metadata).not.toHaveProperty(field);
    }
    const stored = ((await api.get(`${PODS}/bare`)).body as Obj).metadata as Obj;
    expect(stored.labels).toBeUndefined();
    expect(stored.annotations).toBeUndefined();
    expect(stored.finalizers).toBeUndefined();
  });

  it('empty maps, lists and strings are not stored on create', async () => {
    const res = await api.post(CONFIGMAPS, {
      metadata: { name: 'empty', labels: {}, ownerReferences: [], generateName: '' },
      data: {},
    });
    expect(res.status).toBe(201);
    const body = res.body as Obj;
    expect(Object.keys(body)).not.toContain('data');
    expect(Object.keys(body.metadata as Obj).sort()).toEqual([
      'creationTimestamp',
      'name',
      'namespace',
      'resourceVersion',
      'uid',
    ]);
    const secret = await api.post(SECRETS, { metadata: { name: 'typed' }, type: '' });
    expect((secret.body as Obj).type).toBe('Opaque');
  });
});
