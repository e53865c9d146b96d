/**
 * Gives the event loop back when work chained through microtasks has held it too long. A queue
 * worker that finishes without I/O (a pod gone from the cache, a status already written) lets
 * the queue's loop go straight on to the next key within the same macrotask, and watch events
 * already buffered reach the reflector the same way; under a burst or a mass delete such chains
 * held the loop for 80–120 ms, with lease renewals and the kubelet API waiting behind them.
 */
export class TurnSlice {
  readonly #budgetMs: number;
  #start = performance.now();
  #marked = false;

  /** @param budgetMs how long a run of microtasks may hold the loop before it yields. */
  constructor(budgetMs = 10) {
    this.#budgetMs = budgetMs;
  }

  /**
   * Called between two pieces of work: undefined while the budget lasts (no await, so no extra
   * microtask), else a promise that resolves once the event loop has had a turn.
   */
  pause(): Promise<void> | undefined {
    this.#markTurn();
    if (performance.now() - this.#start < this.#budgetMs) return undefined;
    return new Promise(resolve =>
      setImmediate(() => {
        this.#start = performance.now();
        resolve();
      }),
    );
  }

  /** The slice starts again whenever the loop reaches its check phase (it had a turn). */
  #markTurn(): void {
    if (this.#marked) return;
    this.#marked = true;
    setImmediate(() => {
      this.#marked = false;
      this.#start = performance.now();
    });
  }
}

/** One event loop, one slice: the queues share it, so together they hold the loop no longer. */
export const sharedTurnSlice = new TurnSlice();
