/**
 * @vkubelet/core: the Kubernetes side of a virtual kubelet.
 *
 * A provider implements `PodLifecycleHandler` (plus optional capabilities); the core registers
 * the node, keeps its lease, syncs pods both ways, resolves env and volumes, records events and
 * serves the kubelet API.
 */
export * from './errors/errors.ts';
export * from './provider/contract.ts';
export { createLogger, silentLogger, type Logger, type LogLevel } from './observability/logger.ts';
