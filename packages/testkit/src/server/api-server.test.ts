import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../test-support/raw-client.ts';
import { TestApiServer } from './api-server.ts';

let server: TestApiServer;
let api: RawClient;

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
  ...extra,
});

type Obj = Record<string, any>;

beforeAll(async () => {
  server = await TestApiServer.start({ bookmarkIntervalMs: 100 });
  api = new RawClient({ url: server.url, caPem: server.caPem, token: server.adminToken });
});

afterAll(async () => {
  await server.stop();
});

describe('discovery', () => {
  it('serves /version, /api, /apis and resource lists', async () => {
    const version = await api.get('/version');
    expect(version.body).toMatchObject({ major: '1', minor: '33', gitVersion: 'v1.33.0' });
    expect((await api.get('/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await api.get('/apis')).body as Obj;
    expect(groups.groups.map((g: Obj) => g.name)).toEqual(
      expect.arrayContaining([
        'coordination.k8s.io',
        'events.k8s.io',
        'authentication.k8s.io',
        'authorization.k8s.io',
        'certificates.k8s.io',
      ]),
    );
    const core = (await api.get('/api/v1')).body as Obj;
    const names = core.resources.map((r: Obj) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'pods',
        'pods/status',
        'pods/binding',
        'pods/log',
        'pods/exec',
        'nodes/proxy',
        'serviceaccounts/token',
        'events',
      ]),
    );
    expect(core.resources.find((r: Obj) => r.name === 'pods')).toMatchObject({
      kind: 'Pod',
      namespaced: true,
      shortNames: ['po'],
    });
    expect((await api.get('/apis/coordination.k8s.io/v1')).body).toMatchObject({
      groupVersion: 'coordination.k8s.io/v1',
    });
  });

  it('answers unknown paths with a NotFound Status', async () => {
    const res = await api.get('/apis/nope.example.com/v1');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
  });
});

describe('pods', () => {
  it('creates a pod with the defaults a real API server gives', async () => {
    const res = await api.post('/api/v1/namespaces/default/pods', pod('defaults'));
    expect(res.status).toBe(201);
    const p = res.body as Obj;
    expect(p.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(p.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(p.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      serviceAccountName: 'default',
      enableServiceLinks: true,
      priority: 0,
    });
    expect(p.spec.tolerations).toEqual([
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ]);
    expect(p.spec.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
    });
    const sa = p.spec.volumes.find((v: Obj) => String(v.name).startsWith('kube-api-access-'));
    expect(sa.projected.sources[0]).toEqual({
      serviceAccountToken: { expirationSeconds: 3607, path: 'token' },
    });
    expect(p.spec.containers[0].volumeMounts).toEqual([
      { name: sa.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ]);
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('generates names from generateName', async () => {
    const res = await api.post('/api/v1/namespaces/default/pods', {
      ...pod(''),
      metadata: { generateName: 'gen-' },
    });
    expect(res.status).toBe(201);
    expect((res.body as Obj).metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('rejects duplicates, invalid pods and wrong kinds with real Status errors', async () => {
    await api.post('/api/v1/namespaces/default/pods', pod('dup'));
    const dup = await api.post('/api/v1/namespaces/default/pods', pod('dup'));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({
      reason: 'AlreadyExists',
      message: 'pods "dup" already exists',
      details: { name: 'dup', kind: 'pods' },
    });

    const invalid = await api.post('/api/v1/namespaces/default/pods', {
      metadata: { name: 'Bad_Name' },
      spec: { containers: [] },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ reason: 'Invalid' });
    const causes = (invalid.body as Obj).details.causes.map((c: Obj) => c.field);
    expect(causes).toEqual(expect.arrayContaining(['metadata.name', 'spec.containers']));

    const wrongKind = await api.post('/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
    });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body).toMatchObject({ kind: 'Status', reason: 'BadRequest' });

    const badJson = await api.send('POST', '/api/v1/namespaces/default/pods', '{"metadata": ', {
      'Content-Type': 'application/json',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body).toMatchObject({ reason: 'BadRequest' });

    const noNamespace = await api.post('/api/v1/namespaces/nope/pods', pod('x'));
    expect(noNamespace.status).toBe(404);
    expect(noNamespace.body).toMatchObject({ message: 'namespaces "nope" not found' });

    const garbage = await api.send('POST', '/api/v1/namespaces/default/pods', 'xx', {
      'Content-Type': 'application/vnd.kubernetes.protobuf',
    });
    expect(garbage.status).toBe(400);
    const cbor = await api.send('POST', '/api/v1/namespaces/default/pods', 'xx', {
      'Content-Type': 'application/cbor',
    });
    expect(cbor.status).toBe(415);
    expect(cbor.body).toMatchObject({ reason: 'UnsupportedMediaType' });
  });

  it('enforces optimistic concurrency and keeps status out of main-resource writes', async () => {
    const created = (await api.post('/api/v1/namespaces/default/pods', pod('occ'))).body as Obj;
    const stale = structuredClone(created);
    const fresh = structuredClone(created);
    fresh.metadata.labels.extra = 'yes';
    fresh.status = { phase: 'Running' };
    const updated = await api.put('/api/v1/namespaces/default/pods/occ', fresh);
    expect(updated.status).toBe(200);
    expect((updated.body as Obj).metadata.labels.extra).toBe('yes');
    expect((updated.body as Obj).status.phase).toBe('Pending');
    stale.metadata.labels.other = 'x';
    const conflict = await api.put('/api/v1/namespaces/default/pods/occ', stale);
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on pods "occ": the object has been modified; please apply your changes to the latest version and try again',
    });
    const mismatch = await api.put('/api/v1/namespaces/default/pods/occ', {
      ...fresh,
      metadata: { ...fresh.metadata, name: 'other' },
    });
    expect(mismatch.status).toBe(400);
  });

  it('updates status only through /status, and skips no-op writes', async () => {
    const created = (await api.post('/api/v1/namespaces/default/pods', pod('st'))).body as Obj;
    const patched = await api.patch(
      '/api/v1/namespaces/default/pods/st/status',
      {
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
        spec: { nodeName: 'sneaky' },
      },
      'application/strategic-merge-patch+json',
    );
    expect(patched.status).toBe(200);
    const p = patched.body as Obj;
    expect(p.status.phase).toBe('Running');
    expect(p.spec.nodeName).toBeUndefined();
    const again = await api.patch(
      '/api/v1/namespaces/default/pods/st/status',
      { status: { phase: 'Running' } },
      'application/merge-patch+json',
    );
    expect((again.body as Obj).metadata.resourceVersion).toBe(p.metadata.resourceVersion);
    expect(Number(p.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
  });

  it('forbids pod spec changes other than the mutable fields', async () => {
    await api.post('/api/v1/namespaces/default/pods', pod('immutable'));
    const res = await api.patch(
      '/api/v1/namespaces/default/pods/immutable',
      { spec: { restartPolicy: 'Never' } },
      'application/merge-patch+json',
    );
    expect(res.status).toBe(422);
    expect((res.body as Obj).message).toContain('pod updates may not change fields other than');
    const image = await api.patch(
      '/api/v1/namespaces/default/pods/immutable',
      { spec: { containers: [{ name: 'c', image: 'nginx:1.28' }] } },
      'application/strategic-merge-patch+json',
    );
    expect(image.status).toBe(200);
    expect((image.body as Obj).spec.containers[0].image).toBe('nginx:1.28');
    expect((image.body as Obj).metadata.generation).toBe(2);
  });

  it('supports all three patch types and rejects bad patches', async () => {
    await api.post('/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'cfg', labels: { a: '1', b: '2' } },
      data: { k: 'v' },
    });
    const json = await api.patch(
      '/api/v1/namespaces/default/configmaps/cfg',
      [
        { op: 'add', path: '/data/n', value: 'x' },
        { op: 'remove', path: '/metadata/labels/a' },
      ],
      'application/json-patch+json',
    );
    expect(json.status).toBe(200);
    expect((json.body as Obj).data).toEqual({ k: 'v', n: 'x' });
    expect((json.body as Obj).metadata.labels).toEqual({ b: '2' });
    const merge = await api.patch(
      '/api/v1/namespaces/default/configmaps/cfg',
      { data: { k: null } },
      'application/merge-patch+json',
    );
    expect((merge.body as Obj).data).toEqual({ n: 'x' });
    const bad = await api.send('PATCH', '/api/v1/namespaces/default/configmaps/cfg', 'not json', {
      'Content-Type': 'application/merge-patch+json',
    });
    expect(bad.status).toBe(400);
    const badOp = await api.patch(
      '/api/v1/namespaces/default/configmaps/cfg',
      [{ op: 'remove', path: '/data/missing' }],
      'application/json-patch+json',
    );
    expect([400, 422, 500]).toContain(badOp.status);
    expect(badOp.body).toMatchObject({ kind: 'Status', status: 'Failure' });
    const staleRv = await api.patch(
      '/api/v1/namespaces/default/configmaps/cfg',
      { metadata: { resourceVersion: '1' }, data: { z: 'z' } },
      'application/merge-patch+json',
    );
    expect(staleRv.status).toBe(409);
    const unsupported = await api.patch(
      '/api/v1/namespaces/default/configmaps/cfg',
      {},
      'text/plain',
    );
    expect(unsupported.status).toBe(415);
  });
});

describe('lists', () => {
  beforeAll(async () => {
    await api.post('/api/v1/namespaces', { metadata: { name: 'paging' } });
    for (let i = 0; i < 7; i++) {
      await api.post('/api/v1/namespaces/paging/pods', {
        ...pod(`p${i}`),
        metadata: { name: `p${i}`, labels: { i: String(i), parity: i % 2 ? 'odd' : 'even' } },
      });
    }
  });

  it('paginates with limit and continue', async () => {
    const first = (await api.get('/api/v1/namespaces/paging/pods?limit=3')).body as Obj;
    expect(first.kind).toBe('PodList');
    expect(first.items.map((p: Obj) => p.metadata.name)).toEqual(['p0', 'p1', 'p2']);
    expect(first.metadata.remainingItemCount).toBe(4);
    const second = (
      await api.get(
        `/api/v1/namespaces/paging/pods?limit=3&continue=${first.metadata.continue as string}`,
      )
    ).body as Obj;
    expect(second.items.map((p: Obj) => p.metadata.name)).toEqual(['p3', 'p4', 'p5']);
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const third = (
      await api.get(
        `/api/v1/namespaces/paging/pods?limit=3&continue=${second.metadata.continue as string}`,
      )
    ).body as Obj;
    expect(third.items.map((p: Obj) => p.metadata.name)).toEqual(['p6']);
    expect(third.metadata.continue).toBeUndefined();
    const garbage = await api.get('/api/v1/namespaces/paging/pods?limit=3&continue=garbage');
    expect(garbage.status).toBe(400);
  });

  it('filters by label and field selectors and rejects unknown fields', async () => {
    const odd = (
      await api.get('/api/v1/namespaces/paging/pods?labelSelector=parity%3Dodd,i%20notin%20(5)')
    ).body as Obj;
    expect(odd.items.map((p: Obj) => p.metadata.name)).toEqual(['p1', 'p3']);
    const named = (
      await api.get('/api/v1/pods?fieldSelector=metadata.name%3Dp2,metadata.namespace%3Dpaging')
    ).body as Obj;
    expect(named.items.map((p: Obj) => p.metadata.name)).toEqual(['p2']);
    const pending = (
      await api.get('/api/v1/namespaces/paging/pods?fieldSelector=status.phase!%3DPending')
    ).body as Obj;
    expect(pending.items).toEqual([]);
    const unknown = await api.get('/api/v1/pods?fieldSelector=spec.bogus%3Dx');
    expect(unknown.status).toBe(400);
    expect((unknown.body as Obj).message).toContain('field label not supported: spec.bogus');
    const badLabel = await api.get('/api/v1/pods?labelSelector=a%20in%20');
    expect(badLabel.status).toBe(400);
  });

  it('compaction makes old continue tokens expire with 410', async () => {
    const first = (await api.get('/api/v1/namespaces/paging/pods?limit=2')).body as Obj;
    await api.post('/api/v1/namespaces/paging/configmaps', { metadata: { name: 'bump' } });
    server.store.compact();
    const expired = await api.get(
      `/api/v1/namespaces/paging/pods?limit=2&continue=${first.metadata.continue as string}`,
    );
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ reason: 'Expired' });
  });
});

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED from a resourceVersion, honouring selectors', async () => {
    await api.post('/api/v1/namespaces', { metadata: { name: 'watching' } });
    const list = (await api.get('/api/v1/namespaces/watching/pods')).body as Obj;
    const w = api.watch(
      `/api/v1/namespaces/watching/pods?watch=true&resourceVersion=${list.metadata.resourceVersion as string}&labelSelector=app%3Dweb`,
    );
    await api.post('/api/v1/namespaces/watching/pods', pod('w1'));
    await api.post('/api/v1/namespaces/watching/pods', {
      ...pod('other'),
      metadata: { name: 'other', labels: { app: 'db' } },
    });
    await api.patch(
      '/api/v1/namespaces/watching/pods/w1',
      { metadata: { labels: { tier: 'x' } } },
      'application/merge-patch+json',
    );
    // Leaving the selector is a DELETED for this watcher; entering it an ADDED.
    await api.patch(
      '/api/v1/namespaces/watching/pods/w1',
      { metadata: { labels: { app: 'gone' } } },
      'application/merge-patch+json',
    );
    await api.patch(
      '/api/v1/namespaces/watching/pods/other',
      { metadata: { labels: { app: 'web' } } },
      'application/merge-patch+json',
    );
    await api.delete('/api/v1/namespaces/watching/pods/other');
    const events = await w.until(e => e.length >= 5);
    w.close();
    expect(w.status).toBe(200);
    expect(events.map(e => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'w1'],
      ['MODIFIED', 'w1'],
      ['DELETED', 'w1'],
      ['ADDED', 'other'],
      ['DELETED', 'other'],
    ]);
  });

  it('starts with the current state when no resourceVersion is given, and sends bookmarks', async () => {
    await api.post('/api/v1/namespaces', { metadata: { name: 'initial' } });
    await api.post('/api/v1/namespaces/initial/pods', pod('existing'));
    const w = api.watch('/api/v1/namespaces/initial/pods?watch=1&allowWatchBookmarks=true');
    const events = await w.until(e => e.some(x => x.type === 'BOOKMARK'));
    w.close();
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'existing' } } });
    const bookmark = events.find(e => e.type === 'BOOKMARK');
    expect(bookmark?.object).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(server.store.resourceVersion) },
    });
  });

  it('marks the end of initial events for sendInitialEvents', async () => {
    await api.post('/api/v1/namespaces', { metadata: { name: 'wl' } });
    await api.post('/api/v1/namespaces/wl/pods', pod('a'));
    const w = api.watch(
      '/api/v1/namespaces/wl/pods?watch=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan',
    );
    const events = await w.until(e => e.some(x => x.type === 'BOOKMARK'));
    w.close();
    expect(events[1]?.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  it('answers a too-old resourceVersion with an ERROR event carrying 410', async () => {
    server.store.compact();
    const w = api.watch('/api/v1/pods?watch=true&resourceVersion=1');
    await w.ended;
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
  });

  it('ends the stream after timeoutSeconds', async () => {
    const w = api.watch('/api/v1/pods?watch=true&timeoutSeconds=1');
    expect(await w.ended).toBe('end');
  });

  it('watches a single object through fieldSelector metadata.name', async () => {
    await api.post('/api/v1/namespaces/default/pods', pod('single'));
    await api.post('/api/v1/namespaces/default/pods', pod('not-this'));
    const w = api.watch(
      '/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Dsingle',
    );
    const events = await w.until(e => e.length >= 1);
    await new Promise(r => setTimeout(r, 100));
    w.close();
    expect(events.map(e => e.object.metadata.name)).toEqual(['single']);
  });
});

describe('deletion', () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };

  it('deletes unscheduled pods at once and scheduled pods gracefully', async () => {
    await api.post('/api/v1/nodes', node);
    await api.post('/api/v1/namespaces/default/pods', pod('unscheduled'));
    const gone = await api.delete('/api/v1/namespaces/default/pods/unscheduled');
    expect(gone.status).toBe(200);
    expect((await api.get('/api/v1/namespaces/default/pods/unscheduled')).status).toBe(404);

    await api.post('/api/v1/namespaces/default/pods', {
      ...pod('graceful'),
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
    });
    const pending = await api.delete('/api/v1/namespaces/default/pods/graceful', {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 20,
    });
    expect(pending.status).toBe(200);
    const p = pending.body as Obj;
    expect(p.metadata.deletionGracePeriodSeconds).toBe(20);
    expect(Date.parse(p.metadata.deletionTimestamp) - Date.now()).toBeGreaterThan(15_000);
    expect((await api.get('/api/v1/namespaces/default/pods/graceful')).status).toBe(200);

    const wrongUid = await api.delete('/api/v1/namespaces/default/pods/graceful', {
      gracePeriodSeconds: 0,
      preconditions: { uid: 'not-it' },
    });
    expect(wrongUid.status).toBe(409);
    expect((wrongUid.body as Obj).message).toContain(
      'Precondition failed: UID in precondition: not-it',
    );

    const final = await api.delete('/api/v1/namespaces/default/pods/graceful', {
      gracePeriodSeconds: 0,
      preconditions: { uid: p.metadata.uid },
    });
    expect(final.status).toBe(200);
    expect((await api.get('/api/v1/namespaces/default/pods/graceful')).status).toBe(404);
  });

  it('waits for finalizers and removes the object when the last one goes', async () => {
    await api.post('/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'fin', finalizers: ['example.com/hold'] },
    });
    const pending = await api.delete('/api/v1/namespaces/default/configmaps/fin');
    expect((pending.body as Obj).metadata.deletionTimestamp).toBeDefined();
    expect((await api.get('/api/v1/namespaces/default/configmaps/fin')).status).toBe(200);
    await api.patch(
      '/api/v1/namespaces/default/configmaps/fin',
      { metadata: { finalizers: null } },
      'application/merge-patch+json',
    );
    expect((await api.get('/api/v1/namespaces/default/configmaps/fin')).status).toBe(404);
  });

  it('returns a Status for most resources and supports resourceVersion preconditions and dryRun', async () => {
    const cm = (
      await api.post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'plain' } })
    ).body as Obj;
    const stale = await api.delete('/api/v1/namespaces/default/configmaps/plain', {
      preconditions: { resourceVersion: '1' },
    });
    expect(stale.status).toBe(409);
    const dry = await api.delete('/api/v1/namespaces/default/configmaps/plain?dryRun=All');
    expect(dry.status).toBe(200);
    expect((await api.get('/api/v1/namespaces/default/configmaps/plain')).status).toBe(200);
    const res = await api.delete('/api/v1/namespaces/default/configmaps/plain', {
      preconditions: { resourceVersion: cm.metadata.resourceVersion },
    });
    expect(res.body).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'plain', kind: 'configmaps', uid: cm.metadata.uid },
    });
  });

  it('deletes a namespace with its contents, and protects default', async () => {
    await api.post('/api/v1/namespaces', { metadata: { name: 'doomed' } });
    await api.post('/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'x' } });
    const res = await api.delete('/api/v1/namespaces/doomed');
    expect(res.status).toBe(200);
    await expect.poll(async () => (await api.get('/api/v1/namespaces/doomed')).status).toBe(404);
    expect((await api.get('/api/v1/namespaces/doomed/configmaps/x')).status).toBe(404);
    const creating = await api.post('/api/v1/namespaces/doomed/configmaps', {
      metadata: { name: 'y' },
    });
    expect(creating.status).toBe(404);
    expect((await api.delete('/api/v1/namespaces/default')).status).toBe(403);
  });

  it('garbage-collects dependents of a deleted owner', async () => {
    const owner = (await api.post('/api/v1/nodes', { metadata: { name: 'owner-node' } }))
      .body as Obj;
    await api.post('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
      metadata: {
        name: 'owner-node',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Node', name: 'owner-node', uid: owner.metadata.uid },
        ],
      },
      spec: { holderIdentity: 'owner-node', leaseDurationSeconds: 40 },
    });
    await api.delete('/api/v1/nodes/owner-node');
    await expect
      .poll(
        async () =>
          (
            await api.get(
              '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/owner-node',
            )
          ).status,
      )
      .toBe(404);
  });
});

describe('namespaces and service accounts', () => {
  it('gives every namespace a default ServiceAccount and the root CA ConfigMap', async () => {
    await api.post('/api/v1/namespaces', { metadata: { name: 'fresh' } });
    await expect
      .poll(async () => (await api.get('/api/v1/namespaces/fresh/serviceaccounts/default')).status)
      .toBe(200);
    const cm = (await api.get('/api/v1/namespaces/fresh/configmaps/kube-root-ca.crt')).body as Obj;
    expect(cm.data['ca.crt']).toBe(server.caPem);
    const ns = (await api.get('/api/v1/namespaces/fresh')).body as Obj;
    expect(ns.status.phase).toBe('Active');
    expect(ns.metadata.labels['kubernetes.io/metadata.name']).toBe('fresh');
  });

  it('issues bound service-account tokens that TokenReview accepts until the pod goes', async () => {
    const p = (await api.post('/api/v1/namespaces/default/pods', pod('token-holder'))).body as Obj;
    const tr = await api.post('/api/v1/namespaces/default/serviceaccounts/default/token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        audiences: ['vk-test'],
        expirationSeconds: 3600,
        boundObjectRef: {
          kind: 'Pod',
          apiVersion: 'v1',
          name: 'token-holder',
          uid: p.metadata.uid,
        },
      },
    });
    expect(tr.status).toBe(201);
    const token = (tr.body as Obj).status.token as string;
    expect(token.split('.')).toHaveLength(3);
    const review = async (audiences: string[]) =>
      (
        (
          await api.post('/apis/authentication.k8s.io/v1/tokenreviews', {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenReview',
            spec: { token, audiences },
          })
        ).body as Obj
      ).status;
    expect(await review(['vk-test'])).toMatchObject({
      authenticated: true,
      user: { username: 'system:serviceaccount:default:default' },
      audiences: ['vk-test'],
    });
    expect((await review(['someone-else'])).authenticated).toBe(false);
    const short = await api.post('/api/v1/namespaces/default/serviceaccounts/default/token', {
      spec: { expirationSeconds: 10 },
    });
    expect(short.status).toBe(422);
    await api.delete('/api/v1/namespaces/default/pods/token-holder');
    expect((await review(['vk-test'])).authenticated).toBe(false);
  });
});

describe('authentication and authorization', () => {
  it('rejects missing and bad credentials with 401', async () => {
    const none = await api.withToken(undefined).get('/api/v1/pods');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await api.withToken('wrong').get('/api/v1/pods')).status).toBe(401);
  });

  it('authenticates client certificates and applies rules; SAR answers from the same rules', async () => {
    const cert = await server.issueClientCertificate('alice', ['team-a']);
    const alice = new RawClient({ url: server.url, caPem: server.caPem, cert });
    const who = await alice.post('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect((who.body as Obj).status.userInfo).toMatchObject({
      username: 'alice',
      groups: ['team-a', 'system:authenticated'],
    });

    server.authorizer.defaultPolicy = 'deny';
    server.authorizer.setRules([
      { groups: ['team-a'], verbs: ['get', 'list'], resources: ['pods'], namespaces: ['default'] },
    ]);
    try {
      expect((await alice.get('/api/v1/namespaces/default/pods')).status).toBe(200);
      const denied = await alice.get('/api/v1/namespaces/kube-system/pods');
      expect(denied.status).toBe(403);
      expect((denied.body as Obj).message).toBe(
        'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "kube-system"',
      );
      const sar = await api.post('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: 'bob',
          groups: ['team-a'],
          resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' },
        },
      });
      expect((sar.body as Obj).status.allowed).toBe(true);
      const sarDenied = await api.post('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        spec: {
          user: 'bob',
          groups: [],
          resourceAttributes: { verb: 'get', resource: 'nodes', subresource: 'proxy', name: 'n1' },
        },
      });
      expect((sarDenied.body as Obj).status.allowed).toBe(false);
    } finally {
      server.authorizer.defaultPolicy = 'allow-authenticated';
      server.authorizer.setRules([]);
    }
  });
});

describe('binding and CSRs', () => {
  it('binds a pod once and refuses a second binding', async () => {
    await api.post('/api/v1/namespaces/default/pods', pod('to-bind'));
    const bound = await api.post('/api/v1/namespaces/default/pods/to-bind/binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'to-bind' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'n1' },
    });
    expect(bound.status).toBe(201);
    const p = (await api.get('/api/v1/namespaces/default/pods/to-bind')).body as Obj;
    expect(p.spec.nodeName).toBe('n1');
    expect(p.status.conditions).toEqual([
      expect.objectContaining({ type: 'PodScheduled', status: 'True' }),
    ]);
    const again = await api.post('/api/v1/namespaces/default/pods/to-bind/binding', {
      target: { kind: 'Node', name: 'n2' },
    });
    expect(again.status).toBe(409);
    expect((again.body as Obj).message).toContain('is already assigned to node "n1"');
  });
});

describe('fault injection and counting', () => {
  it('answers injected errors, with Retry-After on 429', async () => {
    server.faults.injectError(
      { verbs: ['list'], resource: 'configmaps' },
      { code: 429, retryAfterSeconds: 2 },
    );
    const limited = await api.get('/api/v1/namespaces/default/configmaps');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(limited.body).toMatchObject({
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 2 },
    });
    expect((await api.get('/api/v1/namespaces/default/configmaps')).status).toBe(200);
    server.faults.injectError({ verbs: ['create'] }, { code: 503 }, 2);
    expect(
      (await api.post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'f1' } }))
        .status,
    ).toBe(503);
    expect(
      (await api.post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'f1' } }))
        .status,
    ).toBe(503);
    expect(
      (await api.post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'f1' } }))
        .status,
    ).toBe(201);
  });

  it('drops, stalls and expires watches on demand', async () => {
    const dropped = api.watch('/api/v1/namespaces/default/pods?watch=true');
    await new Promise(r => setTimeout(r, 100));
    expect(server.faults.dropWatches({ resource: 'pods' })).toBeGreaterThanOrEqual(1);
    expect(await dropped.ended).toBeDefined();

    const stalled = api.watch(
      `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${server.store.resourceVersion}`,
    );
    await new Promise(r => setTimeout(r, 100));
    server.faults.stallWatches({ resource: 'pods' });
    await api.post('/api/v1/namespaces/default/pods', pod('during-stall'));
    await new Promise(r => setTimeout(r, 200));
    expect(stalled.events).toEqual([]);
    // Resuming delivers what was held back: a paused connection loses nothing.
    server.faults.resumeWatches();
    await stalled.until(e => e.some(x => x.object.metadata.name === 'during-stall'));
    stalled.close();

    server.faults.expireNextWatch({ resource: 'pods' });
    const expired = api.watch('/api/v1/namespaces/default/pods?watch=true');
    await expired.ended;
    expect(expired.events[0]).toMatchObject({ type: 'ERROR', object: { code: 410 } });
  });

  it('counts requests by user agent, verb and resource', async () => {
    server.requests.reset();
    await api.get('/api/v1/namespaces/default/pods', { 'User-Agent': 'counting-test/1.0' });
    await api.get('/api/v1/namespaces/default/pods/nope', { 'User-Agent': 'counting-test/1.0' });
    expect(
      server.requests.total({ userAgent: 'counting-test', verb: 'list', resource: 'pods' }),
    ).toBe(1);
    expect(server.requests.total({ userAgent: 'counting-test', verb: 'get', outcome: '4xx' })).toBe(
      1,
    );
  });

  it('restarts: connections drop, data stays', async () => {
    const w = api.watch('/api/v1/namespaces/default/pods?watch=true');
    await new Promise(r => setTimeout(r, 100));
    await server.restart({ downtimeMs: 50 });
    expect(await w.ended).toBeDefined();
    expect((await api.get('/api/v1/namespaces/default/pods/defaults')).status).toBe(200);
  });
});
