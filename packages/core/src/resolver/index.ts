/**
 * The resolver: turns a pod as the API server holds it into what a provider can run without
 * talking to the API server: env flattened and expanded (configMaps, secrets, the whole
 * downward API, service links), and the contents of secret, configMap, downwardAPI and projected
 * volumes (service account tokens included) as data.
 *
 * ```ts
 * const { pod: resolved, volumes, deferredEnv, refreshAt } = await resolvePod(pod, {
 *   source, events, signal, nodeName: 'vk-0', hostIP: '10.0.0.5',
 * });
 * await provider.createPod(resolved, { signal, volumes, deferredEnv });
 * ```
 */
export { resolvePod } from './resolve.ts';
export type {
  DeferredVolumeFile,
  ObjectSource,
  ResolvedPod,
  ResolveOptions,
  ResolverEvents,
} from './types.ts';
export { Reasons as ResolverReasons, type Reason as ResolverReason } from './reasons.ts';
export { tokenRefreshAt } from './tokens.ts';
