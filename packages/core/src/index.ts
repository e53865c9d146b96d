/**
 * @vkubelet/core: the Kubernetes side of a virtual kubelet.
 *
 * ```ts
 * import { createNode, HttpKubeClient, createLogger } from '@vkubelet/core';
 *
 * const client = await HttpKubeClient.fromKubeconfig({ userAgent: 'vk-mock/0.1.0' });
 * const node = createNode({ provider, client, nodeName: 'vk-mock', logger: createLogger() });
 * const stop = new AbortController();
 * process.once('SIGTERM', () => stop.abort());
 * await node.run(stop.signal);
 * ```
 *
 * Three layers: the provider contract and controllers (`PodController`, `NodeController`), the
 * kubelet HTTP API, and the batteries-included `createNode()`.
 */
export * from './errors/errors.ts';
export * from './provider/contract.ts';
export { createLogger, silentLogger, type Logger, type LogLevel } from './observability/logger.ts';
export { VkMetrics, type NodeMetrics } from './observability/metrics.ts';
export {
  serveMetrics,
  parseListenAddress,
  type MetricsEndpoint,
} from './observability/metrics-server.ts';
export { WorkQueue, type WorkQueueOptions, type QueueMetricsEvent } from './queue/work-queue.ts';
export {
  EventRecorder,
  type EventRecorderOptions,
  type EventSink,
  type EventType,
} from './events/recorder.ts';
export { NodeController, type NodeControllerOptions } from './node/node-controller.ts';
export type { NodeApi } from './node/node-api.ts';
export { defaultTaint, goArch } from './node/node-object.ts';
export {
  PodController,
  passThroughResolver,
  type PodControllerOptions,
  type PodResolver,
  type ResolvedForProvider,
} from './pod/pod-controller.ts';
export type { PodApi, PodEventSink } from './pod/pod-api.ts';
export * from './kube/index.ts';
export * from './resolver/index.ts';
export { createNode, VirtualNode, type CreateNodeOptions } from './bootstrap/create-node.ts';
export {
  eventSinkOver,
  nodeApiOver,
  objectSourceOver,
  podApiOver,
} from './bootstrap/api-adapters.ts';
export type { DeepMutable } from './util/mutable.ts';
/** How the core hands pods to providers: provider tests can freeze their inputs the same way. */
export { deepFreeze } from './util/deep-freeze.ts';
export {
  HeapCompactor,
  lastResortCollection,
  eventLoopBusyFraction,
  type Compaction,
  type HeapCompactorOptions,
} from './memory/heap-compactor.ts';
export * from './cli/index.ts';
export {
  runApp,
  type ProviderContext,
  type ProviderFactory,
  type RunAppOptions,
} from './bootstrap/run-app.ts';
