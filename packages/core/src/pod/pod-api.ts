/** The API calls the pod controller makes; the bootstrap implements them over the client. */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';

export interface PodApi {
  /** Strategic merge patch of pods/status with only the fields that changed. */
  patchPodStatus(
    namespace: string,
    name: string,
    patch: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<void>;
  /** Strategic merge patch of the pod's metadata (annotations a provider sets). */
  patchPodMetadata(
    namespace: string,
    name: string,
    patch: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<void>;
  /** The final delete: grace 0 with a UID precondition, so a re-created pod is never removed. */
  deletePod(
    namespace: string,
    name: string,
    options: { gracePeriodSeconds: number; uid: string },
    signal: AbortSignal,
  ): Promise<void>;
}

/** Where the pod controller reports what users should see (Events on the pod). */
export interface PodEventSink {
  record(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
}
