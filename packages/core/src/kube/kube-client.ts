/**
 * The Kubernetes API client the core talks through: resource-oriented calls addressed by a
 * `ResourceRef`, every one cancellable, failures mapped to the error taxonomy (see
 * `api-errors.ts`). Callers decide about retries (`withRetry`); the client never retries.
 *
 * This is an interface so controllers can be tested against fakes; `HttpKubeClient` is the
 * implementation.
 */
import type { ResourceRef } from './resource-ref.ts';
import type { RateLimit } from './token-bucket.ts';
import type { KubeList, KubeObject, KubeStatus } from './types.ts';
import type { WatchStream } from './watch-stream.ts';

export interface CallOptions {
  /** Ends the call: the promise rejects with the signal's reason. */
  readonly signal: AbortSignal;
  /** Overrides the client's timeout; for a watch, only until the stream opens. */
  readonly timeoutMs?: number;
  /**
   * The caller does not use the answer: its body is not parsed and the call resolves undefined
   * (a status PATCH answers with the whole pod; parsing it thousands of times is wasted work).
   */
  readonly ignoreResponse?: boolean;
}

export interface GetOptions extends CallOptions {
  readonly resourceVersion?: string;
}

export interface SelectorOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface ListOptions extends CallOptions, SelectorOptions {
  /** Page size; the answer's `metadata.continue` fetches the next page. */
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WriteOptions extends CallOptions {
  /** Validate and default, but persist nothing (`dryRun=All`). */
  readonly dryRun?: boolean;
  readonly fieldManager?: string;
}

/** strategic: strategic merge patch; merge: JSON merge patch (RFC 7386); json: RFC 6902; apply: server-side apply. */
export type PatchType = 'strategic' | 'merge' | 'json' | 'apply';

export interface PatchOptions extends WriteOptions {
  /** Server-side apply only: take over fields other managers own. */
  readonly force?: boolean;
}

export interface DeleteOptions extends CallOptions {
  readonly gracePeriodSeconds?: number;
  /** The delete fails with a Conflict unless the object still has this uid / resourceVersion. */
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly dryRun?: boolean;
}

export interface WatchOptions extends CallOptions, SelectorOptions {
  /** Events after this version; absent: the current state as ADDED events first. */
  readonly resourceVersion?: string;
  readonly allowWatchBookmarks?: boolean;
  /** The server ends the stream after this long. */
  readonly timeoutSeconds?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RawRequestOptions extends CallOptions {
  readonly method: HttpMethod;
  /** A ref, or a path below the server URL such as `/apis/authentication.k8s.io/v1/tokenreviews`. */
  readonly path: string | ResourceRef;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Sent as JSON unless it is a string. */
  readonly body?: unknown;
  /** @default application/json when there is a body */
  readonly contentType?: string;
}

/** One finished request, for metrics: the core feeds these to prom-client. */
export interface RequestInfo {
  readonly lane: string;
  /** get, list, watch, create, update, patch, delete. */
  readonly verb: string;
  /** `pods`, `pods/status`; a path for non-resource requests. */
  readonly resource: string;
  /** HTTP status; 0 when no answer arrived (network, timeout, aborted). */
  readonly code: number;
  /** From sending to the answer (for a watch: to the stream opening). */
  readonly durationMs: number;
  /** Time spent waiting for the lane's rate limiter first. */
  readonly waitMs: number;
}

export interface LaneOptions extends RateLimit {
  /** @default the parent's */
  readonly userAgent?: string;
}

export interface KubeClient {
  /** `default` for the client made from a kubeconfig, the given name for lanes. */
  readonly laneName: string;

  get<T extends KubeObject = KubeObject>(ref: ResourceRef, options: GetOptions): Promise<T>;
  list<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: ListOptions,
  ): Promise<KubeList<T>>;
  /** POST to the collection, or to a named subresource (`binding`, `token`, `eviction`). */
  create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: unknown,
    options: WriteOptions,
  ): Promise<T>;
  /** PUT; a `metadata.resourceVersion` in `body` makes it conditional (Conflict when stale). */
  update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    body: unknown,
    options: WriteOptions,
  ): Promise<T>;
  patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    type: PatchType,
    patch: unknown,
    options: PatchOptions,
  ): Promise<T>;
  /** The object as it is now (graceful deletions) or a Status; see `isStatus`. */
  delete<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: DeleteOptions,
  ): Promise<T | KubeStatus>;
  /** Opens a watch of the collection (a `name` in `ref` watches that one object). */
  watch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: WatchOptions,
  ): Promise<WatchStream<T>>;
  /** Any other call, answered as parsed JSON (undefined for an empty body). */
  request<T = unknown>(options: RawRequestOptions): Promise<T>;

  /**
   * A client with the same server and credentials but its own rate limiter and connections,
   * so traffic on one lane (pods) never delays another (the node lease).
   */
  lane(name: string, options?: LaneOptions): KubeClient;
  /** Closes this client's connections and those of its lanes. */
  close(): void;
}
