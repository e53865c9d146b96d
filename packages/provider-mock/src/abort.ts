/** Waiting that always ends when the caller's signal aborts, rejecting with its reason. */
import type { Clock } from './clock.ts';

/** Resolves after `ms` on `clock`, or rejects with `signal.reason` when it aborts first. */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(toError(signal.reason));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      cancel();
      reject(toError(signal.reason));
    };
    const cancel = clock.setTimer(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Never resolves; rejects with `signal.reason` once the signal aborts (the "hang" mode). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  if (signal.aborted) return Promise.reject(toError(signal.reason));
  return new Promise((_resolve, reject) => {
    signal.addEventListener(
      'abort',
      () => {
        reject(toError(signal.reason));
      },
      { once: true },
    );
  });
}

/** `signal.reason` is usually a DOMException already; anything else is wrapped so callers get an Error. */
export function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw toError(signal.reason);
}

/** `promise`, unless `signal` aborts first (then its reason); the abort listener is removed either way. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(toError(signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      reject(toError(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      value => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(toError(err));
      },
    );
  });
}
