/**
 * Wire shapes the client speaks: any object with metadata, lists, watch events and the Status
 * the API server answers with. The concrete kinds come from `kubernetes-types`.
 */
import type { ListMeta, ObjectMeta, Status } from 'kubernetes-types/meta/v1.d.ts';

/** Anything the API server stores: Pod, Node, Lease and friends all fit. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: ListMeta;
  items: T[];
}

/** `kind: Status`, as answered for failures and for some deletions. */
export type KubeStatus = Status;

/** One line of a watch stream. BOOKMARK objects carry only `metadata.resourceVersion`. */
export type WatchEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T }
  | { readonly type: 'BOOKMARK'; readonly object: KubeObject }
  | { readonly type: 'ERROR'; readonly object: KubeStatus };

export type WatchEventType = WatchEvent<unknown>['type'];

/** True for a `kind: Status` body (a delete may answer one instead of the object). */
export function isStatus(value: unknown): value is KubeStatus {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'Status' &&
    (value as { apiVersion?: unknown }).apiVersion === 'v1'
  );
}
