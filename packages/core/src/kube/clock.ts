/**
 * Time as the client and reflector see it, injectable so tests can run a limiter, a backoff or
 * an inactivity timeout deterministically.
 */

/** Milliseconds on a monotonic-enough clock. */
export type Now = () => number;

/**
 * Waits `ms`, or less when `signal` aborts. It never rejects: callers check `signal.aborted`
 * afterwards, which keeps every waiting loop free of abort-error plumbing.
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const systemNow: Now = () => performance.now();

export const systemSleep: Sleep = (ms, signal) =>
  new Promise<void>(resolve => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
