/**
 * Exponential backoff with jitter, the schedule every retry loop here shares: the delay doubles
 * from `initialMs` up to `maxMs`, and each wait adds up to `jitter` times itself at random so
 * that many clients failing together do not come back together.
 */
import { InvalidInputError } from '../errors/errors.ts';

export interface BackoffOptions {
  /** First delay. @default 800 (client-go's reflector) */
  readonly initialMs?: number;
  /** Largest delay before jitter. @default 30000 */
  readonly maxMs?: number;
  /** Fraction of the delay added at random: 0 none, 1 up to double. @default 0.5 */
  readonly jitter?: number;
  /** Growth per attempt. @default 2 */
  readonly factor?: number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private readonly factor: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.initialMs = options.initialMs ?? 800;
    this.maxMs = options.maxMs ?? 30_000;
    this.jitter = options.jitter ?? 0.5;
    this.factor = options.factor ?? 2;
    this.random = random;
    if (!(this.initialMs >= 0) || !(this.maxMs >= this.initialMs)) {
      throw new InvalidInputError('backoff needs 0 <= initialMs <= maxMs');
    }
    if (!(this.jitter >= 0) || !(this.factor >= 1)) {
      throw new InvalidInputError('backoff needs jitter >= 0 and factor >= 1');
    }
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    this.attempt += 1;
    return Math.round(base * (1 + this.jitter * this.random()));
  }

  /** After a success: the next failure waits `initialMs` again. */
  reset(): void {
    this.attempt = 0;
  }
}
