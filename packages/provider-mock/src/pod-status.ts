/**
 * The pod status the kubelet would report for a record: phase by the kubelet's rules, the four
 * standard conditions (each keeps its lastTransitionTime until its status changes), addresses,
 * and a status per container with deterministic IDs.
 */
import type {
  ContainerState,
  ContainerStatus,
  PodCondition,
  PodStatus,
} from 'kubernetes-types/core/v1.d.ts';
import { containerID, imageID } from './ids.ts';
import {
  restartPolicy,
  type ContainerRecord,
  type PodRecord,
  type RunState,
} from './pod-record.ts';
import { rfc3339 } from './time.ts';

const succeeded = (state: RunState): boolean => state.kind === 'terminated' && state.exitCode === 0;

/** Pending, Running, Succeeded or Failed, as the kubelet's getPhase decides it. */
export function podPhase(record: PodRecord): string {
  if (record.terminal) {
    return record.containers.every(c => c.state.kind === 'terminated' && c.state.exitCode === 0)
      ? 'Succeeded'
      : 'Failed';
  }
  const policy = restartPolicy(record);
  for (const init of record.initContainers) {
    if (succeeded(init.state)) continue;
    return init.state.kind === 'terminated' && policy === 'Never' ? 'Failed' : 'Pending';
  }
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let stoppedOk = 0;
  for (const { state, previous } of record.containers) {
    if (state.kind === 'running') running++;
    else if (state.kind === 'terminated') {
      stopped++;
      if (state.exitCode === 0) stoppedOk++;
    } else if (previous)
      stopped++; // waiting to restart: it has run
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0 || policy === 'Always') return 'Running';
  if (stopped === stoppedOk) return 'Succeeded';
  return policy === 'Never' ? 'Failed' : 'Running';
}

function condition(
  type: string,
  ok: boolean,
  now: number,
  previous: PodStatus | undefined,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? 'True' : 'False';
  const before = previous?.conditions?.find(c => c.type === type);
  const result: PodCondition = {
    type,
    status,
    lastTransitionTime:
      before?.status === status && before.lastTransitionTime
        ? before.lastTransitionTime
        : rfc3339(now),
  };
  if (reason !== undefined) result.reason = reason;
  if (message !== undefined) result.message = message;
  return result;
}

function toContainerState(state: RunState, id: string | undefined): ContainerState {
  switch (state.kind) {
    case 'waiting':
      return {
        waiting: { reason: state.reason, ...(state.message && { message: state.message }) },
      };
    case 'running':
      return { running: { startedAt: rfc3339(state.startedAt) } };
    case 'terminated':
      return {
        terminated: {
          exitCode: state.exitCode,
          reason: state.reason,
          ...(state.message && { message: state.message }),
          ...(state.startedAt !== undefined && { startedAt: rfc3339(state.startedAt) }),
          finishedAt: rfc3339(state.finishedAt),
          ...(id !== undefined && { containerID: id }),
        },
      };
  }
}

function containerStatus(record: PodRecord, c: ContainerRecord, init: boolean): ContainerStatus {
  // An instance exists once the container started; a container waiting to restart shows its last one.
  const current =
    c.state.kind === 'waiting' || c.state.startedAt === undefined
      ? undefined
      : containerID(record.uid, c.name, c.restartCount);
  const id = current ?? c.previous?.containerID;
  const status: ContainerStatus = {
    name: c.name,
    image: c.image,
    imageID: id === undefined ? '' : imageID(c.image),
    ready: init ? succeeded(c.state) : c.state.kind === 'running',
    restartCount: c.restartCount,
    started: !init && c.state.kind === 'running',
    state: toContainerState(c.state, current),
    lastState: c.previous ? toContainerState(c.previous, c.previous.containerID) : {},
  };
  if (id !== undefined) status.containerID = id;
  return status;
}

/** The QoS class the API server derives from requests and limits. */
export function qosClass(record: PodRecord): string {
  const all = [...(record.pod.spec?.initContainers ?? []), ...(record.pod.spec?.containers ?? [])];
  const resources = ['cpu', 'memory'];
  const any = all.some(c =>
    resources.some(
      r => c.resources?.requests?.[r] !== undefined || c.resources?.limits?.[r] !== undefined,
    ),
  );
  if (!any) return 'BestEffort';
  const guaranteed = all.every(c =>
    resources.every(r => {
      const limit = c.resources?.limits?.[r];
      const request = c.resources?.requests?.[r] ?? limit;
      return limit !== undefined && request === limit;
    }),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const listNames = (containers: readonly ContainerRecord[]): string =>
  `[${containers.map(c => c.name).join(' ')}]`;

/** The status for `record` at `now`; `previous` supplies condition transition times. */
export function buildPodStatus(
  record: PodRecord,
  now: number,
  previous: PodStatus | undefined,
): PodStatus {
  const phase = podPhase(record);
  const completed = phase === 'Succeeded' || phase === 'Failed';
  const uninitialized = record.initContainers.filter(c => !succeeded(c.state));
  const unready = record.containers.filter(c => c.state.kind !== 'running');
  const readyReason = completed ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = completed
    ? undefined
    : `containers with unready status: ${listNames(unready)}`;
  const status: PodStatus = {
    phase,
    conditions: [
      condition('PodScheduled', true, now, previous),
      uninitialized.length === 0
        ? condition(
            'Initialized',
            true,
            now,
            previous,
            phase === 'Succeeded' ? 'PodCompleted' : undefined,
          )
        : condition(
            'Initialized',
            false,
            now,
            previous,
            'ContainersNotInitialized',
            `containers with incomplete status: ${listNames(uninitialized)}`,
          ),
      unready.length === 0
        ? condition('ContainersReady', true, now, previous)
        : condition('ContainersReady', false, now, previous, readyReason, readyMessage),
      unready.length === 0
        ? condition('Ready', true, now, previous)
        : condition('Ready', false, now, previous, readyReason, readyMessage),
    ],
    hostIP: record.hostIP,
    hostIPs: [{ ip: record.hostIP }],
    startTime: rfc3339(record.startTime),
    qosClass: qosClass(record),
    containerStatuses: record.containers.map(c => containerStatus(record, c, false)),
  };
  if (record.started) {
    status.podIP = record.podIP;
    status.podIPs = [{ ip: record.podIP }];
  }
  if (record.initContainers.length > 0) {
    status.initContainerStatuses = record.initContainers.map(c => containerStatus(record, c, true));
  }
  if (record.reason !== undefined) status.reason = record.reason;
  if (record.message !== undefined) status.message = record.message;
  return status;
}
