/** The API calls the node and lease controllers make; the bootstrap implements them over the client. */
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Node } from 'kubernetes-types/core/v1.d.ts';

export interface NodeApi {
  getNode(name: string, signal: AbortSignal): Promise<Node | undefined>;
  createNode(node: Node, signal: AbortSignal): Promise<Node>;
  /** Strategic merge patch of the Node (labels, annotations, taints). */
  patchNode(name: string, patch: Record<string, unknown>, signal: AbortSignal): Promise<Node>;
  /** Strategic merge patch of nodes/status. */
  patchNodeStatus(name: string, patch: Record<string, unknown>, signal: AbortSignal): Promise<Node>;
  deleteNode(name: string, signal: AbortSignal): Promise<void>;
  getLease(namespace: string, name: string, signal: AbortSignal): Promise<Lease | undefined>;
  createLease(lease: Lease, signal: AbortSignal): Promise<Lease>;
  /** PUT with the lease's resourceVersion; a stale one throws ConflictError. */
  updateLease(lease: Lease, signal: AbortSignal): Promise<Lease>;
}
