/**
 * A pod record in a JSON-safe shape for the state file: maps become entry lists and file bytes
 * base64. Timers are not kept; the runtime re-arms them from the times in the record.
 */
import type { DeferredEnvVar, VolumeContent } from '@vkubelet/core';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.d.ts';
import type { ContainerRecord, PodRecord } from './pod-record.ts';

interface PersistedVolume {
  readonly kind: VolumeContent['kind'];
  readonly files: readonly (readonly [path: string, data: string, mode: number])[];
}

export interface PersistedPod {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly pod: Pod;
  readonly volumes: readonly (readonly [name: string, volume: PersistedVolume])[];
  readonly deferredEnv: readonly DeferredEnvVar[];
  readonly hostIP: string;
  readonly podIP: string;
  readonly startTime: number;
  readonly started: boolean;
  readonly terminal: boolean;
  readonly reason?: string;
  readonly message?: string;
  readonly initContainers: readonly ContainerRecord[];
  readonly containers: readonly ContainerRecord[];
  readonly status: PodStatus;
}

export function persistPod(record: PodRecord): PersistedPod {
  return {
    key: record.key,
    namespace: record.namespace,
    name: record.name,
    uid: record.uid,
    pod: record.pod,
    volumes: [...record.volumes].map(([name, volume]) => [
      name,
      {
        kind: volume.kind,
        files: [...volume.files].map(
          ([path, file]) => [path, Buffer.from(file.data).toString('base64'), file.mode] as const,
        ),
      },
    ]),
    deferredEnv: record.deferredEnv,
    hostIP: record.hostIP,
    podIP: record.podIP,
    startTime: record.startTime,
    started: record.started,
    terminal: record.terminal,
    ...(record.reason !== undefined && { reason: record.reason }),
    ...(record.message !== undefined && { message: record.message }),
    initContainers: record.initContainers,
    containers: record.containers,
    status: record.status,
  };
}

/**
 * A live record from its persisted form; the caller re-arms its timers. `decoded` is shared by
 * the pods of one restore: a file many pods hold (a CA bundle, a namespace) is decoded once and
 * its bytes shared, as the core shares them when it resolves the volumes (volume files are never
 * written in place).
 */
export function restorePod(
  persisted: PersistedPod,
  decoded = new Map<string, Uint8Array>(),
): PodRecord {
  const bytes = (base64: string): Uint8Array => {
    let data = decoded.get(base64);
    if (data === undefined) {
      data = new Uint8Array(Buffer.from(base64, 'base64'));
      decoded.set(base64, data);
    }
    return data;
  };
  const volumes = new Map<string, VolumeContent>(
    persisted.volumes.map(([name, volume]) => [
      name,
      {
        kind: volume.kind,
        files: new Map(
          volume.files.map(([path, data, mode]) => [path, { data: bytes(data), mode }]),
        ),
      },
    ]),
  );
  // The persisted form came from the journal and belongs to the runtime from now on.
  return {
    ...persisted,
    volumes,
    reason: persisted.reason,
    message: persisted.message,
    initContainers: [...persisted.initContainers],
    containers: [...persisted.containers],
    timers: new Set(),
    cancelDeadline: undefined,
  };
}
