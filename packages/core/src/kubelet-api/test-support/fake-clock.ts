/** A wall clock tests move by hand, for the certificate rotation schedule. */
import type { RotationClock } from '../cert-rotation.ts';

interface Sleeper {
  readonly wakeAt: number;
  readonly resolve: () => void;
}

export class FakeClock implements RotationClock {
  #now: number;
  readonly #sleepers = new Set<Sleeper>();
  /** Every `sleep` asked for, in ms. */
  readonly sleeps: number[] = [];

  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (ms <= 0 || signal.aborted) return Promise.resolve();
    return new Promise(resolve => {
      const sleeper: Sleeper = {
        wakeAt: this.#now + ms,
        resolve: () => {
          this.#sleepers.delete(sleeper);
          signal.removeEventListener('abort', sleeper.resolve);
          resolve();
        },
      };
      this.#sleepers.add(sleeper);
      signal.addEventListener('abort', sleeper.resolve, { once: true });
    });
  }

  /** Sleeps in progress. */
  get sleeping(): number {
    return this.#sleepers.size;
  }

  /** Moves time on and wakes every sleep that is due. */
  advance(ms: number): void {
    this.#now += ms;
    for (const sleeper of [...this.#sleepers]) {
      if (sleeper.wakeAt <= this.#now) sleeper.resolve();
    }
  }
}
