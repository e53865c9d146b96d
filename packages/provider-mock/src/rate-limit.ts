/**
 * Token buckets in front of createPod, as cloud backends meter their create calls (Fargate and ECI:
 * burst 100, 20/s; ACI: 100 per 5 minutes and 300 per hour). A call takes one token from every
 * bucket or from none, so a refused call costs nothing.
 */
import type { Clock } from './clock.ts';
import type { RateLimit } from './options.ts';

class TokenBucket {
  readonly #perMs: number;
  readonly #burst: number;
  #tokens: number;
  #updatedAt: number;

  constructor(limit: RateLimit, now: number) {
    this.#perMs = limit.perSecond / 1000;
    this.#burst = limit.burst;
    this.#tokens = limit.burst;
    this.#updatedAt = now;
  }

  /** Milliseconds until one token is available (0 when one is). */
  waitMs(now: number): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#perMs);
  }

  take(now: number): void {
    this.#refill(now);
    this.#tokens -= 1;
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#perMs);
    this.#updatedAt = now;
  }
}

export class RateLimiter {
  readonly #clock: Clock;
  readonly #buckets: readonly TokenBucket[];

  constructor(limits: readonly RateLimit[], clock: Clock) {
    this.#clock = clock;
    const now = clock.now();
    this.#buckets = limits.map(limit => new TokenBucket(limit, now));
  }

  /** Takes a token from every bucket and returns 0, or takes none and returns the wait in ms. */
  tryTake(): number {
    const now = this.#clock.now();
    const waitMs = Math.max(0, ...this.#buckets.map(b => b.waitMs(now)));
    if (waitMs === 0) for (const bucket of this.#buckets) bucket.take(now);
    return waitMs;
  }
}
