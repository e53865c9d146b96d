/**
 * Generated container logs. A container instance that started at S writes line n at
 * S + (n - 1) × interval, reading `<RFC 3339 time of the line> <container> line <n>`, for as long
 * as it runs. Every log option of the kubelet is honoured: tailLines, limitBytes (cuts mid-line,
 * as the kubelet does), sinceSeconds / sinceTime (lines at or after), timestamps (an RFC 3339
 * nano prefix) and follow (new lines as they are written, until the instance stops or the
 * caller aborts).
 */
import { Readable } from 'node:stream';
import { InvalidInputError, type ContainerLogOptions } from '@vkubelet/core';
import { sleep } from './abort.ts';
import type { Clock } from './clock.ts';
import { rfc3339, rfc3339Nano } from './time.ts';

/** One instance of a container, as far as its log goes. */
export interface LogSource {
  readonly container: string;
  readonly startedAt: number;
  /** When the instance stopped, or undefined while it runs; asked again while following. */
  endedAt(): number | undefined;
}

export function validateLogOptions(options: ContainerLogOptions): void {
  const { tailLines, limitBytes, sinceSeconds, sinceTime } = options;
  if (tailLines !== undefined && (!Number.isInteger(tailLines) || tailLines < 0)) {
    throw new InvalidInputError(`tailLines must be a whole number >= 0, got ${tailLines}`);
  }
  if (limitBytes !== undefined && (!Number.isInteger(limitBytes) || limitBytes < 1)) {
    throw new InvalidInputError(`limitBytes must be a whole number >= 1, got ${limitBytes}`);
  }
  if (sinceSeconds !== undefined && (!Number.isInteger(sinceSeconds) || sinceSeconds < 1)) {
    throw new InvalidInputError(`sinceSeconds must be a whole number >= 1, got ${sinceSeconds}`);
  }
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    throw new InvalidInputError('at most one of sinceSeconds and sinceTime may be given');
  }
  if (sinceTime !== undefined && Number.isNaN(sinceTime.getTime())) {
    throw new InvalidInputError('sinceTime is not a valid time');
  }
}

export class LogModel {
  readonly #clock: Clock;
  readonly #intervalMs: number;

  constructor(clock: Clock, intervalMs: number) {
    this.#clock = clock;
    this.#intervalMs = intervalMs;
  }

  lineTime(source: LogSource, n: number): number {
    return source.startedAt + (n - 1) * this.#intervalMs;
  }

  /** How many lines the instance had written by `at`. */
  lineCount(source: LogSource, at: number): number {
    return at < source.startedAt ? 0 : Math.floor((at - source.startedAt) / this.#intervalMs) + 1;
  }

  /** The line's text as the container wrote it. */
  line(source: LogSource, n: number): string {
    return `${rfc3339(this.lineTime(source, n))} ${source.container} line ${n}\n`;
  }

  /** The log as the kubelet would serve it. `options` must be valid (see validateLogOptions). */
  stream(source: LogSource, options: ContainerLogOptions, signal: AbortSignal): Readable {
    // Closing the stream early also stops a follow that is waiting for its next line.
    const closed = new AbortController();
    const stop = AbortSignal.any([signal, closed.signal]);
    const readable = Readable.from(this.#lines(source, options, stop), { objectMode: false });
    readable.once('close', () => {
      closed.abort();
    });
    return readable;
  }

  async *#lines(
    source: LogSource,
    options: ContainerLogOptions,
    signal: AbortSignal,
  ): AsyncGenerator<Buffer> {
    const now = this.#clock.now();
    let end = source.endedAt();
    const last = this.lineCount(source, Math.min(now, end ?? now));
    let first = 1;
    const since =
      options.sinceTime?.getTime() ??
      (options.sinceSeconds === undefined ? undefined : now - options.sinceSeconds * 1000);
    if (since !== undefined && since > source.startedAt) {
      first = Math.ceil((since - source.startedAt) / this.#intervalMs) + 1;
    }
    if (options.tailLines !== undefined) first = Math.max(first, last - options.tailLines + 1);
    let budget = options.limitBytes ?? Infinity;
    const render = (n: number): Buffer => {
      const text = this.line(source, n);
      return Buffer.from(
        options.timestamps ? `${rfc3339Nano(this.lineTime(source, n))} ${text}` : text,
      );
    };
    for (let n = first; n <= last && budget > 0; n++) {
      const chunk = render(n);
      yield chunk.length > budget ? chunk.subarray(0, budget) : chunk;
      budget -= chunk.length;
    }
    if (!options.follow || budget <= 0 || end !== undefined) return;
    for (let n = Math.max(first, last + 1); budget > 0; n++) {
      const at = this.lineTime(source, n);
      try {
        await sleep(this.#clock, at - this.#clock.now(), signal);
      } catch {
        return; // the caller went away: the log simply ends
      }
      end = source.endedAt();
      if (end !== undefined && at > end) return;
      const chunk = render(n);
      yield chunk.length > budget ? chunk.subarray(0, budget) : chunk;
      budget -= chunk.length;
    }
  }
}
