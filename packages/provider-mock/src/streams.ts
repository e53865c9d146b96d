/**
 * Stream plumbing for exec, attach and port-forward. The caller owns the streams: the mock
 * writes and reads, honours backpressure, and never ends or destroys them (the session's end is
 * the returned promise), so the HTTP layer can still send its status frame afterwards.
 */
import type { Readable, Writable } from 'node:stream';
import { toError } from './abort.ts';

/** Writes `data`, resolving once the stream took it; a missing stream swallows it. */
export function write(stream: Writable | undefined, data: string | Uint8Array): Promise<void> {
  if (!stream || data.length === 0) return Promise.resolve();
  if (stream.destroyed || stream.writableEnded) {
    return Promise.reject(new Error('the output stream is closed'));
  }
  return new Promise((resolve, reject) => {
    stream.write(data, err => {
      if (err) reject(err);
      else resolve();
    });
  });
}

/**
 * Hands every chunk of `source` to `onChunk` (one at a time, pausing the source meanwhile) until
 * the source ends; rejects with the signal's reason on abort, leaving the source paused.
 */
export function forEachChunk(
  source: Readable,
  onChunk: (chunk: Buffer) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted) return Promise.reject(toError(signal.reason));
  if (source.readableEnded || source.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('close', onEnd);
      source.off('error', onError);
      signal.removeEventListener('abort', onAbort);
      source.pause();
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer | string): void => {
      source.pause();
      onChunk(typeof chunk === 'string' ? Buffer.from(chunk) : chunk).then(
        () => {
          if (!done) source.resume();
        },
        (err: unknown) => {
          finish(toError(err));
        },
      );
    };
    const onEnd = (): void => {
      finish();
    };
    const onError = (err: Error): void => {
      finish(err);
    };
    const onAbort = (): void => {
      finish(toError(signal.reason));
    };
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('close', onEnd);
    source.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    source.resume();
  });
}
