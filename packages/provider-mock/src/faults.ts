/**
 * Failure injection: per operation, the next N calls (or all of them) throw an error of a chosen
 * taxonomy kind, or hang until their AbortSignal aborts, optionally only for one pod.
 */
import {
  AlreadyExistsError,
  ConflictError,
  GoneError,
  IllegalStateError,
  InvalidInputError,
  NotFoundError,
  ThrottledError,
  TransientError,
  UnsupportedError,
  type ErrorKind,
  type VkError,
} from '@vkubelet/core';
import { untilAborted } from './abort.ts';
import type { FailureSpec, MockOperation } from './options.ts';

const DEFAULT_RETRY_AFTER_MS = 1000;

/** An error of the given kind, as a backend would throw it. */
export function injectedError(
  kind: ErrorKind,
  message: string,
  retryAfterMs = DEFAULT_RETRY_AFTER_MS,
): VkError {
  switch (kind) {
    case 'NotFound':
      return new NotFoundError(message);
    case 'InvalidInput':
      return new InvalidInputError(message);
    case 'Unsupported':
      return new UnsupportedError(message);
    case 'Throttled':
      return new ThrottledError(message, { retryAfterMs });
    case 'Transient':
      return new TransientError(message);
    case 'AlreadyExists':
      return new AlreadyExistsError(message);
    case 'Conflict':
      return new ConflictError(message);
    case 'Gone':
      return new GoneError(message);
    case 'IllegalState':
      return new IllegalStateError(message);
  }
}

interface ActiveFailure {
  readonly spec: FailureSpec;
  /** Calls left to fail; Infinity when `times` was not given. */
  remaining: number;
}

export class FaultInjector {
  readonly #active = new Map<MockOperation, ActiveFailure>();

  constructor(initial: ReadonlyMap<MockOperation, FailureSpec>) {
    for (const [operation, spec] of initial) this.set(operation, spec);
  }

  /** Replaces the failure of `operation`; undefined removes it. `spec` is already validated. */
  set(operation: MockOperation, spec: FailureSpec | undefined): void {
    if (spec === undefined) this.#active.delete(operation);
    else this.#active.set(operation, { spec, remaining: spec.times ?? Infinity });
  }

  clear(): void {
    this.#active.clear();
  }

  /**
   * Applies the failure configured for `operation`, if any applies to this call: throws the
   * injected error, or waits for `signal` and rejects with its reason. Resolves otherwise.
   */
  async check(operation: MockOperation, signal: AbortSignal, pod?: string): Promise<void> {
    const failure = this.#active.get(operation);
    if (!failure || failure.remaining <= 0) return;
    if (failure.spec.pod !== undefined && failure.spec.pod !== pod) return;
    failure.remaining--;
    if (failure.remaining <= 0) this.#active.delete(operation);
    const { spec } = failure;
    if (spec.hang === true) await untilAborted(signal);
    const kind = spec.error ?? 'Transient';
    throw injectedError(
      kind,
      spec.message ?? `mock: injected ${kind} failure in ${operation}`,
      spec.retryAfterMs,
    );
  }
}
