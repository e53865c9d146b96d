import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { TestApiServer } from '@vkubelet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors/errors.ts';
import { HttpKubeClient } from '../kube/http-kube-client.ts';
import type { ContainerLogOptions, Provider } from '../provider/contract.ts';
import { kubeSubjectAccessReviewer, kubeTokenReviewer } from './kube-reviews.ts';
import { bareProvider } from '../provider/test-support/bare-provider.ts';
import { KubeletApiServer } from './server.ts';
import { call, requestOptions, until } from './test-support/https-client.ts';

const NODE = 'vk-api-test';
const pod = (name: string): Pod => ({
  metadata: { namespace: 'default', name, uid: `uid-${name}` },
  spec: { nodeName: NODE, containers: [{ name: 'c', image: 'busybox' }] },
});

interface LogCall {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly options: ContainerLogOptions;
  readonly signal: AbortSignal;
  readonly stream: PassThrough;
}

function fakeProvider(): { provider: Provider; logCalls: LogCall[] } {
  const logCalls: LogCall[] = [];
  const provider: Provider = {
    name: 'fake',
    createPod: async () => undefined,
    updatePod: async () => undefined,
    deletePod: async () => undefined,
    getPod: async () => undefined,
    getPodStatus: async () => undefined,
    getPods: async () => [pod('running-1')],
    getStatsSummary: async () => ({
      node: { nodeName: NODE, cpu: { usageNanoCores: 5 } },
      pods: [],
    }),
    getMetricsResource: async () => 'node_cpu_usage_seconds_total 1.5 1700000000000\n',
    getContainerLogs: async (namespace, podName, container, options, signal) => {
      if (podName === 'missing') throw new NotFoundError(`pod ${namespace}/${podName} not found`);
      if (podName === 'broken') throw new Error('backend exploded');
      const stream = new PassThrough();
      logCalls.push({ namespace, pod: podName, container, options, signal, stream });
      if (podName === 'static') {
        return Readable.from([Buffer.from('hello '), 'world\n', Buffer.from('tail\n')]);
      }
      return stream;
    },
  };
  return { provider, logCalls };
}

const idleProvider = bareProvider('bare');

let api: TestApiServer;
let caPem: string;
let serving: { certPem: string; keyPem: string };
let dir: string;
let kube: HttpKubeClient;
let fake: ReturnType<typeof fakeProvider>;
/** Anonymous + AlwaysAllow: route behaviour without auth in the way. */
let open: KubeletApiServer;
/** A provider without optional capabilities. */
let bare: KubeletApiServer;
/** Webhook auth through the testkit API server's TokenReview and SubjectAccessReview. */
let secured: KubeletApiServer;
let openPort: number;
let barePort: number;
let securedPort: number;
const stop = new AbortController();

beforeAll(async () => {
  api = await TestApiServer.start();
  caPem = api.caPem;
  serving = await api.ca.issueServerCertificate({
    commonName: NODE,
    ipAddresses: ['127.0.0.1'],
  });
  dir = await mkdtemp(join(tmpdir(), 'kubelet-api-'));
  await writeFile(join(dir, 'kubeconfig'), api.kubeconfig());
  kube = await HttpKubeClient.fromKubeconfig({ path: join(dir, 'kubeconfig') });

  api.authorizer.defaultPolicy = 'deny';
  api.authenticator.addToken('proxy-token', { username: 'proxy-user', groups: [] });
  api.authenticator.addToken('stats-token', { username: 'stats-user', groups: [] });
  api.authenticator.addToken('nobody-token', { username: 'nobody', groups: [] });
  api.authorizer.addRule({
    users: ['proxy-user'],
    verbs: ['get', 'create'],
    apiGroups: [''],
    resources: ['nodes/proxy'],
    resourceNames: [NODE],
  });
  api.authorizer.addRule({
    users: ['stats-user'],
    verbs: ['get'],
    apiGroups: [''],
    resources: ['nodes/stats', 'nodes/metrics'],
  });
  api.authorizer.addRule({
    groups: ['kubelet-readers'],
    verbs: ['get'],
    apiGroups: [''],
    resources: ['nodes/*'],
  });

  fake = fakeProvider();
  const listPods = (): Pod[] => [pod('api-1'), pod('api-2')];
  const tls = { serving: { load: () => serving }, clientCa: { pem: caPem } };
  open = new KubeletApiServer({
    nodeName: NODE,
    provider: fake.provider,
    listPods,
    tls,
    port: 0,
    host: '127.0.0.1',
    authentication: { anonymous: true },
    authorization: 'AlwaysAllow',
  });
  bare = new KubeletApiServer({
    nodeName: NODE,
    provider: idleProvider,
    listPods,
    tls,
    port: 0,
    host: '127.0.0.1',
    authentication: { anonymous: true },
    authorization: 'AlwaysAllow',
  });
  secured = new KubeletApiServer({
    nodeName: NODE,
    provider: fake.provider,
    listPods,
    tls,
    port: 0,
    host: '127.0.0.1',
    authentication: { reviewToken: kubeTokenReviewer(kube) },
    authorization: kubeSubjectAccessReviewer(kube),
  });
  [openPort, barePort, securedPort] = await Promise.all([
    open.start(stop.signal),
    bare.start(stop.signal),
    secured.start(stop.signal),
  ]);
});

afterAll(async () => {
  stop.abort();
  await Promise.all([open.close(), bare.close(), secured.close()]);
  kube.close();
  await api.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('routes', () => {
  it('GET /healthz answers ok', async () => {
    const res = await call(openPort, caPem, '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toBe('ok');
  });

  it('GET /pods lists the API pods of the node as a v1 PodList', async () => {
    const res = await call(openPort, caPem, '/pods');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const list = JSON.parse(res.body);
    expect(list.kind).toBe('PodList');
    expect(list.apiVersion).toBe('v1');
    expect(list.items.map((p: Pod) => p.metadata?.name)).toEqual(['api-1', 'api-2']);
  });

  it('GET /runningpods/ lists the provider pods, with or without the slash', async () => {
    for (const path of ['/runningpods/', '/runningpods']) {
      const res = await call(openPort, caPem, path);
      expect(res.status).toBe(200);
      const list = JSON.parse(res.body);
      expect(list.kind).toBe('PodList');
      expect(list.items.map((p: Pod) => p.metadata?.name)).toEqual(['running-1']);
    }
  });

  it('GET /stats/summary returns the provider summary as JSON', async () => {
    const res = await call(openPort, caPem, '/stats/summary/');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      node: { nodeName: NODE, cpu: { usageNanoCores: 5 } },
      pods: [],
    });
  });

  it('GET /metrics/resource returns Prometheus text 0.0.4', async () => {
    const res = await call(openPort, caPem, '/metrics/resource');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4');
    expect(res.body).toBe('node_cpu_usage_seconds_total 1.5 1700000000000\n');
  });

  it('unknown routes give 404 and wrong methods 405', async () => {
    for (const path of ['/nope', '/containerLogs/ns/pod', '/containerLogs/ns//c', '/stats']) {
      const res = await call(openPort, caPem, path);
      expect(res.status, path).toBe(404);
      expect(res.body).toBe('404 request not found\n');
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    }
    const post = await call(openPort, caPem, '/pods', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
  });

  it('a capability the provider lacks gives 501', async () => {
    for (const path of ['/stats/summary', '/metrics/resource', '/containerLogs/ns/p/c']) {
      const res = await call(barePort, caPem, path);
      expect(res.status, path).toBe(501);
      expect(res.body).toBe('501 not implemented\n');
    }
    expect((await call(barePort, caPem, '/runningpods/')).status).toBe(200);
  });
});

describe('GET /containerLogs', () => {
  it('passes every query parameter to the provider', async () => {
    const res = await call(
      openPort,
      caPem,
      '/containerLogs/kube%2Dsystem/static/app?tailLines=10&limitBytes=100&sinceSeconds=5&timestamps=true&previous=1&follow=false',
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.body).toBe('hello world\ntail\n');
    const last = fake.logCalls.at(-1)!;
    expect(last).toMatchObject({ namespace: 'kube-system', pod: 'static', container: 'app' });
    expect(last.options).toEqual({
      tailLines: 10,
      limitBytes: 100,
      sinceSeconds: 5,
      timestamps: true,
      previous: true,
      follow: false,
    });
  });

  it('passes sinceTime as a Date', async () => {
    await call(openPort, caPem, '/containerLogs/ns/static/c?sinceTime=2024-05-01T10:00:00Z');
    expect(fake.logCalls.at(-1)!.options.sinceTime).toEqual(new Date('2024-05-01T10:00:00Z'));
  });

  it('cuts the stream at limitBytes', async () => {
    const res = await call(openPort, caPem, '/containerLogs/ns/static/c?limitBytes=8');
    expect(res.body).toBe('hello wo');
  });

  it.each([
    ['tailLines=x', 'could not parse "tailLines": strconv.Atoi: parsing "x": invalid syntax'],
    ['tailLines=-1', '"tailLines" is -1'],
    ['limitBytes=0', '"limitBytes" is 0'],
    ['limitBytes=1.5', 'could not parse "limitBytes": strconv.Atoi: parsing "1.5": invalid syntax'],
    ['sinceSeconds=0', '"sinceSeconds" is 0'],
    [
      'sinceSeconds=abc',
      'could not parse "sinceSeconds": strconv.Atoi: parsing "abc": invalid syntax',
    ],
    ['follow=yes', 'could not parse "follow": strconv.ParseBool: parsing "yes": invalid syntax'],
    ['previous=2', 'could not parse "previous": strconv.ParseBool: parsing "2": invalid syntax'],
    [
      'timestamps=on',
      'could not parse "timestamps": strconv.ParseBool: parsing "on": invalid syntax',
    ],
    [
      'sinceTime=yesterday',
      'could not parse "sinceTime": parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": not RFC 3339',
    ],
    [
      'sinceSeconds=10&sinceTime=2024-05-01T10:00:00Z',
      'both "sinceSeconds" and "sinceTime" are set',
    ],
  ])('?%s gives 400', async (query, message) => {
    const before = fake.logCalls.length;
    const res = await call(openPort, caPem, `/containerLogs/ns/p/c?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toBe(`${message}\n`);
    expect(fake.logCalls.length).toBe(before);
  });

  it('maps provider NotFound to 404 and other failures to 500', async () => {
    const missing = await call(openPort, caPem, '/containerLogs/ns/missing/c');
    expect(missing.status).toBe(404);
    expect(missing.body).toBe('pod ns/missing not found\n');
    const broken = await call(openPort, caPem, '/containerLogs/ns/broken/c');
    expect(broken.status).toBe(500);
    expect(broken.body).toBe('backend exploded\n');
  });

  it('streams with follow while the provider stream stays open, and aborts on disconnect', async () => {
    const before = fake.logCalls.length;
    const req = request(requestOptions(openPort, caPem, '/containerLogs/ns/follow/c?follow=true'));
    req.end();
    // Headers are flushed before the first log line.
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    expect(res.statusCode).toBe(200);
    await until(() => fake.logCalls.length > before);
    const logCall = fake.logCalls.at(-1)!;
    expect(logCall.options.follow).toBe(true);
    let received = '';
    res.on('data', (chunk: Buffer) => (received += chunk.toString()));
    res.on('error', () => undefined);
    logCall.stream.write('first line\n');
    await until(() => received === 'first line\n');
    logCall.stream.write('second line\n');
    await until(() => received === 'first line\nsecond line\n');
    expect(logCall.signal.aborted).toBe(false);

    req.destroy();
    await until(() => logCall.signal.aborted);
    await until(() => logCall.stream.destroyed);
  });

  it('ends the response when the provider stream ends', async () => {
    const before = fake.logCalls.length;
    const pending = call(openPort, caPem, '/containerLogs/ns/ending/c?follow=1');
    await until(() => fake.logCalls.length > before);
    const logCall = fake.logCalls.at(-1)!;
    logCall.stream.end('only line\n');
    const res = await pending;
    expect(res.body).toBe('only line\n');
    expect(logCall.signal.aborted).toBe(false);
  });
});

describe('authentication × authorization', () => {
  let clientCert: { certPem: string; keyPem: string };
  let foreignCert: { certPem: string; keyPem: string };

  beforeAll(async () => {
    clientCert = await api.issueClientCertificate('cert-user', ['kubelet-readers']);
    const stranger = await TestApiServer.start();
    foreignCert = await stranger.issueClientCertificate('cert-user', ['kubelet-readers']);
    await stranger.stop();
  });

  const routes = [
    { path: '/healthz', subresource: 'proxy' },
    { path: '/pods', subresource: 'proxy' },
    { path: '/runningpods/', subresource: 'proxy' },
    { path: '/containerLogs/ns/static/c', subresource: 'proxy' },
    { path: '/stats/summary', subresource: 'stats' },
    { path: '/metrics/resource', subresource: 'metrics' },
  ];

  describe.each(routes)('$path', ({ path, subresource }) => {
    it('no credentials: 401', async () => {
      const res = await call(securedPort, caPem, path);
      expect(res.status).toBe(401);
      expect(res.body).toBe('Unauthorized\n');
    });

    it('a bad token: 401', async () => {
      expect((await call(securedPort, caPem, path, { token: 'bogus' })).status).toBe(401);
    });

    it('a client certificate from another CA: 401', async () => {
      expect((await call(securedPort, caPem, path, { cert: foreignCert })).status).toBe(401);
    });

    it('a valid token without permission: 403 with the kubelet message', async () => {
      const res = await call(securedPort, caPem, path, { token: 'nobody-token' });
      expect(res.status).toBe(403);
      expect(res.body).toBe(
        `Forbidden (user=nobody, verb=get, resource=nodes, subresource(s)=[${subresource}])\n`,
      );
    });

    it('a valid token with nodes/proxy', async () => {
      const res = await call(securedPort, caPem, path, { token: 'proxy-token' });
      expect(res.status).toBe(subresource === 'proxy' ? 200 : 403);
    });

    it('a valid token with nodes/stats and nodes/metrics', async () => {
      const res = await call(securedPort, caPem, path, { token: 'stats-token' });
      expect(res.status).toBe(subresource === 'proxy' ? 403 : 200);
    });

    it('a client certificate chaining to the CA, with nodes/*', async () => {
      expect((await call(securedPort, caPem, path, { cert: clientCert })).status).toBe(200);
    });
  });

  it('a valid client certificate wins over a bad token; a bad certificate does not hide a good token', async () => {
    expect(
      (await call(securedPort, caPem, '/pods', { cert: clientCert, token: 'bogus' })).status,
    ).toBe(200);
    expect(
      (await call(securedPort, caPem, '/pods', { cert: foreignCert, token: 'proxy-token' })).status,
    ).toBe(200);
  });

  it('unknown routes are authenticated and authorized before the 404', async () => {
    expect((await call(securedPort, caPem, '/nope')).status).toBe(401);
    expect((await call(securedPort, caPem, '/nope', { token: 'nobody-token' })).status).toBe(403);
    expect((await call(securedPort, caPem, '/nope', { token: 'proxy-token' })).status).toBe(404);
  });

  it('POST is authorized as create', async () => {
    const res = await call(securedPort, caPem, '/pods', { method: 'POST', token: 'stats-token' });
    expect(res.body).toBe(
      'Forbidden (user=stats-user, verb=create, resource=nodes, subresource(s)=[proxy])\n',
    );
  });
});

describe('TLS', () => {
  it('serves a certificate from files and reloads it when the files change', async () => {
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    const first = await api.ca.issueServerCertificate({
      commonName: 'first',
      ipAddresses: ['127.0.0.1'],
    });
    await writeFile(certFile, first.certPem);
    await writeFile(keyFile, first.keyPem);
    const reloads: unknown[] = [];
    const server = new KubeletApiServer({
      nodeName: NODE,
      provider: idleProvider,
      listPods: () => [],
      tls: { serving: { certFile, keyFile } },
      port: 0,
      host: '127.0.0.1',
      authentication: { anonymous: true },
      authorization: 'AlwaysAllow',
      onTlsReload: err => reloads.push(err ?? 'ok'),
    });
    const port = await server.listen();
    try {
      expect((await call(port, caPem, '/healthz')).peer.subject.CN).toBe('first');

      // A key that does not match the certificate is refused; the old pair keeps serving.
      const second = await api.ca.issueServerCertificate({
        commonName: 'second',
        ipAddresses: ['127.0.0.1'],
      });
      await writeFile(certFile, second.certPem);
      await until(() => reloads.length > 0);
      expect(reloads[0]).toBeInstanceOf(Error);
      expect((await call(port, caPem, '/healthz')).peer.subject.CN).toBe('first');

      await writeFile(keyFile, second.keyPem);
      await until(() => reloads.includes('ok'));
      expect((await call(port, caPem, '/healthz')).peer.subject.CN).toBe('second');
    } finally {
      await server.close();
    }
  });

  it('client certificates are not trusted without a client CA', async () => {
    const server = new KubeletApiServer({
      nodeName: NODE,
      provider: idleProvider,
      listPods: () => [],
      tls: { serving: { load: () => serving } },
      port: 0,
      host: '127.0.0.1',
      authorization: 'AlwaysAllow',
    });
    const port = await server.listen();
    try {
      const cert = await api.issueClientCertificate('someone', ['system:masters']);
      expect((await call(port, caPem, '/healthz', { cert })).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});

describe('upgrade requests', () => {
  it('are authenticated, authorized and handed to the route with an upgrade handler', async () => {
    const seen: string[] = [];
    const server = new KubeletApiServer({
      nodeName: NODE,
      provider: idleProvider,
      listPods: () => [],
      tls: { serving: { load: () => serving }, clientCa: { pem: caPem } },
      port: 0,
      host: '127.0.0.1',
      authentication: { reviewToken: kubeTokenReviewer(kube) },
      authorization: kubeSubjectAccessReviewer(kube),
      extraRoutes: [
        {
          name: 'exec',
          methods: ['GET', 'POST'],
          path: '/exec/:namespace/:pod/:container',
          upgrade: (ctx, socket) => {
            seen.push(`${ctx.user.username} ${ctx.access.verb} ${ctx.params.get('pod') ?? ''}`);
            socket.end(
              'HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n',
            );
          },
        },
      ],
    });
    const port = await server.listen();
    const upgrade = async (path: string, token?: string): Promise<number> => {
      const req = request(
        requestOptions(port, caPem, path, {
          method: 'POST',
          ...(token === undefined ? {} : { token }),
          headers: { connection: 'Upgrade', upgrade: 'test' },
        }),
      );
      req.end();
      const [first] = (await Promise.race([once(req, 'upgrade'), once(req, 'response')])) as [
        IncomingMessage,
      ];
      first.socket.destroy();
      return first.statusCode ?? 0;
    };
    try {
      expect(await upgrade('/exec/ns/p1/c')).toBe(401);
      expect(await upgrade('/exec/ns/p1/c', 'nobody-token')).toBe(403);
      expect(await upgrade('/exec/ns/p1/c', 'proxy-token')).toBe(101);
      expect(seen).toEqual(['proxy-user create p1']);
      expect(await upgrade('/nope', 'proxy-token')).toBe(404);
      expect(await upgrade('/pods', 'proxy-token')).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('close() aborts requests in flight', async () => {
    const { provider, logCalls } = fakeProvider();
    const server = new KubeletApiServer({
      nodeName: NODE,
      provider,
      listPods: () => [],
      tls: { serving: { load: () => serving } },
      port: 0,
      host: '127.0.0.1',
      authentication: { anonymous: true },
      authorization: 'AlwaysAllow',
    });
    const port = await server.listen();
    const req = request(requestOptions(port, caPem, '/containerLogs/ns/p/c?follow=true'));
    req.on('error', () => undefined);
    req.end();
    await until(() => logCalls.length === 1);
    await server.close();
    expect(logCalls[0]!.signal.aborted).toBe(true);
  });
});
