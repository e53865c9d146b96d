/**
 * The provider health check that gates the lease and node status: one ping in flight at most,
 * each bounded by a timeout (a hung backend counts as unhealthy instead of leaving a stale
 * "healthy" result, unlike upstream).
 */
import { describeError } from '../errors/errors.ts';
import type { Logger } from '../observability/logger.ts';
import { signalWithDeadline } from '../util/abort.ts';

export interface PingResult {
  readonly ok: boolean;
  readonly at: number;
  readonly error?: string;
}

export class PingMonitor {
  private readonly ping: ((signal: AbortSignal) => Promise<void>) | undefined;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private inFlight: Promise<PingResult> | undefined;
  private last: PingResult;

  constructor(options: {
    ping: ((signal: AbortSignal) => Promise<void>) | undefined;
    timeoutMs: number;
    logger: Logger;
    now?: () => number;
  }) {
    this.ping = options.ping;
    this.timeoutMs = options.timeoutMs;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.last = { ok: this.ping === undefined, at: this.now() };
  }

  get lastResult(): PingResult {
    return this.last;
  }

  /** Pings now unless a ping is already running, in which case its result is shared. */
  check(signal: AbortSignal): Promise<PingResult> {
    if (this.ping === undefined) {
      this.last = { ok: true, at: this.now() };
      return Promise.resolve(this.last);
    }
    this.inFlight ??= this.run(this.ping, signal).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async run(
    ping: (signal: AbortSignal) => Promise<void>,
    outer: AbortSignal,
  ): Promise<PingResult> {
    const bounded = signalWithDeadline(outer, this.timeoutMs);
    const signal = bounded.signal;
    const timedOut = new Promise<never>((_, reject) => {
      signal.addEventListener(
        'abort',
        () => {
          reject(new Error(`ping timed out after ${this.timeoutMs} ms`));
        },
        { once: true },
      );
    });
    try {
      // A provider that ignores the signal still cannot hold the result hostage.
      await Promise.race([ping(signal), timedOut]);
      if (!this.last.ok) this.logger.info({}, 'provider ping healthy again');
      this.last = { ok: true, at: this.now() };
    } catch (err) {
      const error = describeError(err);
      if (this.last.ok)
        this.logger.warn(
          { err: error },
          'provider ping failed: lease and node status are held back',
        );
      this.last = { ok: false, at: this.now(), error };
    } finally {
      bounded.dispose();
    }
    return this.last;
  }
}
