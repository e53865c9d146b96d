/**
 * A minimal provider for the core's own tests: pods keyed by namespace/name with their UID,
 * Running at once, statuses pushed (or polled when `push` is false), and scripted failures.
 * (The full mock provider lives in @vkubelet/provider-mock.)
 */
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.d.ts';
import { NotFoundError } from '../../errors/errors.ts';
import type { PodContext, Provider } from '../../provider/contract.ts';
import { keyOf } from '../pod-compare.ts';

export interface FakeProviderOptions {
  readonly push?: boolean;
}

export class FakeProviderState {
  readonly pods = new Map<string, Pod>();
  readonly calls: { op: string; pod: string; uid?: string }[] = [];
  /** Errors to throw from the next calls of an operation. */
  readonly failures = new Map<string, Error[]>();
  /** Operations that hang until aborted. */
  readonly hangs = new Set<string>();
  notify: ((pod: Pod) => void) | undefined;
  pending: Pod[] = [];

  count(op: string, key?: string): number {
    return this.calls.filter(c => c.op === op && (key === undefined || c.pod === key)).length;
  }
}

function running(pod: Pod): PodStatus {
  return {
    phase: 'Running',
    podIP: '10.0.0.1',
    hostIP: '10.0.0.254',
    startTime: '2026-01-01T00:00:00Z',
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: (pod.spec?.containers ?? []).map(c => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: true,
      restartCount: 0,
      state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
    })),
  };
}

export function createFakeProvider(options: FakeProviderOptions = {}): {
  provider: Provider;
  state: FakeProviderState;
} {
  const state = new FakeProviderState();
  const step = async (
    op: string,
    pod: string,
    signal: AbortSignal,
    uid?: string,
  ): Promise<void> => {
    state.calls.push({ op, pod, ...(uid !== undefined ? { uid } : {}) });
    if (state.hangs.has(op)) {
      await new Promise((_, reject) => {
        signal.addEventListener(
          'abort',
          () => {
            reject(new Error('aborted'));
          },
          { once: true },
        );
      });
    }
    const queue = state.failures.get(op);
    const err = queue?.shift();
    if (err) throw err;
  };
  const emit = (pod: Pod): void => {
    if (state.notify) state.notify(structuredClone(pod));
    else state.pending.push(structuredClone(pod));
  };
  const provider: Provider = {
    name: 'fake',
    async createPod(pod: Pod, context: PodContext) {
      await step('createPod', keyOf(pod), context.signal, pod.metadata?.uid);
      const stored = { ...structuredClone(pod), status: running(pod) };
      state.pods.set(keyOf(pod), stored);
      emit(stored);
    },
    async updatePod(pod: Pod, context: PodContext) {
      await step('updatePod', keyOf(pod), context.signal, pod.metadata?.uid);
      const prior = state.pods.get(keyOf(pod));
      const stored = { ...structuredClone(pod), status: prior?.status ?? running(pod) };
      state.pods.set(keyOf(pod), stored);
      emit(stored);
    },
    async deletePod(pod: Pod, signal: AbortSignal) {
      await step('deletePod', keyOf(pod), signal, pod.metadata?.uid);
      const stored = state.pods.get(keyOf(pod));
      if (!stored || stored.metadata?.uid !== pod.metadata?.uid)
        throw new NotFoundError(`pod ${keyOf(pod)} not found`);
      state.pods.delete(keyOf(pod));
      emit({ ...stored, status: { ...stored.status, phase: 'Succeeded' } });
    },
    async getPod(namespace, name) {
      const p = state.pods.get(`${namespace}/${name}`);
      return p && structuredClone(p);
    },
    async getPodStatus(namespace, name) {
      const p = state.pods.get(`${namespace}/${name}`);
      return p?.status && structuredClone(p.status);
    },
    async getPods(signal) {
      await step('getPods', '*', signal);
      return [...state.pods.values()].map(p => structuredClone(p));
    },
  };
  if (options.push !== false) {
    provider.notifyPods = cb => {
      state.notify = cb;
      for (const p of state.pending.splice(0)) cb(p);
    };
  }
  return { provider, state };
}
