/**
 * Keeps a serving certificate fresh the way client-go's certificate manager does: the first one
 * is asked for at once, each next one at a jittered 70-90 % of the current one's validity
 * (notBefore..notAfter) so that nodes started together do not renew together, and a failed
 * renewal is retried with backoff while the current certificate keeps being served.
 *
 * ```ts
 * const rotation = new CertificateRotation({
 *   issue: signal => requestServingCertificate(client, signal, { nodeName }),
 *   onCertificate: async first => (first ? api.start(signal) : api.reloadTls()),
 * });
 * await rotation.run(signal); // until signal aborts
 * ```
 */
import { describeError, IllegalStateError } from '../errors/errors.ts';
import { Backoff, type BackoffOptions } from '../kube/backoff.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { aborted, sleep } from '../util/abort.ts';
import type { ServingCertificate } from './tls.ts';

export interface RotatingCertificate extends ServingCertificate {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Wall-clock time (certificate validity is wall-clock) and an abortable wait on it. */
export interface RotationClock {
  now(): number;
  /** Resolves after `ms` or when `signal` aborts; never rejects. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemRotationClock: RotationClock = { now: () => Date.now(), sleep };

/** client-go's jitteryDuration: notBefore + 70-90 % of the validity; `random` in [0, 1). */
export function rotationDeadline(
  validity: { readonly notBefore: Date; readonly notAfter: Date },
  random: () => number = Math.random,
): Date {
  const start = validity.notBefore.getTime();
  const total = validity.notAfter.getTime() - start;
  return new Date(start + total * (0.7 + 0.2 * random()));
}

/** client-go retries 2 s doubling five times, then every 32 s. */
const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 2000, maxMs: 32_000, jitter: 0.1 };

/**
 * Timers over ~24.8 days overflow (Node fires them at once), and a long sleep misses clock
 * jumps and suspends: waits are cut into steps that re-read the clock.
 */
const MAX_SLEEP_STEP_MS = 60 * 60 * 1000;

export interface CertificateRotationOptions {
  /** Gets a new certificate (a CSR round trip); may take as long as approval takes. */
  readonly issue: (signal: AbortSignal) => Promise<RotatingCertificate>;
  /**
   * Called after each new certificate became `current`: `first` for the first one. An error
   * here ends `run` with it (e.g. the port cannot be bound).
   */
  readonly onCertificate?: (first: boolean, certificate: RotatingCertificate) => unknown;
  readonly logger?: Logger;
  readonly clock?: RotationClock;
  readonly random?: () => number;
  readonly backoff?: BackoffOptions;
}

export class CertificateRotation {
  readonly #options: CertificateRotationOptions;
  readonly #clock: RotationClock;
  readonly #log: Logger;
  #current: RotatingCertificate | undefined;
  #deadline: Date | undefined;
  #running = false;

  /** No I/O: `run` asks for certificates. */
  constructor(options: CertificateRotationOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemRotationClock;
    this.#log = options.logger ?? silentLogger;
  }

  /** The certificate to serve; undefined until the first one is issued. */
  get current(): RotatingCertificate | undefined {
    return this.#current;
  }

  /** When the current certificate will be renewed. */
  get deadline(): Date | undefined {
    return this.#deadline;
  }

  /**
   * Issues the first certificate and renews it when due, until `signal` aborts (then resolves).
   * Failures to issue are logged and retried; only `onCertificate` failing rejects.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error('the certificate rotation is already running');
    this.#running = true;
    const backoff = new Backoff(this.#options.backoff ?? DEFAULT_BACKOFF, this.#options.random);
    try {
      while (!aborted(signal)) {
        if (this.#deadline !== undefined) {
          await this.#waitUntil(this.#deadline.getTime(), signal);
          if (aborted(signal)) return;
        }
        let next: RotatingCertificate;
        try {
          next = await this.#options.issue(signal);
        } catch (err) {
          if (aborted(signal)) return;
          const delayMs = backoff.next();
          this.#logFailure(err, delayMs);
          await this.#clock.sleep(delayMs, signal);
          continue;
        }
        backoff.reset();
        const first = this.#current === undefined;
        this.#current = next;
        this.#deadline = rotationDeadline(next, this.#options.random);
        this.#log.info(
          {
            notBefore: next.notBefore.toISOString(),
            notAfter: next.notAfter.toISOString(),
            renewAt: this.#deadline.toISOString(),
          },
          first ? 'kubelet serving certificate issued' : 'kubelet serving certificate rotated',
        );
        await this.#options.onCertificate?.(first, next);
      }
    } finally {
      this.#running = false;
    }
  }

  #logFailure(err: unknown, retryInMs: number): void {
    const current = this.#current;
    const fields = { err: describeError(err), retryInMs };
    if (current === undefined) {
      this.#log.warn(fields, 'no kubelet serving certificate yet: the kubelet API is not serving');
    } else if (current.notAfter.getTime() <= this.#clock.now()) {
      this.#log.error(
        { ...fields, notAfter: current.notAfter.toISOString() },
        'kubelet serving certificate renewal failed and the current certificate has expired',
      );
    } else {
      this.#log.warn(
        { ...fields, notAfter: current.notAfter.toISOString() },
        'kubelet serving certificate renewal failed: still serving the current certificate',
      );
    }
  }

  async #waitUntil(deadlineMs: number, signal: AbortSignal): Promise<void> {
    for (let left = deadlineMs - this.#clock.now(); left > 0 && !aborted(signal);) {
      await this.#clock.sleep(Math.min(left, MAX_SLEEP_STEP_MS), signal);
      left = deadlineMs - this.#clock.now();
    }
  }
}

/** What a KubeletApiServer serves: the rotation's current certificate, re-read on `reloadTls()`. */
export function rotatedServingSource(rotation: CertificateRotation): {
  readonly load: () => RotatingCertificate;
} {
  return {
    load: () => {
      const current = rotation.current;
      if (current === undefined) {
        throw new IllegalStateError('no kubelet serving certificate has been issued yet');
      }
      return current;
    },
  };
}
