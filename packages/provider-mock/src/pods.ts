/**
 * The mock's pods and their lifecycle:
 *
 *   createPod ─► Pending (ContainerCreating) ─(startLatencyMs)─► init containers, one by one
 *     ─► Running ─► containers that exit: Succeeded / Failed, or CrashLoopBackOff per restartPolicy
 *   deletePod ─(deleteLatencyMs)─► every container terminated, terminal status notified, forgotten
 *
 * Every change rebuilds the pod's status and posts it to the mailbox (when status is pushed).
 * Timers belong to their pod and die with it, so nothing fires for a pod that is gone or replaced.
 */
import {
  deepFreeze,
  InvalidInputError,
  NotFoundError,
  type PodContext,
  type VolumeContent,
} from '@vkubelet/core';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { sleep } from './abort.ts';
import { behaviourOf } from './behaviour.ts';
import { containerEnv, type EnvSource } from './env.ts';
import { containerID } from './ids.ts';
import { formatIPv4 } from './ip.ts';
import { jsonCopy } from './json-copy.ts';
import type { Mailbox } from './mailbox.ts';
import type { CompiledOptions } from './options.ts';
import {
  containerSpec,
  identify,
  newContainerRecord,
  podKey,
  restartPolicy,
  runsContainersOf,
  specOf,
  validateSpec,
  type ContainerRecord,
  type PodIdentity,
  type PodRecord,
  type Terminated,
} from './pod-record.ts';
import { buildPodStatus } from './pod-status.ts';
import { persistPod, restorePod } from './persisted-pod.ts';
import type { MockStateStore } from './state-file.ts';
import { rfc3339 } from './time.ts';

/** How a whole pod stops (deletion, termination by the backend, deadline). */
interface Stop {
  readonly exitCode: number;
  readonly containerReason: string;
  readonly podReason?: string;
  readonly podMessage?: string;
}

export interface TerminationOptions {
  /** Exit code of every container still running. @default 0 */
  readonly exitCode?: number;
  /** Terminated reason of those containers and the pod's status reason. @default Completed / Error by exit code */
  readonly reason?: string;
  /** The pod's status message. */
  readonly message?: string;
  /** Also set metadata.deletionTimestamp, as a backend-side delete would. */
  readonly markDeleted?: boolean;
}

export interface RestartOptions {
  /** Exit code of the instance that stopped. @default 1 */
  readonly exitCode?: number;
  /** Its terminated reason. @default 'Error' */
  readonly reason?: string;
}

function checkExitCode(exitCode: number | undefined): number | undefined {
  if (exitCode !== undefined && (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255)) {
    throw new InvalidInputError(
      `mock provider: exitCode must be a whole number 0-255, got ${exitCode}`,
    );
  }
  return exitCode;
}

export class PodRuntime {
  readonly #options: CompiledOptions;
  readonly #mailbox: Mailbox<Pod> | undefined;
  readonly #pods = new Map<string, PodRecord>();
  readonly #store: MockStateStore | undefined;
  #assignedIPs = 0;

  constructor(options: CompiledOptions, mailbox: Mailbox<Pod> | undefined, store?: MockStateStore) {
    this.#options = options;
    this.#mailbox = mailbox;
    this.#store = store;
    this.#assignedIPs = store?.assignedIPs ?? 0;
  }

  /**
   * Takes back the pods of the state store after a restart and re-arms their timers from the
   * times recorded: a start, an exit or a deadline due while the process was down happens now.
   */
  restore(): void {
    const decoded = new Map<string, Uint8Array>();
    for (const persisted of this.#store?.takePods() ?? []) {
      const record = restorePod(persisted, decoded);
      this.#pods.set(record.key, record);
      if (record.terminal) continue;
      this.#scheduleDeadline(record);
      this.#resume(record);
    }
  }

  /**
   * After a restart the records hold the pods parsed from the state file; the core's objects for
   * the same pods replace them, so each pod's spec and metadata are held once, not twice. Only a
   * record with the same UID and the same containers (names and images, in order) takes one.
   */
  adopt(pods: readonly Pod[]): void {
    for (const pod of pods) {
      const { namespace, name, uid } = pod.metadata ?? {};
      if (!namespace || !name) continue;
      const record = this.get(namespace, name);
      if (!record || record.uid !== uid || !runsContainersOf(record, pod)) continue;
      record.pod = specOf(pod);
    }
  }

  /** Re-arms the start, init or sleep timer of a restored pod the deadline did not stop. */
  #resume(record: PodRecord): void {
    if (record.terminal) return;
    if (!record.started) {
      const due = record.startTime + this.#options.startLatencyMs - this.#options.clock.now();
      this.#after(record, Math.max(0, due), () => {
        this.#start(record);
      });
      return;
    }
    const init = record.initContainers.findIndex(c => c.state.kind === 'running');
    const initRecord = record.initContainers[init];
    if (initRecord?.state.kind === 'running') {
      this.#armSleep(record, initRecord, initRecord.state.startedAt, () => {
        this.#finishInit(record, init, 0);
      });
      return;
    }
    for (const container of record.containers) {
      if (container.state.kind !== 'running') continue;
      this.#armSleep(record, container, container.state.startedAt, () => {
        if (record.terminal) return;
        this.#exit(record, container, 0);
        this.#changed(record);
      });
    }
  }

  get(namespace: string, name: string): PodRecord | undefined {
    return this.#pods.get(podKey(namespace, name));
  }

  /** The record for `namespace/name`, or NotFoundError. */
  require(namespace: string, name: string): PodRecord {
    const record = this.get(namespace, name);
    if (!record) throw new NotFoundError(`mock provider: pod ${podKey(namespace, name)} not found`);
    return record;
  }

  list(): PodRecord[] {
    return [...this.#pods.values()];
  }

  /** The pod with its current status, as a copy the caller owns. */
  snapshot(record: PodRecord): Pod {
    return jsonCopy({ ...record.pod, status: record.status });
  }

  /**
   * The pod for getPods: a copy, but with the record's own status, frozen (a status is rebuilt
   * as a new object on every change and never edited). After a restart the core keeps each listed
   * status as the pod's last report; a copy there would be a third status per pod (8 MB at
   * 10,000 pods).
   */
  listed(record: PodRecord): Pod {
    return { ...jsonCopy(record.pod), status: deepFreeze(record.status) };
  }

  /** The container's environment as its process sees it. */
  envOf(record: PodRecord, container: string): Map<string, string> {
    const spec = containerSpec(record, container);
    if (!spec) return new Map();
    const deferred = record.deferredEnv.filter(v => v.container === container).map(v => v.name);
    return containerEnv(spec, this.envSource(record), new Set(deferred));
  }

  /** What a container's downward API references resolve against. */
  envSource(record: PodRecord): EnvSource {
    return {
      pod: record.pod,
      podIP: record.podIP,
      hostIP: record.hostIP,
      allocatable: this.#options.capacity,
    };
  }

  create(pod: Pod, context: PodContext): void {
    const id = identify(pod);
    validateSpec(pod, id.key);
    const existing = this.#pods.get(id.key);
    if (existing?.uid === id.uid) return; // idempotent
    // Same name, new UID: the old pod is gone from the API; this one replaces it.
    if (existing) this.#forget(existing);
    const spec = specOf(pod);
    const hostNetwork = spec.spec?.hostNetwork === true;
    const podIP = hostNetwork
      ? this.#options.hostIP
      : formatIPv4(this.#options.podIPBase, ++this.#assignedIPs);
    const initContainers = spec.spec?.initContainers ?? [];
    const containerWait = initContainers.length > 0 ? 'PodInitializing' : 'ContainerCreating';
    const record: PodRecord = {
      ...id,
      pod: spec,
      volumes: new Map(context.volumes),
      deferredEnv: [...context.deferredEnv],
      hostIP: this.#options.hostIP,
      podIP,
      startTime: this.#options.clock.now(),
      started: false,
      terminal: false,
      reason: undefined,
      message: undefined,
      initContainers: initContainers.map(c => newContainerRecord(c, 'PodInitializing')),
      containers: (spec.spec?.containers ?? []).map(c => newContainerRecord(c, containerWait)),
      status: {},
      timers: new Set(),
      cancelDeadline: undefined,
    };
    this.#pods.set(id.key, record);
    this.#changed(record);
    this.#scheduleDeadline(record);
    const latency = this.#options.startLatencyMs;
    if (latency === 0) this.#start(record);
    else
      this.#after(record, latency, () => {
        this.#start(record);
      });
  }

  update(pod: Pod, context: PodContext): void {
    const id = identify(pod);
    validateSpec(pod, id.key);
    const record = this.#lookup(id);
    record.pod = specOf(pod);
    record.volumes = new Map(context.volumes);
    record.deferredEnv = [...context.deferredEnv];
    for (const container of [...record.initContainers, ...record.containers]) {
      const image = containerSpec(record, container.name)?.image;
      if (image === undefined || image === container.image) continue;
      container.image = image;
      // A new image means a new instance, as the kubelet restarts a container whose image changed.
      const isRegular = record.containers.includes(container);
      const live = container.state.kind === 'running' || container.previous !== undefined;
      if (isRegular && !record.terminal && container.state.kind !== 'terminated' && live) {
        this.#restart(record, container, 0, 'Completed');
      }
    }
    this.#scheduleDeadline(record);
    this.#changed(record);
  }

  updateVolumes(pod: Pod, volumes: ReadonlyMap<string, VolumeContent>): void {
    const record = this.#lookup(identify(pod));
    record.volumes = new Map(volumes);
    this.#store?.put(persistPod(record), this.#assignedIPs);
  }

  async delete(pod: Pod, signal: AbortSignal): Promise<void> {
    const id = identify(pod);
    const record = this.#lookup(id);
    await sleep(this.#options.clock, this.#options.deleteLatencyMs, signal);
    if (this.#pods.get(id.key) !== record) return; // removed meanwhile: done all the same
    this.#terminate(record, {
      exitCode: 0,
      containerReason: 'Completed',
      podReason: 'MockProviderPodDeleted',
      podMessage: 'the pod was deleted from the mock provider',
    });
    this.#changed(record);
    this.#forget(record);
  }

  /** The backend stops the pod on its own; it stays known (terminal) until deletePod. */
  simulateTermination(namespace: string, name: string, options: TerminationOptions = {}): void {
    const record = this.require(namespace, name);
    const exitCode = checkExitCode(options.exitCode) ?? 0;
    this.#terminate(record, {
      exitCode,
      containerReason: options.reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
      ...(options.reason !== undefined && { podReason: options.reason }),
      ...(options.message !== undefined && { podMessage: options.message }),
    });
    if (options.markDeleted === true) {
      // A new object: the pod may be the core's, frozen.
      record.pod = {
        ...record.pod,
        metadata: {
          ...record.pod.metadata,
          deletionTimestamp: rfc3339(this.#options.clock.now()),
          deletionGracePeriodSeconds: 0,
        },
      };
    }
    this.#changed(record);
  }

  /** The container's process stops and is started again at once (restartCount + 1). */
  simulateRestart(
    namespace: string,
    name: string,
    containerName: string,
    options: RestartOptions = {},
  ): void {
    const record = this.require(namespace, name);
    const container = record.containers.find(c => c.name === containerName);
    if (!container) {
      throw new NotFoundError(
        `mock provider: container ${containerName} not found in pod ${record.key}`,
      );
    }
    if (record.terminal || container.state.kind !== 'running') {
      throw new InvalidInputError(
        `mock provider: container ${containerName} in pod ${record.key} is not running`,
      );
    }
    this.#restart(
      record,
      container,
      checkExitCode(options.exitCode) ?? 1,
      options.reason ?? 'Error',
    );
    this.#changed(record);
  }

  #lookup(id: PodIdentity): PodRecord {
    const record = this.#pods.get(id.key);
    if (record?.uid !== id.uid) {
      throw new NotFoundError(`mock provider: pod ${id.key} with uid ${id.uid} not found`);
    }
    return record;
  }

  #changed(record: PodRecord): void {
    record.status = buildPodStatus(record, this.#options.clock.now(), record.status);
    this.#store?.put(persistPod(record), this.#assignedIPs);
    // Not a deep copy: the status is rebuilt as a new object on every change and the record's pod
    // is replaced, never edited in place, so what was posted cannot change under the receiver.
    this.#mailbox?.post(record.uid, { ...record.pod, status: record.status });
  }

  /** Runs `fn` after `ms` unless the pod is forgotten or replaced first. */
  #after(record: PodRecord, ms: number, fn: () => void): () => void {
    const cancel = this.#options.clock.setTimer(ms, () => {
      record.timers.delete(cancel);
      if (this.#pods.get(record.key) === record) fn();
    });
    record.timers.add(cancel);
    return () => {
      record.timers.delete(cancel);
      cancel();
    };
  }

  #forget(record: PodRecord): void {
    for (const cancel of record.timers) cancel();
    record.timers.clear();
    record.cancelDeadline = undefined;
    if (this.#pods.get(record.key) === record) {
      this.#pods.delete(record.key);
      this.#store?.drop(record.key, record.uid);
    }
  }

  #scheduleDeadline(record: PodRecord): void {
    record.cancelDeadline?.();
    record.cancelDeadline = undefined;
    const seconds = record.pod.spec?.activeDeadlineSeconds;
    if (seconds === undefined || record.terminal) return;
    const expire = (): void => {
      this.#terminate(record, {
        exitCode: 137,
        containerReason: 'Error',
        podReason: 'DeadlineExceeded',
        podMessage: 'Pod was active on the node longer than the specified deadline',
      });
      this.#changed(record);
    };
    const remaining = record.startTime + seconds * 1000 - this.#options.clock.now();
    if (remaining <= 0) expire();
    else record.cancelDeadline = this.#after(record, remaining, expire);
  }

  #start(record: PodRecord): void {
    if (record.terminal || record.started) return;
    record.started = true;
    this.#runInit(record, 0);
  }

  /** Init containers run one at a time; one that would run forever is taken as done at once. */
  #runInit(record: PodRecord, index: number): void {
    const init = record.initContainers[index];
    if (!init) {
      this.#startContainers(record);
      return;
    }
    const now = this.#options.clock.now();
    init.state = { kind: 'running', startedAt: now };
    const behaviour = this.#behaviour(record, init);
    if (behaviour.kind === 'sleep') {
      this.#changed(record);
      this.#armSleep(record, init, now, () => {
        this.#finishInit(record, index, 0);
      });
      return;
    }
    this.#finishInit(record, index, behaviour.kind === 'exit' ? behaviour.code : 0);
  }

  #finishInit(record: PodRecord, index: number, exitCode: number): void {
    const init = record.initContainers[index];
    if (!init || init.state.kind !== 'running' || record.terminal) return;
    const ended = this.#ended(init, exitCode, exitCode === 0 ? 'Completed' : 'Error');
    if (exitCode === 0) {
      init.state = ended;
      this.#runInit(record, index + 1);
      return;
    }
    // A failed init container stops the pod (Never) or backs off forever (the mock never retries).
    if (restartPolicy(record) === 'Never') init.state = ended;
    else this.#backOff(record, init, ended);
    this.#changed(record);
  }

  #startContainers(record: PodRecord): void {
    const now = this.#options.clock.now();
    for (const container of record.containers)
      container.state = { kind: 'running', startedAt: now };
    for (const container of record.containers) this.#applyBehaviour(record, container);
    this.#changed(record);
  }

  #behaviour(record: PodRecord, container: ContainerRecord): ReturnType<typeof behaviourOf> {
    const spec = containerSpec(record, container.name);
    return spec ? behaviourOf(spec, this.envOf(record, container.name)) : { kind: 'run' };
  }

  /** Makes a freshly started container exit now or later, per its command. */
  #applyBehaviour(record: PodRecord, container: ContainerRecord): void {
    const behaviour = this.#behaviour(record, container);
    if (behaviour.kind === 'exit') this.#exit(record, container, behaviour.code);
    else if (behaviour.kind === 'sleep') {
      this.#armSleep(record, container, this.#options.clock.now(), () => {
        if (record.terminal) return;
        this.#exit(record, container, 0);
        this.#changed(record);
      });
    }
  }

  /** A container running `sleep N` since `startedAt` ends N later, if still the same instance. */
  #armSleep(
    record: PodRecord,
    container: ContainerRecord,
    startedAt: number,
    done: () => void,
  ): void {
    const behaviour = this.#behaviour(record, container);
    if (behaviour.kind !== 'sleep') return;
    const instance = container.restartCount;
    const due = startedAt + behaviour.ms - this.#options.clock.now();
    this.#after(record, Math.max(0, due), () => {
      if (container.restartCount === instance) done();
    });
  }

  #ended(container: ContainerRecord, exitCode: number, reason: string): Terminated {
    return {
      kind: 'terminated',
      exitCode,
      reason,
      startedAt: container.state.kind === 'running' ? container.state.startedAt : undefined,
      finishedAt: this.#options.clock.now(),
    };
  }

  /** The container's process ended; it restarts (into back-off) or stays terminated per restartPolicy. */
  #exit(record: PodRecord, container: ContainerRecord, exitCode: number): void {
    if (container.state.kind !== 'running') return;
    const ended = this.#ended(container, exitCode, exitCode === 0 ? 'Completed' : 'Error');
    const policy = restartPolicy(record);
    if (policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0)) {
      this.#backOff(record, container, ended);
    } else {
      container.state = ended;
    }
  }

  /** The kubelet would restart after a back-off; the mock stays in CrashLoopBackOff. */
  #backOff(record: PodRecord, container: ContainerRecord, ended: Terminated): void {
    container.previous = {
      ...ended,
      containerID: containerID(record.uid, container.name, container.restartCount),
    };
    container.restartCount++;
    container.state = {
      kind: 'waiting',
      reason: 'CrashLoopBackOff',
      message: `back-off 10s restarting failed container=${container.name} pod=${record.name}_${record.namespace}(${record.uid})`,
    };
  }

  /** A new instance of a running (or backing-off) container starts at once. */
  #restart(record: PodRecord, container: ContainerRecord, exitCode: number, reason: string): void {
    if (container.state.kind === 'running') {
      container.previous = {
        ...this.#ended(container, exitCode, reason),
        containerID: containerID(record.uid, container.name, container.restartCount),
      };
      container.restartCount++;
    }
    container.state = { kind: 'running', startedAt: this.#options.clock.now() };
    this.#applyBehaviour(record, container);
  }

  /** Stops every container still alive; a pod already stopped keeps its final state. */
  #terminate(record: PodRecord, stop: Stop): void {
    if (record.terminal) return;
    record.terminal = true;
    for (const cancel of record.timers) cancel();
    record.timers.clear();
    record.cancelDeadline = undefined;
    for (const container of record.containers) {
      if (container.state.kind === 'terminated') continue;
      container.state = this.#ended(container, stop.exitCode, stop.containerReason);
    }
    record.reason = stop.podReason;
    record.message = stop.podMessage;
  }
}
