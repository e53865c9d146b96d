/**
 * The one gate every provider call passes, in this order: count the call, honour an already
 * aborted signal, take a rate-limit token (createPod only), apply injected failures. A call
 * refused at any step has done no work.
 */
import { ThrottledError } from '@vkubelet/core';
import { throwIfAborted } from './abort.ts';
import { FaultInjector } from './faults.ts';
import {
  checkOperation,
  compileFailureSpec,
  type CompiledOptions,
  type FailureSpec,
  type MockOperation,
} from './options.ts';
import { RateLimiter } from './rate-limit.ts';

export class CallGate {
  readonly #faults: FaultInjector;
  readonly #createLimiter: RateLimiter;
  readonly #calls = new Map<MockOperation, number>();

  constructor(options: CompiledOptions) {
    this.#faults = new FaultInjector(options.failures);
    this.#createLimiter = new RateLimiter(options.rateLimits, options.clock);
  }

  /** Resolves when the call may go ahead; `pod` (`ns/name`) is what failures can target. */
  async enter(operation: MockOperation, signal: AbortSignal, pod?: string): Promise<void> {
    this.#calls.set(operation, (this.#calls.get(operation) ?? 0) + 1);
    throwIfAborted(signal);
    if (operation === 'createPod') {
      const waitMs = this.#createLimiter.tryTake();
      if (waitMs > 0) {
        throw new ThrottledError(
          `mock provider: createPod rate limit reached; retry in ${waitMs} ms`,
          { retryAfterMs: waitMs },
        );
      }
    }
    await this.#faults.check(operation, signal, pod);
  }

  callCount(operation: MockOperation): number {
    return this.#calls.get(checkOperation(operation)) ?? 0;
  }

  injectFailure(operation: MockOperation, failure: FailureSpec | undefined): void {
    checkOperation(operation);
    this.#faults.set(
      operation,
      failure === undefined ? undefined : compileFailureSpec(operation, failure),
    );
  }
}
