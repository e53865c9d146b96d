/**
 * The Kubernetes side's API client and list-watch cache.
 *
 * ```ts
 * const client = await HttpKubeClient.fromKubeconfig({ userAgent: 'vkubelet/node-1' });
 * const leases = client.lane('lease', { qps: 5, burst: 10 }); // never waits behind pod traffic
 * const pods = new Reflector<Pod>({
 *   client,
 *   ref: Resources.pods,
 *   fieldSelector: 'spec.nodeName=node-1',
 *   handlers: { onAdd: enqueue, onUpdate: (_old, pod) => enqueue(pod), onDelete: enqueue },
 * });
 * void pods.run(signal);
 * await pods.synced;
 * ```
 */
export {
  isForbidden,
  isUnauthorized,
  KubeApiError,
  kubeStatusOf,
  parseRetryAfter,
  type RequestContext,
} from './api-errors.ts';
export { Backoff, type BackoffOptions } from './backoff.ts';
export { systemNow, systemSleep, type Now, type Sleep } from './clock.ts';
export {
  loadKubeconfig,
  staticCredentials,
  type Credentials,
  type KubeconfigSource,
  type LoadedKubeconfig,
  type TlsSettings,
} from './credentials.ts';
export {
  HttpKubeClient,
  type KubeClientOptions,
  type KubeconfigClientOptions,
} from './http-kube-client.ts';
export type {
  CallOptions,
  DeleteOptions,
  GetOptions,
  HttpMethod,
  KubeClient,
  LaneOptions,
  ListOptions,
  PatchOptions,
  PatchType,
  RawRequestOptions,
  RequestInfo,
  SelectorOptions,
  WatchOptions,
  WriteOptions,
} from './kube-client.ts';
export { listPages, type PagedListOptions } from './list-pager.ts';
export { objectKey, type ReadonlyObjectCache } from './object-cache.ts';
export { Reflector, type ReflectorHandlers, type ReflectorOptions } from './reflector.ts';
export {
  parseResourcePath,
  resourceLabel,
  resourcePath,
  Resources,
  type ResourceRef,
} from './resource-ref.ts';
export { withRetry, type RetryOptions } from './retry.ts';
export { DEFAULT_BURST, DEFAULT_QPS, TokenBucket, type RateLimit } from './token-bucket.ts';
export {
  isStatus,
  type KubeList,
  type KubeObject,
  type KubeStatus,
  type WatchEvent,
  type WatchEventType,
} from './types.ts';
export type { WatchStream } from './watch-stream.ts';
export { StringPool } from './string-pool.ts';
export { shareUnchanged } from './share-unchanged.ts';
