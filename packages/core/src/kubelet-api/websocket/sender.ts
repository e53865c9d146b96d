/**
 * Backpressure-aware sending on a `ws` WebSocket. A write completes at once while the socket's
 * `bufferedAmount` is under the high-water mark, and otherwise only when its frame has been
 * handed to the kernel, so a slow client stalls the producer instead of growing a queue.
 * Once the socket is gone, writes are dropped quietly: the session's AbortSignal tells the
 * producer to stop, and erroring its streams would only risk unhandled 'error' events.
 */
import { WebSocket } from 'ws';

export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
/** Frames larger than this are split, to keep base64 strings and client buffers modest. */
export const MAX_FRAME_DATA = 256 * 1024;

export class FrameSender {
  readonly #ws: WebSocket;
  readonly #highWaterMark: number;
  readonly #pending = new Set<() => void>();
  readonly #onSend: (() => void) | undefined;

  /** `onSend` runs for every message sent (the idle timeout counts them as activity). */
  constructor(ws: WebSocket, highWaterMark = DEFAULT_HIGH_WATER_MARK, onSend?: () => void) {
    this.#ws = ws;
    this.#highWaterMark = highWaterMark;
    this.#onSend = onSend;
    ws.once('close', () => {
      const pending = [...this.#pending];
      this.#pending.clear();
      for (const done of pending) done();
    });
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** Sends one message; `done` runs once the caller may send more. */
  send(message: Buffer | string, done: () => void): void {
    if (!this.open) {
      done();
      return;
    }
    let called = false;
    const finish = (): void => {
      if (called) return;
      called = true;
      this.#pending.delete(finish);
      done();
    };
    this.#pending.add(finish);
    this.#onSend?.();
    this.#ws.send(message, { binary: typeof message !== 'string' }, finish);
    if (this.#ws.bufferedAmount < this.#highWaterMark) finish();
  }

  /** Sends several messages in order; `done` runs after the last may proceed. */
  sendAll(messages: readonly (Buffer | string)[], done: () => void): void {
    let index = 0;
    const next = (): void => {
      const message = messages[index++];
      if (message === undefined) {
        done();
        return;
      }
      this.send(message, next);
    };
    next();
  }
}

/** Splits a chunk into frame-sized pieces (views, no copy). */
export function splitChunk(chunk: Buffer, max = MAX_FRAME_DATA): Buffer[] {
  if (chunk.length <= max) return [chunk];
  const parts: Buffer[] = [];
  for (let offset = 0; offset < chunk.length; offset += max) {
    parts.push(chunk.subarray(offset, offset + max));
  }
  return parts;
}
