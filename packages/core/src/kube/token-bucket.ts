/**
 * Client-side rate limiting as the kubelet does it: a token bucket that refills at `qps` tokens
 * a second up to `burst`. A caller takes a token or reserves the next one and waits for it, so
 * waiters are served in arrival order and the long-run rate never exceeds `qps`.
 */
import { InvalidInputError } from '../errors/errors.ts';
import { systemNow, systemSleep, type Now, type Sleep } from './clock.ts';

export interface RateLimit {
  /** Sustained requests per second; `Infinity` turns limiting off (benchmarks). @default 50 */
  readonly qps?: number;
  /** Requests allowed at once after a quiet period. @default 100 */
  readonly burst?: number;
}

export const DEFAULT_QPS = 50;
export const DEFAULT_BURST = 100;

export interface TokenBucketOptions extends RateLimit {
  readonly now?: Now;
  readonly sleep?: Sleep;
}

export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  private readonly now: Now;
  private readonly sleep: Sleep;
  /** May go negative: that many tokens are promised to waiters already. */
  private tokens: number;
  private updatedAt: number;

  constructor(options: TokenBucketOptions = {}) {
    const qps = options.qps ?? DEFAULT_QPS;
    const burst = options.burst ?? DEFAULT_BURST;
    if (!(qps > 0)) throw new InvalidInputError(`qps must be positive, got ${qps}`);
    if (!Number.isInteger(burst) || burst < 1) {
      throw new InvalidInputError(`burst must be a positive integer, got ${burst}`);
    }
    this.qps = qps;
    this.burst = burst;
    this.now = options.now ?? systemNow;
    this.sleep = options.sleep ?? systemSleep;
    this.tokens = burst;
    this.updatedAt = this.now();
  }

  get unlimited(): boolean {
    return this.qps === Infinity;
  }

  /** Tokens available right now (negative while callers wait). */
  get available(): number {
    this.refill();
    return this.tokens;
  }

  /** Takes a token if one is available now; never waits. */
  tryAcquire(): boolean {
    if (this.unlimited) return true;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Takes a token, waiting for it when the bucket is empty; resolves with the time waited in ms.
   * When `signal` aborts first, the reserved token goes back and the abort reason is thrown.
   */
  async acquire(signal: AbortSignal): Promise<number> {
    signal.throwIfAborted();
    const wait = this.reserve();
    if (wait <= 0) return 0;
    const started = this.now();
    await this.sleep(wait, signal);
    if (signal.aborted) {
      this.tokens += 1;
      throw signal.reason;
    }
    return this.now() - started;
  }

  /** Takes a token (possibly one not yet refilled) and says how long until it is due. */
  reserve(): number {
    if (this.unlimited) return 0;
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = now - this.updatedAt;
    this.updatedAt = now;
    if (elapsed > 0) this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.qps) / 1000);
  }
}
