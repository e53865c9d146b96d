/**
 * HttpKubeClient against a real API server (the testkit, in its own process): CRUD, the three
 * patch types, delete options, raw calls, error mapping, watches, lanes and the request hook.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.d.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorKind,
  isAlreadyExists,
  isConflict,
  isGone,
  isIllegalState,
  isInvalidInput,
  isNotFound,
  isThrottled,
  isTransient,
  isUnsupported,
  retryAfterMs,
} from '../errors/errors.ts';
import { isForbidden, isUnauthorized, kubeStatusOf } from './api-errors.ts';
import { staticCredentials } from './credentials.ts';
import { HttpKubeClient } from './http-kube-client.ts';
import type { RequestInfo } from './kube-client.ts';
import { listPages } from './list-pager.ts';
import { Resources, type ResourceRef } from './resource-ref.ts';
import { startTestkitProcess, type TestkitProcess } from '@vkubelet/testkit';
import { isStatus, type KubeObject, type WatchEvent } from './types.ts';

const UA = 'kube-client-test';
let kit: TestkitProcess;
let client: HttpKubeClient;
const requests: RequestInfo[] = [];
const signal = new AbortController().signal;

beforeAll(async () => {
  kit = await startTestkitProcess({ bookmarkIntervalMs: 200 });
  client = await HttpKubeClient.fromKubeconfig({
    path: kit.kubeconfigPath,
    userAgent: UA,
    timeoutMs: 10_000,
    onRequest: info => requests.push(info),
  });
});

afterAll(async () => {
  client.close();
  await kit.stop();
});

let namespaces = 0;
async function freshNamespace(): Promise<string> {
  namespaces += 1;
  const name = `client-${namespaces}`;
  await client.create(Resources.namespaces, { metadata: { name } }, { signal });
  return name;
}

const configMap = (name: string, data: Record<string, string>, labels = {}): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

const pod = (name: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'web', tier: 'front' } },
  spec: {
    containers: [
      { name: 'a', image: 'nginx:1.27' },
      { name: 'b', image: 'busybox:1.36' },
    ],
  },
});

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('HttpKubeClient CRUD', () => {
  it('creates, reads, lists, updates and deletes', async () => {
    const ns = await freshNamespace();
    const cms: ResourceRef = { ...Resources.configMaps, namespace: ns };
    const created = await client.create<ConfigMap>(
      cms,
      configMap('one', { k: 'v1' }, { app: 'x' }),
      {
        signal,
      },
    );
    expect(created.metadata?.uid).toBeTruthy();
    await client.create(cms, configMap('two', { k: 'v2' }, { app: 'y' }), { signal });
    await client.create(cms, configMap('three', { k: 'v3' }, { app: 'x' }), { signal });

    const one = await client.get<ConfigMap>({ ...cms, name: 'one' }, { signal });
    expect(one.data).toEqual({ k: 'v1' });

    const selected = await client.list<ConfigMap>(cms, { signal, labelSelector: 'app=x' });
    expect(selected.items.map(c => c.metadata?.name).sort()).toEqual(['one', 'three']);

    const pages = [];
    for await (const page of listPages<ConfigMap>(client, cms, { signal, pageSize: 2 })) {
      pages.push(page.items.map(c => c.metadata?.name));
    }
    // kube-root-ca.crt is in every namespace: 4 objects, pages of 2.
    expect(pages).toHaveLength(2);
    expect(pages.flat().sort()).toEqual(['kube-root-ca.crt', 'one', 'three', 'two']);

    const updated = await client.update<ConfigMap>(
      { ...cms, name: 'one' },
      { ...one, data: { k: 'changed' } },
      { signal },
    );
    expect(updated.data).toEqual({ k: 'changed' });
    // `one` still carries the old resourceVersion: optimistic concurrency refuses it.
    const stale = await caught(client.update({ ...cms, name: 'one' }, one, { signal }));
    expect(isConflict(stale)).toBe(true);
    expect(kubeStatusOf(stale)).toMatchObject({ code: 409, reason: 'Conflict' });

    const dup = await caught(client.create(cms, configMap('two', {}), { signal }));
    expect(isAlreadyExists(dup)).toBe(true);
    expect(isConflict(dup)).toBe(false);

    const dry = await client.create<ConfigMap>(cms, configMap('dry', {}), { signal, dryRun: true });
    expect(dry.metadata?.name).toBe('dry');
    expect(isNotFound(await caught(client.get({ ...cms, name: 'dry' }, { signal })))).toBe(true);

    const deleted = await client.delete({ ...cms, name: 'two' }, { signal });
    expect(isStatus(deleted) || deleted.metadata?.name === 'two').toBe(true);
    const missing = await caught(client.get({ ...cms, name: 'two' }, { signal }));
    expect(isNotFound(missing)).toBe(true);
    expect(kubeStatusOf(missing)?.message).toBe('configmaps "two" not found');
  });

  it('patches with strategic merge, JSON merge and JSON patch, and patches status', async () => {
    const ns = await freshNamespace();
    const pods: ResourceRef = { ...Resources.pods, namespace: ns };
    await client.create(pods, pod('web'), { signal });
    const ref = { ...pods, name: 'web' };

    // Strategic: containers merge by name, so `a` survives and `b` changes.
    const strategic = await client.patch<Pod>(
      ref,
      'strategic',
      { spec: { containers: [{ name: 'b', image: 'busybox:1.37' }] } },
      { signal },
    );
    expect(strategic.spec?.containers.map(c => [c.name, c.image])).toEqual([
      ['a', 'nginx:1.27'],
      ['b', 'busybox:1.37'],
    ]);

    // JSON merge: null removes a key.
    const merged = await client.patch<Pod>(
      ref,
      'merge',
      { metadata: { labels: { tier: null, added: 'yes' } } },
      { signal },
    );
    expect(merged.metadata?.labels).toEqual({ app: 'web', added: 'yes' });

    // JSON patch, with a failing test operation refused as invalid.
    const patched = await client.patch<Pod>(
      ref,
      'json',
      [{ op: 'replace', path: '/metadata/labels/app', value: 'api' }],
      { signal },
    );
    expect(patched.metadata?.labels?.app).toBe('api');
    const failedTest = await caught(
      client.patch(ref, 'json', [{ op: 'test', path: '/metadata/labels/app', value: 'nope' }], {
        signal,
      }),
    );
    expect(isInvalidInput(failedTest)).toBe(true);

    // The testkit does not do server-side apply: 415, which is Unsupported.
    const apply = await caught(
      client.patch(
        ref,
        'apply',
        { metadata: { labels: { a: 'b' } } },
        { signal, fieldManager: 'vk' },
      ),
    );
    expect(isUnsupported(apply)).toBe(true);

    const status = await client.patch<Pod>(
      { ...ref, subresource: 'status' },
      'strategic',
      { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Starting' }] } },
      { signal },
    );
    expect(status.status?.conditions?.find(c => c.type === 'Ready')?.reason).toBe('Starting');
    expect(status.spec?.containers).toHaveLength(2);

    // A caller that ignores the answer gets undefined; the write still happens.
    const ignored = await client.patch(
      { ...ref, subresource: 'status' },
      'strategic',
      { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Later' }] } },
      { signal, ignoreResponse: true },
    );
    expect(ignored).toBeUndefined();
    const after = await client.get<Pod>(ref, { signal });
    expect(after.status?.conditions?.find(c => c.type === 'Ready')?.reason).toBe('Later');
  });

  it('deletes with preconditions, dry run, grace period and propagation policy', async () => {
    const ns = await freshNamespace();
    const cms: ResourceRef = { ...Resources.configMaps, namespace: ns };
    const created = await client.create<ConfigMap>(cms, configMap('target', { k: 'v' }), {
      signal,
    });
    const ref = { ...cms, name: 'target' };

    const wrongUid = await caught(
      client.delete(ref, { signal, preconditions: { uid: 'not-the-uid' } }),
    );
    expect(isConflict(wrongUid)).toBe(true);
    expect(kubeStatusOf(wrongUid)?.message).toMatch(/precondition/i);
    const wrongVersion = await caught(
      client.delete(ref, { signal, preconditions: { resourceVersion: '1' } }),
    );
    expect(isConflict(wrongVersion)).toBe(true);

    await client.delete(ref, { signal, dryRun: true });
    expect((await client.get(ref, { signal })).metadata?.uid).toBe(created.metadata?.uid);

    await client.delete(ref, {
      signal,
      gracePeriodSeconds: 0,
      propagationPolicy: 'Background',
      preconditions: {
        uid: created.metadata?.uid ?? '',
        resourceVersion: created.metadata?.resourceVersion ?? '',
      },
    });
    expect(isNotFound(await caught(client.get(ref, { signal })))).toBe(true);
    expect(isNotFound(await caught(client.delete(ref, { signal })))).toBe(true);
  });

  it('makes raw and subresource calls: TokenRequest, TokenReview, SubjectAccessReview', async () => {
    const ns = await freshNamespace();
    const tokenRequest = await client.create<KubeObject & { status?: { token?: string } }>(
      { ...Resources.serviceAccounts, namespace: ns, name: 'default', subresource: 'token' },
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: ['vk'], expirationSeconds: 3600 },
      },
      { signal },
    );
    const token = tokenRequest.status?.token ?? '';
    expect(token.split('.')).toHaveLength(3);

    const review = await client.request<{
      status: { authenticated: boolean; user: { username: string } };
    }>({
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token, audiences: ['vk'] },
      },
      signal,
    });
    expect(review.status).toMatchObject({
      authenticated: true,
      user: { username: `system:serviceaccount:${ns}:default` },
    });

    const sar = await client.request<{ status: { allowed: boolean } }>({
      method: 'POST',
      path: Resources.subjectAccessReviews,
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: 'someone',
          groups: ['system:masters'],
          resourceAttributes: { verb: 'get', resource: 'nodes', subresource: 'proxy', name: 'n1' },
        },
      },
      signal,
    });
    expect(sar.status.allowed).toBe(true);

    const version = await client.request<{ gitVersion: string }>({
      method: 'GET',
      path: '/version',
      signal,
    });
    expect(version.gitVersion).toMatch(/^v1\./);
    expect(
      requests.some(r => r.verb === 'get' && r.resource === '/version' && r.code === 200),
    ).toBe(true);
  });
});

describe('HttpKubeClient errors', () => {
  it('maps 401 and 403 to clear errors, and clears credentials after a 401', async () => {
    const stranger = HttpKubeClient.create({
      server: kit.url,
      credentials: staticCredentials({ tls: { ca: kit.caPem }, token: 'not-a-token' }),
    });
    try {
      const denied = await caught(stranger.list(Resources.pods, { signal }));
      expect(isUnauthorized(denied)).toBe(true);
      expect(errorKind(denied)).toBe('InvalidInput');
    } finally {
      stranger.close();
    }

    await kit.control.addToken('limited-token', 'limited');
    await kit.control.authorization('deny', [
      { users: ['limited'], verbs: ['get', 'list'], resources: ['configmaps'] },
    ]);
    const limited = HttpKubeClient.create({
      server: kit.url,
      credentials: staticCredentials({ tls: { ca: kit.caPem }, token: 'limited-token' }),
    });
    try {
      await limited.list({ ...Resources.configMaps, namespace: 'default' }, { signal });
      const forbidden = await caught(
        limited.list({ ...Resources.secrets, namespace: 'default' }, { signal }),
      );
      expect(isForbidden(forbidden)).toBe(true);
      expect((forbidden as Error).message).toMatch(/cannot list resource "secrets"/);
    } finally {
      limited.close();
      await kit.control.authorization('allow-authenticated', []);
    }
  });

  it('maps 422 with its causes, and refuses bad refs before sending', async () => {
    const invalid = await caught(
      client.create({ ...Resources.configMaps, namespace: 'default' }, configMap('Bad_Name', {}), {
        signal,
      }),
    );
    expect(isInvalidInput(invalid)).toBe(true);
    expect(kubeStatusOf(invalid)?.reason).toBe('Invalid');
    expect(kubeStatusOf(invalid)?.details?.causes?.map(c => c.field)).toContain('metadata.name');

    const before = requests.length;
    expect(isInvalidInput(await caught(client.get(Resources.pods, { signal })))).toBe(true);
    expect(
      isInvalidInput(await caught(client.list({ ...Resources.pods, name: 'x' }, { signal }))),
    ).toBe(true);
    expect(requests.length).toBe(before);
  });

  it('answers injected 429s with Retry-After as Throttled, and 5xx as Transient', async () => {
    const ref = { ...Resources.configMaps, namespace: 'default', name: 'kube-root-ca.crt' };
    await kit.control.fault({
      op: 'injectError',
      match: { userAgent: UA, verbs: ['get'], name: 'kube-root-ca.crt' },
      error: { code: 429, retryAfterSeconds: 2 },
    });
    const throttled = await caught(client.get(ref, { signal }));
    expect(isThrottled(throttled)).toBe(true);
    expect(retryAfterMs(throttled)).toBe(2000);

    await kit.control.fault({
      op: 'injectError',
      match: { userAgent: UA, verbs: ['get'], name: 'kube-root-ca.crt' },
      error: { code: 503, retryAfterSeconds: 1 },
    });
    const unavailable = await caught(client.get(ref, { signal }));
    expect(isTransient(unavailable)).toBe(true);
    expect(retryAfterMs(unavailable)).toBe(1000);

    await kit.control.fault({
      op: 'injectError',
      match: { userAgent: UA, verbs: ['get'], name: 'kube-root-ca.crt' },
      error: { code: 500 },
    });
    expect(isTransient(await caught(client.get(ref, { signal })))).toBe(true);
    // The faults were one-shot: the next call works.
    expect((await client.get(ref, { signal })).metadata?.name).toBe('kube-root-ca.crt');
    expect(
      requests.filter(r => r.verb === 'get' && r.resource === 'configmaps').map(r => r.code),
    ).toEqual(expect.arrayContaining([429, 503, 500, 200]));
  });

  it('fails Transient on refused connections and timeouts; an abort rejects with its reason', async () => {
    const nowhere = HttpKubeClient.create({
      server: 'https://127.0.0.1:1',
      credentials: staticCredentials({ token: 'x' }),
    });
    const refused = await caught(nowhere.list(Resources.pods, { signal }));
    expect(isTransient(refused)).toBe(true);
    expect((refused as Error).message).toMatch(/ECONNREFUSED/);
    nowhere.close();

    await kit.control.fault({
      op: 'addLatency',
      match: { userAgent: UA, verbs: ['get'], name: 'slow' },
      ms: 5000,
      times: 2,
    });
    const ref = { ...Resources.configMaps, namespace: 'default', name: 'slow' };
    const timedOut = await caught(client.get(ref, { signal, timeoutMs: 200 }));
    expect(isTransient(timedOut)).toBe(true);
    expect((timedOut as Error).message).toMatch(/no answer within 200 ms/);

    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const pending = client.get(ref, { signal: controller.signal });
    setTimeout(() => {
      controller.abort(reason);
    }, 50);
    expect(await caught(pending)).toBe(reason);
  });

  it('says Gone for a continue token that compaction expired', async () => {
    const ns = await freshNamespace();
    const cms = { ...Resources.configMaps, namespace: ns };
    for (const name of ['a', 'b', 'c']) await client.create(cms, configMap(name, {}), { signal });
    const first = await client.list(cms, { signal, limit: 1 });
    expect(first.metadata?.continue).toBeTruthy();
    await client.create(cms, configMap('d', {}), { signal });
    await kit.control.fault({ op: 'compact' });
    const expired = await caught(
      client.list(cms, { signal, limit: 1, continue: first.metadata?.continue ?? '' }),
    );
    expect(isGone(expired)).toBe(true);
    expect(kubeStatusOf(expired)).toMatchObject({ code: 410, reason: 'Expired' });
  });
});

describe('HttpKubeClient watch', () => {
  it('streams ADDED, MODIFIED, DELETED in order, with bookmarks', async () => {
    const ns = await freshNamespace();
    const cms = { ...Resources.configMaps, namespace: ns };
    const start = await client.list(cms, { signal });
    const controller = new AbortController();
    const stream = await client.watch<ConfigMap>(cms, {
      signal: controller.signal,
      resourceVersion: start.metadata?.resourceVersion ?? '',
      allowWatchBookmarks: true,
    });
    await client.create(cms, configMap('w', { v: '1' }), { signal });
    const current = await client.get<ConfigMap>({ ...cms, name: 'w' }, { signal });
    await client.update({ ...cms, name: 'w' }, { ...current, data: { v: '2' } }, { signal });
    await client.delete({ ...cms, name: 'w' }, { signal });

    const seen: WatchEvent<ConfigMap>[] = [];
    for await (const event of stream) {
      seen.push(event);
      if (event.type === 'BOOKMARK' && seen.some(e => e.type === 'DELETED')) break;
    }
    const changes = seen.filter(e => e.type !== 'BOOKMARK');
    expect(changes.map(e => [e.type, (e.object as ConfigMap).data?.v])).toEqual([
      ['ADDED', '1'],
      ['MODIFIED', '2'],
      ['DELETED', '2'],
    ]);
    const bookmark = seen.at(-1);
    expect(bookmark?.type).toBe('BOOKMARK');
    expect(Number(bookmark?.object.metadata?.resourceVersion)).toBeGreaterThanOrEqual(
      Number(changes.at(-1)?.object.metadata?.resourceVersion),
    );
    expect(requests.some(r => r.verb === 'watch' && r.code === 200)).toBe(true);
    controller.abort();
  });

  it('watches one object by name, and ends with the abort reason', async () => {
    const ns = await freshNamespace();
    const cms = { ...Resources.configMaps, namespace: ns };
    await client.create(cms, configMap('other', {}), { signal });
    await client.create(cms, configMap('mine', {}), { signal });
    const controller = new AbortController();
    // No resourceVersion: the current state first, as ADDED.
    const stream = await client.watch<ConfigMap>(
      { ...cms, name: 'mine' },
      { signal: controller.signal },
    );
    const reason = new Error('done watching');
    const names: string[] = [];
    const error = await caught(
      (async () => {
        for await (const event of stream) {
          if (event.type !== 'ERROR')
            names.push(`${event.type} ${event.object.metadata?.name ?? ''}`);
          controller.abort(reason);
        }
      })(),
    );
    expect(names).toEqual(['ADDED mine']);
    expect(error).toBe(reason);
  });

  it('passes on the ERROR event for a compacted version', async () => {
    const ns = await freshNamespace();
    const cms = { ...Resources.configMaps, namespace: ns };
    const old = await client.list(cms, { signal });
    await client.create(cms, configMap('x', {}), { signal });
    await kit.control.fault({ op: 'compact' });
    const controller = new AbortController();
    const stream = await client.watch(cms, {
      signal: controller.signal,
      resourceVersion: old.metadata?.resourceVersion ?? '',
    });
    const events: WatchEvent<KubeObject>[] = [];
    for await (const event of stream) events.push(event);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.type === 'ERROR' && event.object.code).toBe(410);
  });
});

describe('HttpKubeClient lanes and limits', () => {
  it('serves the lease lane at once while the pod lane waits for its limiter', async () => {
    const seen: RequestInfo[] = [];
    const root = await HttpKubeClient.fromKubeconfig({
      path: kit.kubeconfigPath,
      userAgent: 'lanes-test',
      onRequest: info => seen.push(info),
    });
    const podLane = root.lane('pods', { qps: 0.1, burst: 1 });
    const leaseLane = root.lane('lease', { qps: 5, burst: 10 });
    try {
      const pods = { ...Resources.pods, namespace: 'default' };
      await podLane.list(pods, { signal }); // the bucket's only token
      const controller = new AbortController();
      let podDone = false;
      const waiting = podLane.list(pods, { signal: controller.signal }).finally(() => {
        podDone = true;
      });
      // The next pod token is 10 s away, and promised to `waiting`.
      expect(podLane.limiter.available).toBeLessThan(0);

      const lease = await leaseLane.create(
        { ...Resources.leases, namespace: 'kube-node-lease' },
        {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: 'lane-node' },
          spec: { holderIdentity: 'lane-node', leaseDurationSeconds: 40 },
        },
        { signal },
      );
      expect(lease.metadata?.name).toBe('lane-node');
      await leaseLane.get(
        { ...Resources.leases, namespace: 'kube-node-lease', name: 'lane-node' },
        { signal },
      );
      expect(podDone).toBe(false);
      expect(seen.filter(r => r.lane === 'lease').map(r => [r.verb, r.code, r.waitMs])).toEqual([
        ['create', 201, 0],
        ['get', 200, 0],
      ]);

      controller.abort(new Error('test over'));
      await expect(waiting).rejects.toThrow('test over');
      expect(seen.filter(r => r.lane === 'pods')).toHaveLength(1);
    } finally {
      root.close();
    }
  });

  it('refuses calls once closed', async () => {
    const short = await HttpKubeClient.fromKubeconfig({ path: kit.kubeconfigPath });
    const lane = short.lane('lease');
    await lane.get({ ...Resources.namespaces, name: 'default' }, { signal });
    short.close();
    expect(
      isIllegalState(
        await caught(lane.get({ ...Resources.namespaces, name: 'default' }, { signal })),
      ),
    ).toBe(true);
    expect(isIllegalState(await caught(short.watch(Resources.pods, { signal })))).toBe(true);
  });

  it('never waits when unthrottled', async () => {
    const seen: RequestInfo[] = [];
    const bench = await HttpKubeClient.fromKubeconfig({
      path: kit.kubeconfigPath,
      userAgent: 'bench-test',
      qps: Infinity,
      burst: 1,
      onRequest: info => seen.push(info),
    });
    try {
      const ref = { ...Resources.configMaps, namespace: 'default', name: 'kube-root-ca.crt' };
      await Promise.all(Array.from({ length: 50 }, () => bench.get(ref, { signal })));
      expect(seen).toHaveLength(50);
      expect(seen.every(r => r.waitMs === 0 && r.code === 200)).toBe(true);
    } finally {
      bench.close();
    }
  });
});

describe('HttpKubeClient.fromKubeconfig', () => {
  it('authenticates through an exec plugin, and asks it again after a 401', async () => {
    await kit.control.addToken('exec-good-token', 'exec-user', ['system:masters']);
    const dir = await mkdtemp(join(tmpdir(), 'vk-exec-'));
    try {
      const counter = join(dir, 'count');
      await writeFile(counter, '0');
      const plugin = join(dir, 'plugin.mjs');
      // The first run hands out a token the server rejects; later runs a good one.
      await writeFile(
        plugin,
        `import { readFileSync, writeFileSync } from 'node:fs';
const n = Number(readFileSync(${JSON.stringify(counter)}, 'utf8')) + 1;
writeFileSync(${JSON.stringify(counter)}, String(n));
process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  status: { token: n === 1 ? 'revoked' : 'exec-good-token', expirationTimestamp: '2000-01-01T00:00:00Z' },
}));
`,
      );
      const path = join(dir, 'kubeconfig.yaml');
      await writeFile(
        path,
        `apiVersion: v1
kind: Config
clusters:
  - name: c
    cluster:
      server: ${kit.url}
      certificate-authority-data: ${Buffer.from(kit.caPem).toString('base64')}
users:
  - name: u
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1
        command: ${JSON.stringify(process.execPath)}
        args: [${JSON.stringify(plugin)}]
        interactiveMode: Never
contexts:
  - name: ctx
    context: { cluster: c, user: u }
current-context: ctx
`,
      );
      const viaPlugin = await HttpKubeClient.fromKubeconfig({ path });
      try {
        expect(isUnauthorized(await caught(viaPlugin.list(Resources.nodes, { signal })))).toBe(
          true,
        );
        const nodes = await viaPlugin.list(Resources.nodes, { signal });
        expect(nodes.kind).toBe('NodeList');
      } finally {
        viaPlugin.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses the named context and refuses unknown ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vk-contexts-'));
    const path = join(dir, 'kubeconfig.yaml');
    const text = `apiVersion: v1
kind: Config
clusters:
  - name: real
    cluster:
      server: ${kit.url}
      certificate-authority-data: ${Buffer.from(kit.caPem).toString('base64')}
  - name: broken
    cluster:
      server: https://127.0.0.1:1
users:
  - name: admin
    user:
      token: ${kit.token}
contexts:
  - name: good
    context: { cluster: real, user: admin }
  - name: bad
    context: { cluster: broken, user: admin }
current-context: bad
`;
    await writeFile(path, text, { mode: 0o600 });
    const good = await HttpKubeClient.fromKubeconfig({ path, context: 'good' });
    try {
      const nodes = await good.list(Resources.nodes, { signal });
      expect(nodes.items).toEqual([]);
    } finally {
      good.close();
    }
    expect(
      isInvalidInput(await caught(HttpKubeClient.fromKubeconfig({ path, context: 'nope' }))),
    ).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });
});
