/**
 * @vkubelet/conformance: the end-to-end suite every provider runs against its backend.
 *
 * ```ts
 * // my-provider/src/conformance.e2e.test.ts
 * import { conformanceSuite } from '@vkubelet/conformance';
 *
 * conformanceSuite({
 *   setup: async () => {
 *     const cluster = await startMyClusterAndNode();
 *     return {
 *       kubeconfig: cluster.kubeconfigPath,
 *       namespace: 'default',
 *       nodeName: 'my-node',
 *       teardown: () => cluster.stop(),
 *     };
 *   },
 *   skip: name => name === 'TestGetMetricsResource', // a backend without metrics
 * });
 * ```
 */
export {
  conformanceSuite,
  conformanceTestNames,
  type ConformanceOptions,
  type ConformanceTarget,
  type ConformanceTestName,
} from './suite.ts';
export {
  armWait,
  Framework,
  type ArmedWait,
  type Condition,
  type FrameworkOptions,
  type Observed,
  type WaitSpec,
} from './framework.ts';
export {
  containsPod,
  dummyPod,
  isPodReady,
  isRunningAndReady,
  podKey,
  podNamePrefix,
  podReferencingMissing,
  podWithEnv,
  PROVIDER_TAINT_KEY,
  waitingReasons,
  type PodTarget,
  type ReferencedKind,
} from './pods.ts';
export {
  labelValue,
  parsePrometheusText,
  type Label,
  type MetricFamily,
  type MetricType,
  type Sample,
} from './prometheus.ts';
export {
  findPodStats,
  podSamples,
  type ContainerStats,
  type PodReference,
  type PodStats,
  type StatsSummary,
} from './stats.ts';
