import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidInputError,
  NotFoundError,
  ThrottledError,
  TransientError,
} from '../errors/errors.ts';
import { silentLogger } from '../observability/logger.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { Provider } from '../provider/contract.ts';
import { PodController, type PodControllerOptions } from './pod-controller.ts';
import { FakeCluster } from './test-support/fake-cluster.ts';
import { createFakeProvider, type FakeProviderState } from './test-support/fake-provider.ts';

async function until(check: () => boolean, timeoutMs = 4000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise(r => setTimeout(r, 5));
  }
}

const settle = (ms = 60) => new Promise(r => setTimeout(r, ms));

interface Harness {
  cluster: FakeCluster;
  state: FakeProviderState;
  controller: PodController;
  stop: () => Promise<void>;
}

const running: Harness[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) await h.stop();
});

function start(
  push: boolean,
  options: Partial<PodControllerOptions> = {},
  before?: (h: Omit<Harness, 'stop' | 'controller'> & { provider: Provider }) => void,
): Harness {
  const cluster = new FakeCluster();
  const { provider, state } = createFakeProvider({ push });
  before?.({ cluster, state, provider });
  const controller = new PodController({
    nodeName: 'vk',
    provider,
    api: cluster,
    events: cluster,
    logger: silentLogger,
    lookup: cluster.lookup,
    listApiPods: cluster.list,
    pollIntervalMs: 30,
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 50,
    ...options,
  });
  cluster.hooks = controller;
  for (const pod of cluster.list()) controller.onAdd(pod);
  const ac = new AbortController();
  const done = controller.run(Promise.resolve(), ac.signal);
  const h: Harness = {
    cluster,
    state,
    controller,
    stop: async () => {
      ac.abort();
      await done;
    },
  };
  running.push(h);
  return h;
}

describe.each([
  ['pushing', true],
  ['polling', false],
])('PodController with a %s provider', (_mode, push) => {
  it('creates a pod bound to this node exactly once and writes the provider status (13, 27)', async () => {
    const h = start(push);
    await h.controller.ready;
    h.cluster.add('web');
    await until(() => h.cluster.lookup('default', 'web')?.status?.phase === 'Running');
    await settle();
    expect(h.state.count('createPod', 'default/web')).toBe(1);
    expect(h.cluster.reasons('default/web')).toContain('ProviderCreateSuccess');
    const pod = h.cluster.lookup('default', 'web')!;
    expect(pod.status?.podIP).toBe('10.0.0.1');
    expect(pod.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
  });

  it('never sends pods of other nodes to the provider (14)', async () => {
    const h = start(push);
    await h.controller.ready;
    h.cluster.add('elsewhere', {}, 'other-node');
    await settle(100);
    expect(h.state.count('createPod')).toBe(0);
  });

  it('updates for spec, label and annotation changes but not for status changes (15, 28)', async () => {
    const h = start(push);
    await h.controller.ready;
    h.cluster.add('web');
    await until(() => h.cluster.lookup('default', 'web')?.status?.phase === 'Running');
    const writes = h.cluster.writes.length;
    h.cluster.edit('default/web', p => {
      p.status = {
        ...p.status,
        conditions: [...(p.status?.conditions ?? []), { type: 'Custom', status: 'True' }],
      };
    });
    await settle(100);
    expect(h.state.count('updatePod')).toBe(0);
    h.cluster.edit('default/web', p => {
      p.spec!.containers[0]!.image = 'nginx:2';
    });
    await until(() => h.state.count('updatePod') === 1);
    h.cluster.edit('default/web', p => {
      p.metadata!.labels = { tier: 'web' };
    });
    await until(() => h.state.count('updatePod') === 2);
    expect(h.cluster.reasons('default/web')).toContain('ProviderUpdateSuccess');
    // Identical reports cause no API writes.
    const statusWrites = h.cluster.writes.filter(w => w.verb === 'patchStatus').length;
    await settle(100);
    expect(h.cluster.writes.filter(w => w.verb === 'patchStatus').length).toBe(statusWrites);
    expect(writes).toBeGreaterThan(0);
  });

  it('never creates pods that are already finished, nor touches them (17)', async () => {
    const h = start(push);
    await h.controller.ready;
    h.cluster.add('done', { status: { phase: 'Succeeded' } });
    h.cluster.add('failed', { status: { phase: 'Failed' } });
    await settle(100);
    expect(h.state.count('createPod')).toBe(0);
    expect(h.cluster.writes).toEqual([]);
  });

  it('deletes gracefully: provider delete, event, then the API object goes at once with a UID precondition (18, 19)', async () => {
    const h = start(push);
    await h.controller.ready;
    h.cluster.add('web');
    await until(() => h.state.pods.has('default/web'));
    const uid = h.cluster.lookup('default', 'web')!.metadata!.uid;
    h.cluster.userDelete('default/web', 30);
    await until(() => h.cluster.lookup('default', 'web') === undefined);
    expect(h.state.pods.has('default/web')).toBe(false);
    expect(h.cluster.reasons('default/web')).toContain('ProviderDeleteSuccess');
    expect(h.cluster.writes.find(w => w.verb === 'delete')?.body).toEqual({
      gracePeriodSeconds: 0,
      uid,
    });
  });

  it('writes no last status for a pod on its way out: provider delete, then one DELETE (T6)', async () => {
    const h = start(push);
    await h.controller.ready;
    h.cluster.add('web');
    await until(() => h.cluster.lookup('default', 'web')?.status?.phase === 'Running');
    await settle();
    const before = h.cluster.writes.length;
    h.cluster.userDelete('default/web', 30);
    await until(() => h.cluster.lookup('default', 'web') === undefined);
    await settle(100);
    expect(h.cluster.writes.slice(before).map(w => w.verb)).toEqual(['delete']);
    expect(h.state.pods.has('default/web')).toBe(false);
  });

  it('writes no last status even when the provider reports the deletion after the final DELETE', async () => {
    const h = start(push, {}, ({ state, provider }) => {
      const deletePod = provider.deletePod.bind(provider);
      provider.deletePod = async (pod, signal) => {
        const notify = state.notify;
        state.notify = undefined; // hold the terminal status back...
        await deletePod(pod, signal);
        state.notify = notify;
        setTimeout(() => {
          // ...and deliver it once the DELETE is on its way
          notify?.({ ...pod, status: { phase: 'Succeeded' } });
        }, 5);
      };
    });
    await h.controller.ready;
    h.cluster.add('web');
    await until(() => h.cluster.lookup('default', 'web')?.status?.phase === 'Running');
    await settle();
    const before = h.cluster.writes.length;
    h.cluster.userDelete('default/web', 30);
    await until(() => h.cluster.lookup('default', 'web') === undefined);
    await settle(100);
    expect(h.cluster.writes.slice(before).map(w => w.verb)).toEqual(['delete']);
  });

  it('a force delete in the API removes the pod from the provider (20)', async () => {
    const h = start(push);
    await h.controller.ready;
    h.cluster.add('web');
    await until(() => h.state.pods.has('default/web'));
    h.cluster.userDelete('default/web', 0);
    await until(() => !h.state.pods.has('default/web'));
    expect(h.state.count('deletePod', 'default/web')).toBe(1);
  });

  it('retries a failing provider delete, keeping the pod; NotFound counts as done (21)', async () => {
    const h = start(push);
    await h.controller.ready;
    h.cluster.add('web');
    await until(() => h.state.pods.has('default/web'));
    h.state.failures.set('deletePod', [
      new TransientError('backend 500'),
      new TransientError('backend 500'),
    ]);
    h.cluster.userDelete('default/web', 30);
    await until(() => h.cluster.lookup('default', 'web') === undefined);
    expect(h.state.count('deletePod', 'default/web')).toBe(3);
    expect(h.cluster.reasons('default/web')).toContain('ProviderDeleteFailed');
  });

  it('never removes a re-created pod with the same name (22)', async () => {
    const h = start(push);
    await h.controller.ready;
    const first = h.cluster.add('web');
    await until(() => h.state.pods.has('default/web'));
    h.cluster.userDelete('default/web', 0);
    const second = h.cluster.add('web');
    await until(() => h.state.pods.get('default/web')?.metadata?.uid === second.metadata?.uid);
    await settle(100);
    expect(h.cluster.lookup('default', 'web')?.metadata?.uid).toBe(second.metadata?.uid);
    expect(h.state.calls.filter(c => c.op === 'deletePod').map(c => c.uid)).toEqual([
      first.metadata?.uid,
    ]);
  });

  it('at startup deletes provider pods without an API pod and API pods being deleted; creates nothing twice (23, 24)', async () => {
    const h = start(push, {}, ({ cluster, state }) => {
      const kept = cluster.add('kept');
      state.pods.set('default/kept', { ...kept, status: { phase: 'Running' } });
      state.pods.set('default/orphan', {
        metadata: { name: 'orphan', namespace: 'default', uid: 'gone' },
        spec: { containers: [] },
      });
      const leaving = cluster.add('leaving', {
        metadata: { deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 },
      });
      state.pods.set('default/leaving', { ...leaving, status: { phase: 'Running' } });
    });
    await h.controller.ready;
    await until(
      () =>
        !h.state.pods.has('default/orphan') && h.cluster.lookup('default', 'leaving') === undefined,
    );
    await settle(100);
    expect(h.state.count('createPod')).toBe(0);
    expect(h.state.pods.has('default/kept')).toBe(true);
  });

  it('at startup takes over the status of pods the provider already runs: written when it moved, not when the API has it', async () => {
    const h = start(push, {}, ({ cluster, state }) => {
      // The previous process was killed after creating `moved` but before writing its status.
      const moved = cluster.add('moved');
      state.pods.set('default/moved', { ...moved, status: { phase: 'Running' } });
      const same = cluster.add('same', { status: { phase: 'Running' } });
      state.pods.set('default/same', { ...same, status: { phase: 'Running' } });
    });
    await h.controller.ready;
    await until(() => h.cluster.lookup('default', 'moved')?.status?.phase === 'Running');
    await settle(100);
    expect(h.state.count('createPod')).toBe(0);
    expect(h.cluster.writes.map(w => `${w.verb} ${w.pod}`)).toEqual(['patchStatus default/moved']);
  });

  it('reports a failing create on the pod, retries, and ends Failed after the limit (25, 11-beyond)', async () => {
    const h = start(push, { maxCreateAttempts: 3 });
    await h.controller.ready;
    h.state.failures.set('createPod', [
      new TransientError('quota exceeded'),
      new TransientError('quota exceeded'),
      new TransientError('quota exceeded'),
    ]);
    h.cluster.add('web');
    await until(() => h.cluster.lookup('default', 'web')?.status?.phase === 'Failed');
    const pod = h.cluster.lookup('default', 'web')!;
    expect(pod.status?.reason).toBe('ProviderFailed');
    expect(pod.status?.message).toContain('quota exceeded');
    expect(h.state.count('createPod')).toBe(3);
    expect(
      h.cluster.reasons('default/web').filter(r => r === 'ProviderCreateFailed').length,
    ).toBeGreaterThanOrEqual(3);
  });

  it('waits out provider throttling at its pace, shows why the pod is Pending, and never fails it for that', async () => {
    const h = start(push, { maxCreateAttempts: 2 });
    await h.controller.ready;
    h.state.failures.set(
      'createPod',
      Array.from({ length: 5 }, () => new ThrottledError('quota', { retryAfterMs: 40 })),
    );
    const pending: (string | undefined)[] = [];
    h.cluster.add('web');
    await until(() => {
      pending.push(h.cluster.lookup('default', 'web')?.status?.reason);
      return h.cluster.lookup('default', 'web')?.status?.phase === 'Running';
    });
    expect(pending).toContain('ProviderThrottled');
    expect(h.state.count('createPod')).toBe(6);
    expect(h.cluster.lookup('default', 'web')?.status?.reason).toBeUndefined();
    // One status write for the throttled wait, not one per attempt.
    const throttledWrites = h.cluster.writes.filter(
      w => w.verb === 'patchStatus' && JSON.stringify(w.body).includes('ProviderThrottled'),
    );
    expect(throttledWrites).toHaveLength(1);
  });

  it('keeps to a token-bucket provider at its pace, with few refused calls', async () => {
    let refused = 0;
    const h = start(push, {}, ({ provider }) => {
      // Burst 3, then one token every 25 ms; a refusal hints the time to the next token.
      let tokens = 3;
      let updated = Date.now();
      const createPod = provider.createPod.bind(provider);
      provider.createPod = async (pod, context) => {
        const now = Date.now();
        tokens = Math.min(3, tokens + (now - updated) / 25);
        updated = now;
        if (tokens < 1) {
          refused++;
          throw new ThrottledError('quota', { retryAfterMs: Math.ceil((1 - tokens) * 25) });
        }
        tokens -= 1;
        await createPod(pod, context);
      };
    });
    await h.controller.ready;
    const started = Date.now();
    for (let i = 0; i < 23; i++) h.cluster.add(`p${i}`);
    await until(() => h.state.pods.size === 23, 5000);
    // 20 tokens at 40/s take 500 ms; the pace must neither beat the bucket nor hammer it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(refused).toBeLessThanOrEqual(8);
  });

  it('holds every create back while the provider throttles', async () => {
    const h = start(push);
    await h.controller.ready;
    h.state.failures.set('createPod', [new ThrottledError('quota', { retryAfterMs: 300 })]);
    h.cluster.add('first');
    await until(() => h.state.count('createPod') === 1);
    const throttledAt = Date.now();
    h.cluster.add('second');
    await until(() => h.state.pods.size === 2, 3000);
    // Neither pod reached the provider again before the hint expired.
    expect(Date.now() - throttledAt).toBeGreaterThanOrEqual(250);
    expect(h.state.count('createPod')).toBe(3);
  });

  it('a pod the provider rejects as invalid fails at once with the reason', async () => {
    const h = start(push);
    await h.controller.ready;
    h.state.failures.set('createPod', [
      new InvalidInputError('hostNetwork is not supported by this provider'),
    ]);
    h.cluster.add('web');
    await until(() => h.cluster.lookup('default', 'web')?.status?.phase === 'Failed');
    expect(h.state.count('createPod')).toBe(1);
    expect(h.cluster.lookup('default', 'web')?.status?.message).toBe(
      'hostNetwork is not supported by this provider',
    );
  });

  it('a hung provider create times out and is retried', async () => {
    const h = start(push, { providerCallTimeoutMs: 50 });
    await h.controller.ready;
    h.state.hangs.add('createPod');
    h.cluster.add('web');
    await until(() => h.state.count('createPod') >= 2);
    h.state.hangs.clear();
    await until(() => h.cluster.lookup('default', 'web')?.status?.phase === 'Running');
    expect(h.cluster.reasons('default/web')).toContain('ProviderCreateFailed');
  });

  it('counts as backlog the pods waiting for a worker, not the one in hand', async () => {
    const h = start(push, { podSyncWorkers: 1, providerCallTimeoutMs: 200 });
    await h.controller.ready;
    h.state.hangs.add('createPod');
    for (let i = 0; i < 3; i++) h.cluster.add(`web${i}`);
    await until(() => h.state.count('createPod') >= 1);
    expect(h.controller.backlog).toBe(2);
    h.state.hangs.clear();
    await until(() =>
      [0, 1, 2].every(i => h.cluster.lookup('default', `web${i}`)?.status?.phase === 'Running'),
    );
    await until(() => h.controller.backlog === 0);
  });

  it('keeps a pod whose mandatory config is missing out of the provider, showing CreateContainerConfigError', async () => {
    let missing = true;
    const h = start(push, {
      resolve: async pod => {
        if (missing) throw new NotFoundError('secret "db-password" not found');
        return { pod, volumes: new Map(), deferredEnv: [] };
      },
    });
    await h.controller.ready;
    h.cluster.add('web');
    await until(
      () =>
        h.cluster.lookup('default', 'web')?.status?.containerStatuses?.[0]?.state?.waiting
          ?.reason === 'CreateContainerConfigError',
    );
    expect(h.state.count('createPod')).toBe(0);
    missing = false;
    await until(() => h.cluster.lookup('default', 'web')?.status?.phase === 'Running');
  });

  it('re-applies the provider status after someone else changes it (29)', async () => {
    const h = start(push);
    await h.controller.ready;
    h.cluster.add('web');
    await until(
      () =>
        h.cluster
          .lookup('default', 'web')
          ?.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True') ?? false,
    );
    h.cluster.edit('default/web', p => {
      p.status = {
        ...p.status,
        conditions: [{ type: 'Ready', status: 'False', reason: 'NodeNotReady' }],
      };
    });
    await until(
      () =>
        h.cluster.lookup('default', 'web')?.status?.conditions?.find(c => c.type === 'Ready')
          ?.status === 'True',
    );
  });

  it('leaves a finished pod status alone (30)', async () => {
    const h = start(push);
    await h.controller.ready;
    h.cluster.add('web');
    await until(() => h.cluster.lookup('default', 'web')?.status?.phase === 'Running');
    h.cluster.edit('default/web', p => {
      p.status = { ...p.status, phase: 'Succeeded' };
    });
    const writes = h.cluster.writes.length;
    h.controller.report({ ...h.state.pods.get('default/web')!, status: { phase: 'Running' } });
    await settle(100);
    expect(h.cluster.writes.length).toBe(writes);
    expect(h.cluster.lookup('default', 'web')?.status?.phase).toBe('Succeeded');
  });

  it('propagates annotations the provider sets (35)', async () => {
    const h = start(push);
    await h.controller.ready;
    h.cluster.add('web');
    await until(() => h.state.pods.has('default/web'));
    const reported = structuredClone(h.state.pods.get('default/web')!);
    reported.metadata!.annotations = { 'provider.example.com/instance': 'i-123' };
    h.controller.report(reported);
    await until(
      () =>
        h.cluster.lookup('default', 'web')?.metadata?.annotations?.[
          'provider.example.com/instance'
        ] === 'i-123',
    );
  });
});

describe('PodController specifics', () => {
  it('still writes the last status of a pod that finalizers keep after its final DELETE', async () => {
    const h = start(true, {}, ({ state, provider }) => {
      const deletePod = provider.deletePod.bind(provider);
      provider.deletePod = async (pod, signal) => {
        const notify = state.notify;
        state.notify = undefined;
        await deletePod(pod, signal);
        state.notify = notify;
        // The terminal status arrives once the DELETE is on its way.
        setTimeout(() => notify?.({ ...pod, status: { phase: 'Succeeded' } }), 5);
      };
    });
    await h.controller.ready;
    h.cluster.add('web', { metadata: { finalizers: ['example.com/keep'] } });
    await until(() => h.cluster.lookup('default', 'web')?.status?.phase === 'Running');
    h.cluster.userDelete('default/web', 30);
    await until(() => h.cluster.lookup('default', 'web')?.status?.phase === 'Succeeded');
    expect(h.cluster.writes.filter(w => w.verb === 'delete')).toHaveLength(1);
  });

  it('refreshes volume contents before tokens expire, for providers that update them in place', async () => {
    const updates: string[] = [];
    let generation = 0;
    const h = start(
      true,
      {
        resolve: async pod => {
          generation += 1;
          const token = new TextEncoder().encode(`token-${generation}`);
          return {
            pod,
            volumes: new Map([
              [
                'kube-api-access',
                {
                  kind: 'projected' as const,
                  files: new Map([['token', { data: token, mode: 0o644 }]]),
                },
              ],
            ]),
            deferredEnv: [],
            refreshAt: new Date(Date.now() + 40),
          };
        },
      },
      ({ provider }) => {
        provider.updatePodVolumes = async (_pod, volumes) => {
          updates.push(
            new TextDecoder().decode(volumes.get('kube-api-access')?.files.get('token')?.data),
          );
        };
      },
    );
    await h.controller.ready;
    h.cluster.add('web');
    await until(() => updates.length >= 2);
    expect(updates.slice(0, 2)).toEqual(['token-2', 'token-3']);
    h.cluster.userDelete('default/web', 0);
    await until(() => !h.state.pods.has('default/web'));
    const after = updates.length;
    await settle(150);
    expect(updates.length).toBeLessThanOrEqual(after + 1);
  });

  it('refreshes the tokens of pods adopted at startup within the refresh window, and not of others', async () => {
    const refreshed: string[] = [];
    const tokenVolume = {
      name: 'kube-api-access',
      projected: { sources: [{ serviceAccountToken: { path: 'token' } }] },
    };
    const h = start(true, { adoptedTokenRefreshWindowMs: 100 }, ({ cluster, state, provider }) => {
      for (const name of ['a', 'b', 'plain']) {
        const pod = cluster.add(
          name,
          name === 'plain' ? {} : { spec: { containers: [], volumes: [tokenVolume] } },
        );
        state.pods.set(`default/${name}`, { ...pod, status: { phase: 'Running' } });
      }
      provider.updatePodVolumes = async pod => {
        refreshed.push(pod.metadata?.name ?? '');
      };
    });
    await h.controller.ready;
    await until(() => refreshed.length === 2);
    await settle(150);
    expect(refreshed.sort()).toEqual(['a', 'b']);
    expect(h.state.count('createPod')).toBe(0);
  });

  it('hands the pods adopted at startup to adoptPods once: not orphans, pods being deleted or pods whose images changed', async () => {
    const handed: Pod[][] = [];
    const h = start(true, {}, ({ cluster, state, provider }) => {
      const kept = cluster.add('kept');
      state.pods.set('default/kept', { ...kept, status: { phase: 'Running' } });
      const changed = cluster.add('changed');
      state.pods.set('default/changed', {
        ...changed,
        spec: { containers: [{ name: 'c', image: 'nginx:0' }] },
        status: { phase: 'Running' },
      });
      const leaving = cluster.add('leaving', {
        metadata: { deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 },
      });
      state.pods.set('default/leaving', { ...leaving, status: { phase: 'Running' } });
      state.pods.set('default/orphan', {
        metadata: { name: 'orphan', namespace: 'default', uid: 'gone' },
        spec: { containers: [] },
      });
      provider.adoptPods = pods => {
        handed.push([...pods]);
      };
    });
    await h.controller.ready;
    await until(() => handed.length === 1 && !h.state.pods.has('default/orphan'));
    await settle(50);
    expect(handed).toHaveLength(1);
    // The core's own object, so the provider can share it.
    expect(handed[0]!.map(p => p.metadata?.name)).toEqual(['kept']);
    expect(handed[0]![0]?.metadata?.uid).toBe(h.cluster.lookup('default', 'kept')?.metadata?.uid);
    // Deeply frozen, as createPod's, so the provider can keep the object instead of a copy.
    expect(Object.isFrozen(handed[0]![0]?.spec?.containers[0])).toBe(true);
  });

  it('a provider whose adoptPods throws still gets its pods synced', async () => {
    const h = start(true, {}, ({ cluster, state, provider }) => {
      const kept = cluster.add('kept');
      state.pods.set('default/kept', { ...kept, status: { phase: 'Running' } });
      provider.adoptPods = () => {
        throw new Error('boom');
      };
    });
    await h.controller.ready;
    h.cluster.add('fresh');
    await until(() => h.state.pods.has('default/fresh'));
    expect(h.state.count('createPod')).toBe(1);
  });

  it('a notification that arrives before the cache has the pod is not lost (31)', async () => {
    const h = start(true);
    await h.controller.ready;
    h.controller.report({
      metadata: { name: 'early', namespace: 'default', uid: 'uid-1' },
      status: { phase: 'Running', podIP: '10.9.9.9' },
    });
    await settle(50);
    h.cluster.add('early');
    await until(() => h.cluster.lookup('default', 'early')?.status?.podIP !== undefined);
  });

  it('polling marks a pod the provider lost as Failed/NotFound with exit 137 (32)', async () => {
    const h = start(false);
    await h.controller.ready;
    h.cluster.add('web');
    await until(() => h.cluster.lookup('default', 'web')?.status?.phase === 'Running');
    h.state.pods.delete('default/web');
    await until(() => h.cluster.lookup('default', 'web')?.status?.phase === 'Failed');
    const status = h.cluster.lookup('default', 'web')!.status!;
    expect(status.reason).toBe('NotFound');
    expect(status.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(137);
  });

  it('a provider-side deletion deletes the API pod with the provider grace period (34)', async () => {
    const h = start(true);
    await h.controller.ready;
    h.cluster.add('web');
    await until(() => h.state.pods.has('default/web'));
    const reported = structuredClone(h.state.pods.get('default/web')!);
    reported.metadata = {
      ...reported.metadata,
      deletionTimestamp: new Date().toISOString(),
      deletionGracePeriodSeconds: 5,
    };
    h.controller.report(reported);
    await until(() => h.cluster.writes.some(w => w.verb === 'delete'));
    expect(h.cluster.writes.find(w => w.verb === 'delete')?.body).toMatchObject({
      gracePeriodSeconds: 5,
    });
  });

  it('waits for the cache to sync before reconciling or serving', async () => {
    const cluster = new FakeCluster();
    const { provider, state } = createFakeProvider();
    const controller = new PodController({
      nodeName: 'vk',
      provider,
      api: cluster,
      events: cluster,
      logger: silentLogger,
      lookup: cluster.lookup,
      listApiPods: cluster.list,
    });
    let markSynced: () => void = () => undefined;
    const synced = new Promise<void>(r => (markSynced = r));
    const ac = new AbortController();
    const done = controller.run(synced, ac.signal);
    await settle(50);
    expect(state.count('getPods')).toBe(0);
    markSynced();
    await controller.ready;
    expect(state.count('getPods')).toBe(1);
    ac.abort();
    await done;
  });
});
