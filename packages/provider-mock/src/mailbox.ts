/**
 * Delivery of status notifications to the core's callback. Nothing is delivered before the
 * callback is registered (the items wait), delivery never runs inside the call that produced the
 * change (it happens on a later turn of the event loop), and for each key only the newest item
 * is kept: a status is a level, so an older one superseded before delivery has nothing to add.
 */
import { IllegalStateError, type Logger } from '@vkubelet/core';

export class Mailbox<T> {
  readonly #name: string;
  readonly #logger: Logger;
  readonly #pending = new Map<string, T>();
  #deliver: ((item: T) => void) | undefined;
  #scheduled = false;
  #waiters: (() => void)[] = [];

  constructor(name: string, logger: Logger) {
    this.#name = name;
    this.#logger = logger;
  }

  /** Sets the callback; a second registration is a bug in the caller. */
  register(deliver: (item: T) => void): void {
    if (this.#deliver) throw new IllegalStateError(`mock provider: ${this.#name} registered twice`);
    this.#deliver = deliver;
    this.#schedule();
  }

  /** Queues `item` under `key`, replacing an undelivered item with the same key. */
  post(key: string, item: T): void {
    this.#pending.delete(key);
    this.#pending.set(key, item);
    this.#schedule();
  }

  /** Resolves once everything queued so far was delivered (at once when there is no callback). */
  flushed(): Promise<void> {
    if (!this.#deliver || this.#pending.size === 0) return Promise.resolve();
    return new Promise(resolve => this.#waiters.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || !this.#deliver || this.#pending.size === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#drain();
    });
  }

  #drain(): void {
    this.#scheduled = false;
    const deliver = this.#deliver;
    if (!deliver) return;
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    for (const item of batch) {
      try {
        deliver(item);
      } catch (err) {
        // The callback's failure is the core's bug; keep delivering the others.
        this.#logger.error({ err, component: 'provider-mock' }, `${this.#name} callback threw`);
      }
    }
    if (this.#pending.size > 0) {
      this.#schedule();
      return;
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
