/**
 * What differs between resources on write: defaults, validation, which part a status write may
 * change, and how deletion proceeds. The generic REST handlers call these hooks.
 */
import type { StatusCause } from '../api-error.ts';
import type { KubeObject } from '../kube-object.ts';
import type { UserInfo } from '../server/auth.ts';

export interface DeleteDecision {
  /** Remove the object now (true) or mark it with a deletionTimestamp and keep it. */
  readonly immediate: boolean;
  readonly gracePeriodSeconds?: number;
}

export interface ResourceStrategy {
  /** Whether a `/status` subresource exists, so main-resource writes keep the old status. */
  readonly hasStatus: boolean;
  /** Whether spec changes bump metadata.generation. */
  readonly tracksGeneration: boolean;
  /**
   * Defaults and server-set fields on create; may mutate `object` (a private copy). `requester`
   * is who asked, when known (a CSR records it).
   */
  prepareForCreate?(object: KubeObject, requester?: UserInfo): void;
  validate?(object: KubeObject): StatusCause[];
  validateUpdate?(object: KubeObject, old: KubeObject): StatusCause[];
  /** Server-side adjustments on update of the main resource (after status is restored). */
  prepareForUpdate?(object: KubeObject, old: KubeObject): void;
  /** How a DELETE without finalizers proceeds, given the requested grace period. */
  deleteDecision?(object: KubeObject, requestedGrace: number | undefined): DeleteDecision;
}

export const PLAIN_STRATEGY: ResourceStrategy = { hasStatus: false, tracksGeneration: false };
