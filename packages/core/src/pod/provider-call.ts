/**
 * Every provider call goes through here: bounded by a timeout even when the provider ignores its
 * AbortSignal, and timed for metrics. A hung backend becomes a retryable error, never a stuck worker.
 */
import { TransientError } from '../errors/errors.ts';
import { signalWithDeadline } from '../util/abort.ts';

export type CallObserver = (call: string, durationMs: number, ok: boolean) => void;

export async function callProvider<T>(
  call: string,
  timeoutMs: number,
  outer: AbortSignal,
  fn: (signal: AbortSignal) => Promise<T>,
  observe?: CallObserver,
): Promise<T> {
  const started = performance.now();
  const bounded = signalWithDeadline(outer, timeoutMs);
  const signal = bounded.signal;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(
        bounded.timedOut()
          ? new TransientError(`provider ${call} timed out after ${timeoutMs} ms`)
          : new TransientError(`provider ${call} cancelled`, { cause: outer.reason }),
      );
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  let ok = false;
  try {
    const result = await Promise.race([fn(signal), aborted]);
    ok = true;
    return result;
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    bounded.dispose();
    observe?.(call, performance.now() - started, ok);
  }
}
