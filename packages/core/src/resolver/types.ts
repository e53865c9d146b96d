/** The resolver's public types: what it reads from, where it reports, what it returns. */
import type { ConfigMap, Pod, Secret, Service } from 'kubernetes-types/core/v1.d.ts';
import type { DeferredEnvVar, VolumeContent } from '../provider/contract.ts';

/** How the resolver reads cluster objects; the core implements it with an on-demand cache. */
export interface ObjectSource {
  /** The secret, or undefined when it does not exist; other failures throw. */
  getSecret(namespace: string, name: string, signal: AbortSignal): Promise<Secret | undefined>;
  /** The configMap, or undefined when it does not exist; other failures throw. */
  getConfigMap(
    namespace: string,
    name: string,
    signal: AbortSignal,
  ): Promise<ConfigMap | undefined>;
  listServices(namespace: string, signal: AbortSignal): Promise<Service[]>;
  /** A TokenRequest for the service account, bound to the pod. */
  requestServiceAccountToken(
    req: {
      namespace: string;
      serviceAccountName: string;
      audiences: string[];
      expirationSeconds: number;
      pod: { name: string; uid: string };
    },
    signal: AbortSignal,
  ): Promise<{ token: string; expirationTimestamp: string }>;
}

/** Where the resolver reports what a user should see on the pod (the core turns these into Events). */
export interface ResolverEvents {
  warning(reason: string, message: string): void;
  normal?(reason: string, message: string): void;
}

export interface ResolveOptions {
  source: ObjectSource;
  events: ResolverEvents;
  signal: AbortSignal;
  /** This node's name: `spec.nodeName` for a pod that does not carry it yet. */
  nodeName: string;
  /** The address `status.hostIP(s)` resolves to when the pod's status has none. */
  hostIP?: string;
  /** Defaults for `limits.*` resourceFieldRefs of containers without that limit. */
  nodeAllocatable?: { cpu?: string; memory?: string; 'ephemeral-storage'?: string };
  /**
   * Accepted for symmetry with the kubelet's configuration; neither env nor volume contents
   * depend on it (DNS settings are the provider's business).
   */
  clusterDomain?: string;
  /** Hand the pod over as written (no env resolution); volume contents are still resolved. */
  skipDownwardAPIResolution?: boolean;
}

/**
 * A downwardAPI volume file whose value only the backend knows (the pod IP before placement).
 * The file is left out of the volume's contents; its reference stays in the pod's volume spec.
 */
export interface DeferredVolumeFile {
  readonly volume: string;
  readonly path: string;
  readonly fieldPath: string;
}

export interface ResolvedPod {
  /** A copy of the pod with every container's env flattened and expanded. */
  pod: Pod;
  /** Contents of the secret, configMap, downwardAPI and projected volumes, by volume name. */
  volumes: Map<string, VolumeContent>;
  /** Env vars left for the backend to fill (kept in `pod` with their `valueFrom`). */
  deferredEnv: DeferredEnvVar[];
  /** downwardAPI files left out because only the backend knows their value. */
  deferredFiles: DeferredVolumeFile[];
  /** earliest token expiry, to schedule a refresh */
  refreshAt?: Date;
}
