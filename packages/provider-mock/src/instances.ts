/**
 * Container instances as the kubelet API sees them: which one a log, exec or attach session is
 * about, and when (and how) that instance ended. Instance n of a container is the one started
 * after n restarts.
 */
import { InvalidInputError, NotFoundError } from '@vkubelet/core';
import type { LogSource } from './logs.ts';
import { findContainer, type ContainerRecord, type PodRecord } from './pod-record.ts';
import type { PodRuntime } from './pods.ts';

export interface InstanceEnd {
  readonly at: number;
  readonly exitCode: number;
}

/** The pod and container for exec and attach, which need the container running. */
export function runningContainer(
  runtime: PodRuntime,
  namespace: string,
  pod: string,
  name: string,
): { record: PodRecord; container: ContainerRecord } {
  const record = runtime.require(namespace, pod);
  const container = record.containers.find(c => c.name === name);
  if (!container) {
    throw new NotFoundError(`mock provider: container ${name} not found in pod ${record.key}`);
  }
  if (record.terminal || container.state.kind !== 'running') {
    throw new InvalidInputError(
      `mock provider: container ${name} in pod ${record.key} is not running`,
    );
  }
  return { record, container };
}

/**
 * When instance `instance` of the container ended and with which exit code, or undefined while
 * it runs. A pod replaced under the same name ends it now.
 */
export function instanceEnd(
  runtime: PodRuntime,
  now: number,
  record: PodRecord,
  container: ContainerRecord,
  instance: number,
): InstanceEnd | undefined {
  if (container.restartCount !== instance) {
    const last = container.previous;
    return container.restartCount === instance + 1 && last
      ? { at: last.finishedAt, exitCode: last.exitCode }
      : { at: now, exitCode: 0 };
  }
  const { state } = container;
  if (state.kind === 'terminated') return { at: state.finishedAt, exitCode: state.exitCode };
  return runtime.get(record.namespace, record.name) === record
    ? undefined
    : { at: now, exitCode: 0 };
}

/** The instance whose log is asked for: the current one, or with `previous` the one before. */
export function logSource(
  runtime: PodRuntime,
  now: () => number,
  record: PodRecord,
  name: string,
  previous: boolean,
): LogSource {
  const container = findContainer(record, name);
  if (!container) {
    throw new NotFoundError(`mock provider: container ${name} not found in pod ${record.key}`);
  }
  const last = container.previous;
  if (previous) {
    if (last?.startedAt === undefined) {
      throw new NotFoundError(
        `previous terminated container "${name}" in pod "${record.name}" not found`,
      );
    }
    return { container: name, startedAt: last.startedAt, endedAt: () => last.finishedAt };
  }
  const { state } = container;
  if (state.kind === 'running') {
    const instance = container.restartCount;
    return {
      container: name,
      startedAt: state.startedAt,
      endedAt: () => instanceEnd(runtime, now(), record, container, instance)?.at,
    };
  }
  if (state.kind === 'terminated' && state.startedAt !== undefined) {
    return { container: name, startedAt: state.startedAt, endedAt: () => state.finishedAt };
  }
  // Waiting to restart: the kubelet serves the instance that just stopped.
  if (state.kind === 'waiting' && last?.startedAt !== undefined) {
    return { container: name, startedAt: last.startedAt, endedAt: () => last.finishedAt };
  }
  const why = state.kind === 'waiting' ? `is waiting to start: ${state.reason}` : 'never started';
  throw new InvalidInputError(`container "${name}" in pod "${record.name}" ${why}`);
}
