import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.d.ts';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../errors/errors.ts';
import { silentLogger } from '../observability/logger.ts';
import type { Provider } from '../provider/contract.ts';
import { bareProvider } from '../provider/test-support/bare-provider.ts';
import type { NodeApi } from './node-api.ts';
import { NodeController, type NodeControllerOptions } from './node-controller.ts';
import { LAST_APPLIED_META } from './node-object.ts';
import type { DeepMutable } from '../util/mutable.ts';

/** An in-memory Node/Lease API that merges patches the way the API server does for these fields. */
class FakeNodeApi implements NodeApi {
  node: DeepMutable<Node> | undefined;
  lease: Lease | undefined;
  statusPatches = 0;
  leaseUpdates = 0;
  leaseConflicts = 0;
  private rv = 1;

  async getNode(): Promise<Node | undefined> {
    return this.node && structuredClone(this.node);
  }
  async createNode(node: Node): Promise<Node> {
    this.node = {
      ...structuredClone(node),
      metadata: { ...node.metadata, uid: `uid-${this.rv++}` },
    };
    return structuredClone(this.node);
  }
  async patchNode(_name: string, patch: Record<string, any>): Promise<Node> {
    if (!this.node) throw new NotFoundError('nodes "vk" not found');
    const meta = this.node.metadata ?? {};
    for (const field of ['labels', 'annotations'] as const) {
      const merged = new Map(Object.entries(meta[field] ?? {}));
      for (const [k, v] of Object.entries(
        (patch.metadata?.[field] ?? {}) as Record<string, string | null>,
      )) {
        if (v === null) merged.delete(k);
        else merged.set(k, v);
      }
      meta[field] = Object.fromEntries(merged);
    }
    if (patch.spec?.taints) this.node.spec = { ...this.node.spec, taints: patch.spec.taints };
    return structuredClone(this.node);
  }
  async patchNodeStatus(_name: string, patch: Record<string, any>): Promise<Node> {
    if (!this.node) throw new NotFoundError('nodes "vk" not found');
    this.statusPatches++;
    const status = { ...this.node.status, ...patch.status };
    const byType = new Map((this.node.status?.conditions ?? []).map(c => [c.type, c]));
    for (const c of (patch.status.conditions ?? []) as NodeCondition[]) byType.set(c.type, c);
    status.conditions = [...byType.values()];
    this.node.status = status;
    return structuredClone(this.node);
  }
  async deleteNode(): Promise<void> {
    this.node = undefined;
  }
  async getLease(): Promise<Lease | undefined> {
    return this.lease && structuredClone(this.lease);
  }
  async createLease(lease: Lease): Promise<Lease> {
    this.lease = {
      ...structuredClone(lease),
      metadata: { ...lease.metadata, resourceVersion: String(this.rv++) },
    };
    return structuredClone(this.lease);
  }
  async updateLease(lease: Lease): Promise<Lease> {
    if (this.leaseConflicts > 0) {
      this.leaseConflicts--;
      this.lease = {
        ...this.lease!,
        metadata: { ...this.lease!.metadata, resourceVersion: String(this.rv++) },
      };
      throw new ConflictError('the object has been modified');
    }
    if (lease.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion)
      throw new ConflictError('stale');
    this.leaseUpdates++;
    this.lease = {
      ...structuredClone(lease),
      metadata: { ...lease.metadata, resourceVersion: String(this.rv++) },
    };
    return structuredClone(this.lease);
  }
}

const provider = (extra: Partial<Provider> = {}): Provider =>
  bareProvider('mock', {
    configureNode: node => ({
      ...node,
      status: {
        ...node.status,
        capacity: { cpu: '20', memory: '100Gi', pods: '110' },
        allocatable: { cpu: '20', memory: '100Gi', pods: '110' },
      },
    }),

    ...extra,
  });

function controller(api: FakeNodeApi, extra: Partial<NodeControllerOptions> = {}): NodeController {
  return new NodeController({
    api,
    provider: provider(),
    logger: silentLogger,
    nodeName: 'vk',
    providerName: 'mock',
    operatingSystem: 'linux',
    kubeletPort: 10250,
    internalIP: '127.0.0.1',
    kubeletVersion: 'v1.33.0-vkubelet-0.1.0',
    leaseRenewIntervalMs: 20,
    pingIntervalMs: 20,
    statusIntervalMs: 60_000,
    ...extra,
  });
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise(r => setTimeout(r, 5));
  }
}

describe(NodeController, () => {
  it('creates the Node with labels, taint, endpoint, node info and the provider capacity', async () => {
    const api = new FakeNodeApi();
    const c = controller(api);
    const ac = new AbortController();
    const running = c.run(ac.signal);
    await c.ready;
    ac.abort();
    await running;
    const node = api.node!;
    expect(node.metadata?.labels).toMatchObject({
      type: 'virtual-kubelet',
      'kubernetes.io/role': 'agent',
      'kubernetes.io/hostname': 'vk',
      'kubernetes.io/os': 'linux',
    });
    expect(node.spec?.taints).toEqual([
      { key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' },
    ]);
    expect(node.status?.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(node.status?.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' });
    expect(node.status?.nodeInfo).toMatchObject({
      kubeletVersion: 'v1.33.0-vkubelet-0.1.0',
      operatingSystem: 'linux',
    });
    expect(node.status?.capacity).toEqual({ cpu: '20', memory: '100Gi', pods: '110' });
    expect(node.status?.conditions?.find(x => x.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'KubeletReady',
    });
    expect(node.metadata?.annotations?.[LAST_APPLIED_META]).toBeDefined();
  });

  it('patches an existing Node without clobbering what others set, and drops labels it stopped wanting', async () => {
    const api = new FakeNodeApi();
    const first = controller(api, { labels: { old: 'x' } });
    let ac = new AbortController();
    let running = first.run(ac.signal);
    await first.ready;
    ac.abort();
    await running;
    api.node!.metadata!.labels!.team = 'infra';
    api.node!.metadata!.annotations!['example.com/note'] = 'keep';
    api.node!.spec!.taints!.push({ key: 'maintenance', effect: 'NoSchedule' });
    api.node!.status!.conditions!.push({ type: 'ExternalCheck', status: 'True' });

    const second = controller(api, { labels: { fresh: 'y' } });
    ac = new AbortController();
    running = second.run(ac.signal);
    await second.ready;
    ac.abort();
    await running;
    const node = api.node!;
    expect(node.metadata?.labels).toMatchObject({ team: 'infra', fresh: 'y' });
    expect(node.metadata?.labels?.old).toBeUndefined();
    expect(node.metadata?.annotations?.['example.com/note']).toBe('keep');
    expect(node.spec?.taints).toEqual([
      { key: 'maintenance', effect: 'NoSchedule' },
      { key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' },
    ]);
    expect(node.status?.conditions?.map(x => x.type)).toContain('ExternalCheck');
  });

  it('keeps a lease owned by the Node and renews it on its own timer, retrying conflicts', async () => {
    const api = new FakeNodeApi();
    const c = controller(api);
    const ac = new AbortController();
    const running = c.run(ac.signal);
    await until(() => api.lease !== undefined);
    const firstRenew = api.lease!.spec!.renewTime!;
    api.leaseConflicts = 1;
    await until(() => api.leaseUpdates >= 3);
    ac.abort();
    await running;
    expect(api.lease?.metadata).toMatchObject({
      name: 'vk',
      namespace: 'kube-node-lease',
      ownerReferences: [{ kind: 'Node', name: 'vk', uid: api.node!.metadata!.uid }],
    });
    expect(api.lease?.spec).toMatchObject({ holderIdentity: 'vk', leaseDurationSeconds: 40 });
    expect(api.lease!.spec!.renewTime! >= firstRenew).toBe(true);
    expect(api.lease!.spec!.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('holds the lease back and reports NotReady while the provider ping fails, with one ping in flight', async () => {
    const api = new FakeNodeApi();
    let healthy = true;
    let inFlight = 0;
    let maxInFlight = 0;
    const c = controller(api, {
      provider: provider({
        ping: async () => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise(r => setTimeout(r, 5));
          inFlight--;
          if (!healthy) throw new Error('backend unreachable');
        },
      }),
    });
    const ac = new AbortController();
    const running = c.run(ac.signal);
    await until(() => api.leaseUpdates >= 1);
    healthy = false;
    await until(
      () => api.node?.status?.conditions?.find(x => x.type === 'Ready')?.status === 'False',
    );
    const updates = api.leaseUpdates;
    await new Promise(r => setTimeout(r, 100));
    expect(api.leaseUpdates - updates).toBeLessThanOrEqual(1);
    expect(api.node?.status?.conditions?.find(x => x.type === 'Ready')?.message).toContain(
      'backend unreachable',
    );
    healthy = true;
    await until(
      () => api.node?.status?.conditions?.find(x => x.type === 'Ready')?.status === 'True',
    );
    ac.abort();
    await running;
    expect(maxInFlight).toBe(1);
  });

  it('treats a hung ping as a failure after its timeout', async () => {
    const api = new FakeNodeApi();
    let hang = false;
    const c = controller(api, {
      pingTimeoutMs: 50,
      provider: provider({ ping: () => (hang ? new Promise(() => undefined) : Promise.resolve()) }),
    });
    const ac = new AbortController();
    const running = c.run(ac.signal);
    await c.ready;
    hang = true;
    await until(
      () => api.node?.status?.conditions?.find(x => x.type === 'Ready')?.status === 'False',
    );
    expect(api.node?.status?.conditions?.find(x => x.type === 'Ready')?.message).toContain(
      'timed out',
    );
    ac.abort();
    await running;
  });

  it('writes status promptly when the provider notifies a node change', async () => {
    const api = new FakeNodeApi();
    let notify: (n: Node) => void = () => undefined;
    const c = controller(api, { provider: provider({ notifyNodeStatus: cb => (notify = cb) }) });
    const ac = new AbortController();
    const running = c.run(ac.signal);
    await c.ready;
    const before = api.statusPatches;
    notify({ status: { capacity: { cpu: '40', memory: '100Gi', pods: '110' } } });
    await until(() => api.statusPatches > before);
    expect(api.node?.status?.capacity?.cpu).toBe('40');
    ac.abort();
    await running;
  });

  it('registers the Node again when it is deleted at run time', async () => {
    const api = new FakeNodeApi();
    const c = controller(api);
    const ac = new AbortController();
    const running = c.run(ac.signal);
    await c.ready;
    const firstUid = api.node!.metadata!.uid;
    await api.deleteNode();
    c.markStatusChanged();
    await until(() => api.node !== undefined);
    expect(api.node!.metadata!.uid).not.toBe(firstUid);
    await until(() => api.lease?.metadata?.ownerReferences?.[0]?.uid === api.node!.metadata!.uid);
    ac.abort();
    await running;
  });

  it('deletes or taints the Node on shutdown when asked', async () => {
    for (const mode of ['delete', 'taint'] as const) {
      const api = new FakeNodeApi();
      const c = controller(api, { onShutdown: mode });
      const ac = new AbortController();
      const running = c.run(ac.signal);
      await c.ready;
      ac.abort();
      await running;
      if (mode === 'delete') expect(api.node).toBeUndefined();
      else
        expect(api.node?.spec?.taints).toContainEqual({
          key: 'virtual-kubelet.io/shutdown',
          effect: 'NoSchedule',
        });
    }
  });

  it('renews the lease of a Node that already exists while registration waits for the pods', async () => {
    const api = new FakeNodeApi();
    api.node = { metadata: { name: 'vk', uid: 'uid-before', labels: { team: 'a' } }, status: {} };
    const c = controller(api);
    const gate = Promise.withResolvers<undefined>();
    const ac = new AbortController();
    const running = c.run(ac.signal, gate.promise);
    await until(() => api.leaseUpdates >= 1);
    // Heartbeat only: the Node itself is not touched before the pod cache is ready.
    expect(api.statusPatches).toBe(0);
    expect(api.node.metadata?.labels).toEqual({ team: 'a' });
    expect(api.lease?.metadata?.ownerReferences?.[0]?.uid).toBe('uid-before');
    gate.resolve(undefined);
    await c.ready;
    expect(api.statusPatches).toBeGreaterThan(0);
    expect(api.node.metadata?.labels).toMatchObject({ team: 'a', type: 'virtual-kubelet' });
    ac.abort();
    await running;
  });

  it('writes nothing for a Node that does not exist yet until registration may start', async () => {
    const api = new FakeNodeApi();
    const c = controller(api);
    const gate = Promise.withResolvers<undefined>();
    const ac = new AbortController();
    const running = c.run(ac.signal, gate.promise);
    await new Promise(r => setTimeout(r, 100));
    expect(api.node).toBeUndefined();
    expect(api.lease).toBeUndefined();
    gate.resolve(undefined);
    await c.ready;
    await until(() => api.lease !== undefined);
    ac.abort();
    await running;
  });

  it('stops waiting for registration when aborted, and fails with the gate', async () => {
    const api = new FakeNodeApi();
    const ac = new AbortController();
    const waiting = controller(api).run(ac.signal, new Promise(() => undefined));
    ac.abort();
    await waiting;
    expect(api.node).toBeUndefined();
    const failing = controller(api).run(
      new AbortController().signal,
      Promise.reject(new Error('pods never synced')),
    );
    await expect(failing).rejects.toThrow('pods never synced');
  });
});
