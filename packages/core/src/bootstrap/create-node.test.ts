import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound, isTransient } from '../errors/errors.ts';
import { HttpKubeClient } from '../kube/http-kube-client.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { startTestkitProcess, type TestkitProcess } from '@vkubelet/testkit';
import { createFakeProvider, type FakeProviderState } from '../pod/test-support/fake-provider.ts';
import { VkMetrics } from '../observability/metrics.ts';
import type { Provider } from '../provider/contract.ts';
import { createNode, type VirtualNode } from './create-node.ts';

type K<T> = T & { metadata: object };

let server: TestkitProcess;
let client: KubeClient;
let admin: KubeClient;
let node: VirtualNode;
let state: FakeProviderState;
let provider: Provider;
const stop = new AbortController();
let running: Promise<void>;

async function until<T>(
  read: () => Promise<T>,
  check: (v: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > end)
      throw new Error(`condition not met; last value: ${JSON.stringify(value)}`);
    await new Promise(r => setTimeout(r, 25));
  }
}

const getPod = (name: string) =>
  admin
    .get<K<Pod>>(
      { version: 'v1', resource: 'pods', namespace: 'default', name },
      { signal: AbortSignal.timeout(5000) },
    )
    .catch(() => undefined);

/** Deletes the pod (with the grace period given, else the API server's default) and waits until it is gone. */
async function deletePodAndWait(name: string, gracePeriodSeconds?: number): Promise<void> {
  await admin.delete(
    { version: 'v1', resource: 'pods', namespace: 'default', name },
    {
      signal: AbortSignal.timeout(5000),
      ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
    },
  );
  await until(
    () => getPod(name),
    p => p === undefined,
  );
}

beforeAll(async () => {
  server = await startTestkitProcess({ bookmarkIntervalMs: 500 });
  client = await HttpKubeClient.fromKubeconfig({
    path: server.kubeconfigPath,
    userAgent: 'vkubelet-test/core',
  });
  admin = await HttpKubeClient.fromKubeconfig({
    path: server.kubeconfigPath,
    userAgent: 'test-admin',
  });
  const fake = createFakeProvider();
  state = fake.state;
  provider = fake.provider;
  node = createNode({
    provider: fake.provider,
    client,
    nodeName: 'vk-core',
    internalIP: '127.0.0.1',
    version: '0.1.0',
    pingIntervalMs: 200,
  });
  running = node.run(stop.signal);
  await node.waitReady(15_000);
}, 60_000);

afterAll(async () => {
  stop.abort();
  await running;
  client.close();
  admin.close();
  await server.stop();
});

describe('createNode against the testkit API server', () => {
  it('registers a Ready node with its lease', async () => {
    const n = await admin.get<K<Node>>(
      { version: 'v1', resource: 'nodes', name: 'vk-core' },
      { signal: AbortSignal.timeout(5000) },
    );
    expect(n.metadata.labels).toMatchObject({
      type: 'virtual-kubelet',
      'kubernetes.io/hostname': 'vk-core',
    });
    expect(n.spec?.taints).toEqual([
      { key: 'virtual-kubelet.io/provider', value: 'fake', effect: 'NoSchedule' },
    ]);
    expect(n.status?.conditions?.find(c => c.type === 'Ready')?.status).toBe('True');
    expect(n.status?.nodeInfo?.kubeletVersion).toBe('v1.33.0-vkubelet-0.1.0');
    const lease = await until(
      () =>
        admin
          .get<K<Lease>>(
            {
              group: 'coordination.k8s.io',
              version: 'v1',
              resource: 'leases',
              namespace: 'kube-node-lease',
              name: 'vk-core',
            },
            { signal: AbortSignal.timeout(5000) },
          )
          .catch(() => undefined),
      l => l !== undefined,
    );
    expect(lease?.spec?.holderIdentity).toBe('vk-core');
    expect(lease?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Node',
      name: 'vk-core',
      uid: n.metadata.uid,
    });
  });

  it('runs a pod end to end: created once, Running in the API, events recorded, deleted everywhere', async () => {
    await admin.create(
      { version: 'v1', resource: 'pods', namespace: 'default' },
      {
        metadata: { name: 'web' },
        spec: {
          nodeName: 'vk-core',
          containers: [
            {
              name: 'c',
              image: 'nginx:1',
              env: [{ name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            },
          ],
        },
      },
      { signal: AbortSignal.timeout(5000) },
    );
    const pod = await until(
      () => getPod('web'),
      p => p?.status?.phase === 'Running',
    );
    expect(pod?.status?.podIP).toBe('10.0.0.1');
    expect(state.count('createPod', 'default/web')).toBe(1);
    // The provider got the resolved env and the service-account token volume contents.
    expect(state.pods.get('default/web')?.spec?.containers[0]?.env).toContainEqual({
      name: 'MY_POD',
      value: 'web',
    });
    const events = await until(
      () =>
        admin.list<K<Event>>(
          { version: 'v1', resource: 'events', namespace: 'default' },
          { signal: AbortSignal.timeout(5000), fieldSelector: 'involvedObject.name=web' },
        ),
      l => l.items.some(e => e.reason === 'ProviderCreateSuccess'),
    );
    expect(events.items.find(e => e.reason === 'ProviderCreateSuccess')?.source).toEqual({
      component: 'virtual-kubelet',
      host: 'vk-core',
    });

    await deletePodAndWait('web', 30);
    expect(state.pods.has('default/web')).toBe(false);
  });

  it("keeps one copy of what a pod's updates left unchanged and of the status the provider reported", async () => {
    const handed: Pod[] = [];
    const createPod = provider.createPod.bind(provider);
    const deletePod = provider.deletePod.bind(provider);
    provider.createPod = async (pod, context) => {
      handed.push(pod);
      await createPod(pod, context);
    };
    provider.deletePod = async (pod, signal) => {
      handed.push(pod);
      await deletePod(pod, signal);
    };
    // What the core was told: the fake provider hands each report over as a copy of its own.
    let reported: Pod['status'];
    const notify = state.notify;
    state.notify = pod => {
      if (pod.metadata?.name === 'shared' && pod.status?.phase === 'Running') reported = pod.status;
      notify?.(pod);
    };
    try {
      await admin.create(
        { version: 'v1', resource: 'pods', namespace: 'default' },
        {
          metadata: { name: 'shared', labels: { app: 'shared' } },
          spec: { nodeName: 'vk-core', containers: [{ name: 'c', image: 'nginx:1' }] },
        },
        { signal: AbortSignal.timeout(5000) },
      );
      await until(
        () => getPod('shared'),
        p => p?.status?.phase === 'Running',
      );
      await deletePodAndWait('shared', 30);
    } finally {
      provider.createPod = createPod;
      provider.deletePod = deletePod;
      state.notify = notify;
    }
    const [created, deleted] = handed as [Pod, Pod];
    expect(handed).toHaveLength(2);
    // Two versions later (status Running, then deletionTimestamp): a new object, equal parts kept.
    expect(deleted.metadata?.resourceVersion).not.toBe(created.metadata?.resourceVersion);
    expect(deleted.metadata?.deletionTimestamp).toBeDefined();
    expect(deleted.metadata?.labels).toBe(created.metadata?.labels);
    expect(deleted.spec?.containers[0]?.image).toBe('nginx:1');
    // The status the provider reported came back in the watch: its parts are the provider's.
    expect(deleted.status?.containerStatuses).toBe(reported?.containerStatuses);
    expect(deleted.status?.conditions).toBe(reported?.conditions);
  });

  it('loses no pod transition when the watch drops', async () => {
    await server.control.fault({ op: 'dropWatches', match: { resource: 'pods' } });
    await admin.create(
      { version: 'v1', resource: 'pods', namespace: 'default' },
      {
        metadata: { name: 'after-drop' },
        spec: { nodeName: 'vk-core', containers: [{ name: 'c', image: 'nginx:1' }] },
      },
      { signal: AbortSignal.timeout(5000) },
    );
    await until(
      () => getPod('after-drop'),
      p => p?.status?.phase === 'Running',
    );
    await server.control.fault({ op: 'expireNextWatch', match: { resource: 'pods' } });
    await server.control.fault({ op: 'dropWatches', match: { resource: 'pods' } });
    await deletePodAndWait('after-drop');
    expect(state.pods.has('default/after-drop')).toBe(false);
  });

  it('registers the node again when it is deleted', async () => {
    await admin.delete(
      { version: 'v1', resource: 'nodes', name: 'vk-core' },
      { signal: AbortSignal.timeout(5000) },
    );
    const again = await until(
      () =>
        admin
          .get<K<Node>>(
            { version: 'v1', resource: 'nodes', name: 'vk-core' },
            { signal: AbortSignal.timeout(5000) },
          )
          .catch(() => undefined),
      n => n !== undefined,
      15_000,
    );
    expect(again?.status?.conditions?.find(c => c.type === 'Ready')?.status).toBe('True');
  });

  it("with eventsAfterPods, a pod's Event waits while other pods are queued for a sync", async () => {
    const fake = createFakeProvider();
    const gates = new Map<string, () => void>();
    const opened = new Map<string, Promise<void>>();
    for (const name of ['ordered-0', 'ordered-1']) {
      opened.set(name, new Promise<void>(open => gates.set(name, open)));
    }
    // Each create of a gated pod waits until the test opens its gate.
    const provider: Provider = Object.create(fake.provider) as Provider;
    provider.createPod = async (pod, context) => {
      await opened.get(pod.metadata?.name ?? '');
      return fake.provider.createPod(pod, context);
    };
    const metrics = new VkMetrics(undefined, { defaultMetrics: false });
    const syncDepth = async (): Promise<number> => {
      const gauge = await metrics.registry.getSingleMetric('vkubelet_queue_depth')?.get();
      return gauge?.values.find(v => v.labels.queue === 'pod-sync')?.value ?? 0;
    };
    const ordered = createNode({
      provider,
      client,
      nodeName: 'vk-ordered',
      version: '0.1.0',
      podSyncWorkers: 1,
      eventsAfterPods: true,
      metrics,
    });
    const stopOrdered = new AbortController();
    const runningOrdered = ordered.run(stopOrdered.signal);
    const eventsOf = (name: string) =>
      admin.list<K<Event>>(
        { version: 'v1', resource: 'events', namespace: 'default' },
        { signal: AbortSignal.timeout(5000), fieldSelector: `involvedObject.name=${name}` },
      );
    try {
      await ordered.waitReady(15_000);
      for (let i = 0; i < 3; i++) {
        await admin.create(
          { version: 'v1', resource: 'pods', namespace: 'default' },
          {
            metadata: { name: `ordered-${i}` },
            spec: { nodeName: 'vk-ordered', containers: [{ name: 'c', image: 'nginx:1' }] },
          },
          { signal: AbortSignal.timeout(5000) },
        );
      }
      // The one worker holds ordered-0; ordered-1 and ordered-2 wait behind it.
      await until(syncDepth, d => d === 2);
      gates.get('ordered-0')?.();
      await until(
        () => getPod('ordered-0'),
        p => p?.status?.phase === 'Running',
      );
      // ordered-0 is Running, but ordered-2 still waits behind the held ordered-1: no Event yet.
      await new Promise(r => setTimeout(r, 300));
      expect((await eventsOf('ordered-0')).items).toEqual([]);
      gates.get('ordered-1')?.();
      for (let i = 0; i < 3; i++) {
        await until(
          () => eventsOf(`ordered-${i}`),
          l => l.items.some(e => e.reason === 'ProviderCreateSuccess'),
        );
      }
    } finally {
      for (const open of gates.values()) open();
      for (let i = 0; i < 3; i++) {
        await admin
          .delete(
            { version: 'v1', resource: 'pods', namespace: 'default', name: `ordered-${i}` },
            { signal: AbortSignal.timeout(5000), gracePeriodSeconds: 0 },
          )
          .catch(() => undefined);
      }
      stopOrdered.abort();
      await runningOrdered;
    }
  });

  it('gives up with a clear error when the pod cache does not sync within --startup-timeout, registering nothing', async () => {
    await server.control.fault({
      op: 'injectError',
      match: { userAgent: 'vkubelet-startup', verbs: ['list'], resource: 'pods' },
      error: { code: 500 },
      times: 1000,
    });
    const slowClient = await HttpKubeClient.fromKubeconfig({
      path: server.kubeconfigPath,
      userAgent: 'vkubelet-startup',
    });
    try {
      const slow = createNode({
        provider: createFakeProvider().provider,
        client: slowClient,
        nodeName: 'vk-startup',
        version: '0.1.0',
        startupTimeoutMs: 700,
      });
      const started = Date.now();
      const error = await slow.run(AbortSignal.timeout(20_000)).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isTransient(error)).toBe(true);
      expect((error as Error).message).toMatch(
        /^pod cache of vk-startup did not sync within 700 ms \(--startup-timeout\)/,
      );
      expect(Date.now() - started).toBeLessThan(5000);
      const registered = await admin
        .get(
          { version: 'v1', resource: 'nodes', name: 'vk-startup' },
          { signal: AbortSignal.timeout(5000) },
        )
        .catch((err: unknown) => err);
      expect(isNotFound(registered)).toBe(true);
    } finally {
      slowClient.close();
    }
  });
});
