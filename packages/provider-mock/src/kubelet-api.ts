/**
 * The kubelet API capabilities of the mock: logs, exec, attach, port-forward, stats summary and
 * resource metrics, all answered from the pods' records.
 */
import type { Duplex, Readable } from 'node:stream';
import {
  InvalidInputError,
  type AttachIO,
  type ContainerLogOptions,
  type ExecResult,
  type StatsSummaryDocument,
} from '@vkubelet/core';
import { attachSession } from './attach.ts';
import { runBuiltin } from './exec.ts';
import { instanceEnd, logSource, runningContainer } from './instances.ts';
import { LogModel, validateLogOptions } from './logs.ts';
import { metricsText } from './metrics.ts';
import type { CompiledOptions } from './options.ts';
import { containerSpec } from './pod-record.ts';
import type { PodRuntime } from './pods.ts';
import { echoConnection } from './port-forward.ts';
import { parseQuantity } from './quantity.ts';
import { statsSummary } from './stats.ts';
import { collectUsage, type NodeUsage } from './usage.ts';
import { lookupFile } from './volumes.ts';

// What attach shows: the container's output from now on.
const ATTACH_OUTPUT: ContainerLogOptions = {
  tailLines: 0,
  follow: true,
  timestamps: false,
  previous: false,
};

export class KubeletApi {
  readonly #options: CompiledOptions;
  readonly #runtime: PodRuntime;
  readonly #logs: LogModel;
  readonly #nodeName: () => string;
  readonly #startTime: number;

  constructor(options: CompiledOptions, runtime: PodRuntime, nodeName: () => string) {
    this.#options = options;
    this.#runtime = runtime;
    this.#logs = new LogModel(options.clock, options.logIntervalMs);
    this.#nodeName = nodeName;
    this.#startTime = options.clock.now();
  }

  readonly #now = (): number => this.#options.clock.now();

  logs(
    namespace: string,
    pod: string,
    container: string,
    options: ContainerLogOptions,
    signal: AbortSignal,
  ): Readable {
    validateLogOptions(options);
    const record = this.#runtime.require(namespace, pod);
    const source = logSource(this.#runtime, this.#now, record, container, options.previous);
    return this.#logs.stream(source, options, signal);
  }

  exec(
    namespace: string,
    pod: string,
    name: string,
    command: readonly string[],
    io: AttachIO,
    signal: AbortSignal,
  ): Promise<ExecResult> {
    if (command.length === 0) throw new InvalidInputError('mock provider: exec needs a command');
    const { record } = runningContainer(this.#runtime, namespace, pod, name);
    const spec = containerSpec(record, name);
    return runBuiltin(
      command,
      io,
      {
        env: this.#runtime.envOf(record, name),
        lookupFile: path =>
          spec
            ? lookupFile(spec, record.volumes, path, this.#runtime.envSource(record))
            : { kind: 'missing' },
        clock: this.#options.clock,
      },
      signal,
    );
  }

  attach(
    namespace: string,
    pod: string,
    name: string,
    io: AttachIO,
    signal: AbortSignal,
  ): Promise<ExecResult> {
    const { record, container } = runningContainer(this.#runtime, namespace, pod, name);
    const instance = container.restartCount;
    const source = logSource(this.#runtime, this.#now, record, name, false);
    return attachSession(
      stop => this.#logs.stream(source, ATTACH_OUTPUT, stop),
      () => instanceEnd(this.#runtime, this.#now(), record, container, instance)?.exitCode ?? 0,
      io,
      signal,
    );
  }

  /** Echoes on a TCP port a running container declares; anything else is refused. */
  async portForward(
    namespace: string,
    pod: string,
    port: number,
    stream: Duplex,
    signal: AbortSignal,
  ): Promise<void> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidInputError(`mock provider: invalid port ${port}`);
    }
    const record = this.#runtime.require(namespace, pod);
    const listening = record.containers.some(
      c =>
        c.state.kind === 'running' &&
        containerSpec(record, c.name)?.ports?.some(
          p => p.containerPort === port && (p.protocol ?? 'TCP') === 'TCP',
        ) === true,
    );
    if (record.terminal || !listening) {
      throw new InvalidInputError(
        `mock provider: connection refused: nothing listens on port ${port} in pod ${record.key}`,
      );
    }
    await echoConnection(stream, signal);
  }

  statsSummary(): StatsSummaryDocument {
    return statsSummary(this.#usage());
  }

  metrics(): string {
    return metricsText(this.#usage());
  }

  #usage(): NodeUsage {
    const node = {
      name: this.#nodeName(),
      startTime: this.#startTime,
      memoryCapacity: parseQuantity(this.#options.capacity.memory ?? '0') ?? 0,
    };
    return collectUsage(this.#runtime.list(), node, this.#now());
  }
}
