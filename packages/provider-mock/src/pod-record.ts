/**
 * What the mock keeps per pod: the pod as the core gave it (spec and metadata), the volume
 * contents, the addresses it assigned, and a run state per container from which the status is
 * built. A pod is identified by namespace/name and its UID: a pod re-created under the same name
 * is a different pod.
 */
import { InvalidInputError, type DeferredEnvVar, type VolumeContent } from '@vkubelet/core';
import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1.d.ts';
import { jsonCopy } from './json-copy.ts';

export interface Terminated {
  readonly kind: 'terminated';
  readonly exitCode: number;
  readonly reason: string;
  readonly message?: string;
  /** Undefined for a container that never started before the pod was stopped. */
  readonly startedAt: number | undefined;
  readonly finishedAt: number;
}

export type RunState =
  | { readonly kind: 'waiting'; readonly reason: string; readonly message?: string }
  | { readonly kind: 'running'; readonly startedAt: number }
  | Terminated;

export interface ContainerRecord {
  readonly name: string;
  image: string;
  /** Also which instance is current: instance n has restartCount n. */
  restartCount: number;
  state: RunState;
  /** The instance before the last restart. */
  previous: (Terminated & { readonly containerID: string }) | undefined;
}

export interface PodRecord {
  /** `namespace/name`. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** The pod as last given by createPod/updatePod, without its status. */
  pod: Pod;
  volumes: ReadonlyMap<string, VolumeContent>;
  deferredEnv: readonly DeferredEnvVar[];
  readonly hostIP: string;
  /** Assigned at create; reported once the pod has started. */
  readonly podIP: string;
  readonly startTime: number;
  /** The sandbox is up: the pod IP is reported and containers have run. */
  started: boolean;
  /** Stopped for good (deleted, terminated, past its deadline): nothing restarts any more. */
  terminal: boolean;
  reason: string | undefined;
  message: string | undefined;
  readonly initContainers: ContainerRecord[];
  readonly containers: ContainerRecord[];
  /** The status last built; rebuilt on every change. */
  status: PodStatus;
  /** Cancels for this pod's pending timers (start, container exits, deadline). */
  readonly timers: Set<() => void>;
  /** Cancels the activeDeadlineSeconds timer, which an update may move. */
  cancelDeadline: (() => void) | undefined;
}

export interface PodIdentity {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export const podKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/** Namespace, name and UID of a pod the core handed over; InvalidInputError when missing. */
export function identify(pod: Pod): PodIdentity {
  const { namespace, name, uid } = pod.metadata ?? {};
  if (!namespace || !name || !uid) {
    throw new InvalidInputError(
      `mock provider: a pod needs metadata.namespace, name and uid (got ${JSON.stringify({ namespace, name, uid })})`,
    );
  }
  return { key: podKey(namespace, name), namespace, name, uid };
}

/** Checks the spec parts the mock relies on; InvalidInputError otherwise. */
export function validateSpec(pod: Pod, key: string): void {
  const containers = pod.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw new InvalidInputError(`mock provider: pod ${key} has no containers`);
  }
  const seen = new Set<string>();
  for (const container of [...(pod.spec?.initContainers ?? []), ...containers]) {
    if (typeof container.name !== 'string' || container.name === '') {
      throw new InvalidInputError(`mock provider: pod ${key} has a container without a name`);
    }
    if (seen.has(container.name)) {
      throw new InvalidInputError(
        `mock provider: pod ${key} has two containers named ${container.name}`,
      );
    }
    seen.add(container.name);
  }
}

/**
 * The pod without its status: the record keeps spec and metadata only. The core hands pods over
 * deeply frozen, and those are kept as they are (a copy would double the memory of every pod);
 * anything else is copied, so a caller changing its object later changes nothing here.
 */
export function specOf(pod: Pod): Pod {
  // jsonCopy leaves out undefined members.
  const rest: Pod = { ...pod, status: undefined };
  return Object.isFrozen(pod) ? rest : jsonCopy(rest);
}

/** Whether the record's containers are the pod's: the same names and images, in the same order. */
export function runsContainersOf(record: PodRecord, pod: Pod): boolean {
  const line = (c: { readonly name: string; readonly image?: string }): string =>
    `${c.name} ${c.image ?? ''}`;
  const same = (records: readonly ContainerRecord[], specs: readonly Container[] = []): boolean =>
    records.map(line).join('\n') === specs.map(line).join('\n');
  return (
    same(record.containers, pod.spec?.containers) &&
    same(record.initContainers, pod.spec?.initContainers)
  );
}

export const restartPolicy = (record: PodRecord): string =>
  record.pod.spec?.restartPolicy ?? 'Always';

/** The spec of a regular or init container by name. */
export function containerSpec(record: PodRecord, name: string): Container | undefined {
  const spec = record.pod.spec;
  return (
    spec?.containers.find(c => c.name === name) ?? spec?.initContainers?.find(c => c.name === name)
  );
}

/** The record of a regular or init container by name. */
export function findContainer(record: PodRecord, name: string): ContainerRecord | undefined {
  return (
    record.containers.find(c => c.name === name) ?? record.initContainers.find(c => c.name === name)
  );
}

export function newContainerRecord(container: Container, waitingReason: string): ContainerRecord {
  return {
    name: container.name,
    image: container.image ?? '',
    restartCount: 0,
    state: { kind: 'waiting', reason: waitingReason },
    previous: undefined,
  };
}
