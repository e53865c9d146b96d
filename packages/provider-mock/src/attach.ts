/**
 * `kubectl attach` to a mock container: the container's log lines from now on go to stdout, and
 * whatever arrives on stdin is echoed to stdout (the container's process reads it like `cat`).
 * The session ends when stdin reaches EOF (exit code 0), when the container stops (its exit
 * code), or when the signal aborts (the promise rejects with the reason).
 */
import type { Readable } from 'node:stream';
import type { AttachIO, ExecResult } from '@vkubelet/core';
import { toError } from './abort.ts';
import { forEachChunk, write } from './streams.ts';

export async function attachSession(
  output: (signal: AbortSignal) => Readable,
  exitCode: () => number,
  io: AttachIO,
  signal: AbortSignal,
): Promise<ExecResult> {
  const session = new AbortController();
  const stop = AbortSignal.any([signal, session.signal]);
  const logs = output(stop);
  const echo = (chunk: Buffer): Promise<void> => write(io.stdout, chunk);
  const stopped = forEachChunk(logs, echo, stop).then(() => ({ exitCode: exitCode() }));
  const eof = io.stdin
    ? forEachChunk(io.stdin, echo, stop).then(() => ({ exitCode: 0 }))
    : new Promise<never>(() => undefined);
  try {
    return await Promise.race([stopped, eof]);
  } catch (err) {
    throw signal.aborted ? toError(signal.reason) : err;
  } finally {
    session.abort();
    logs.destroy();
    // The side that lost the race rejects with the session's abort; nobody waits for it.
    stopped.catch(() => undefined);
    eof.catch(() => undefined);
  }
}
