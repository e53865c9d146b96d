/**
 * The one retry helper: the client itself never retries (callers know what is safe to repeat),
 * but a caller that wants to can wrap a call here. Only Transient and Throttled errors are
 * retried; a Retry-After hint wins over the backoff schedule.
 */
import { isThrottled, isTransient, retryAfterMs } from '../errors/errors.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { systemSleep, type Sleep } from './clock.ts';

export interface RetryOptions {
  /** Retries after the first attempt (3 means at most 4 calls). */
  readonly retries: number;
  readonly backoff?: BackoffOptions;
  readonly signal: AbortSignal;
  /** Which errors to retry. @default Transient or Throttled */
  readonly shouldRetry?: (err: unknown) => boolean;
  /** Called before each wait, e.g. to log. */
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  readonly sleep?: Sleep;
  readonly random?: () => number;
}

const retriable = (err: unknown): boolean => isTransient(err) || isThrottled(err);

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const backoff = new Backoff(options.backoff, options.random);
  const sleep = options.sleep ?? systemSleep;
  const shouldRetry = options.shouldRetry ?? retriable;
  for (let attempt = 0; ; attempt += 1) {
    options.signal.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= options.retries || options.signal.aborted || !shouldRetry(err)) throw err;
      const scheduled = backoff.next();
      const delay = retryAfterMs(err) ?? scheduled;
      options.onRetry?.(err, attempt + 1, delay);
      await sleep(delay, options.signal);
    }
  }
}
