/**
 * @vkubelet/provider-mock: an in-memory provider for tests, benchmarks and demos. Pods go through
 * a realistic lifecycle on an injectable clock, and every kubelet API capability (logs, exec,
 * attach, port-forward, stats, metrics) answers deterministically.
 *
 * @example
 * ```ts
 * import { createMockProvider } from '@vkubelet/provider-mock';
 *
 * const provider = createMockProvider({ startLatencyMs: 500, capacity: { 'nvidia.com/gpu': '2' } });
 * provider.notifyPods?.(pod => console.log(pod.metadata?.name, pod.status?.phase));
 * ```
 *
 * @module
 */
export { createMockProvider, type MockControls, type MockProvider } from './provider.ts';
export {
  DEFAULT_CAPACITY,
  MOCK_OPERATIONS,
  type FailureSpec,
  type MockOperation,
  type MockProviderOptions,
  type NodeAddressOption,
  type NodeAddressType,
  type RateLimit,
} from './options.ts';
export type { RestartOptions, TerminationOptions } from './pods.ts';
export type { NodeConditionChange } from './node.ts';
export { ManualClock, systemClock, type Clock } from './clock.ts';
export { openMockStateFile, type MockStateFile, type MockStateStore } from './state-file.ts';
export type { PersistedPod } from './persisted-pod.ts';
export { MOCK_PROVIDER_VERSION } from './version.ts';
