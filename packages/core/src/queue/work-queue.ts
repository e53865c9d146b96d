/**
 * A keyed work queue with the semantics the controllers need (client-go's workqueue, VK's
 * internal/queue): a key is queued at most once; a key added while it is being processed is
 * processed again afterwards (never concurrently); fresh work is never delayed, only retries
 * are, with per-key exponential backoff; and a retry hook decides when to give up.
 */
import { describeError, retryAfterMs } from '../errors/errors.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { sharedTurnSlice } from '../util/turn-slice.ts';

export interface RetryDecision {
  /** Delay before the next attempt; undefined gives up on the key. */
  readonly delayMs: number | undefined;
}

export type ShouldRetry = (
  key: string,
  attempts: number,
  firstFailureAt: number,
  err: unknown,
) => RetryDecision;

export interface WorkQueueOptions {
  readonly name: string;
  /** First retry delay; doubles per failure. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Give up on a key after this many failed attempts (Infinity: never). */
  readonly maxAttempts?: number;
  /** Replaces the default backoff/give-up policy. */
  readonly shouldRetry?: ShouldRetry;
  /** Called once when a key is given up on (after the last failed attempt). */
  readonly onGiveUp?: (key: string, err: unknown, attempts: number) => void;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Observes queue depth and each processing outcome (metrics). */
  readonly onMetrics?: (event: QueueMetricsEvent) => void;
}

export type QueueMetricsEvent =
  | { readonly kind: 'depth'; readonly queue: string; readonly depth: number }
  | {
      readonly kind: 'processed';
      readonly queue: string;
      readonly durationMs: number;
      readonly outcome: 'ok' | 'retry' | 'gave-up';
    };

export type Worker = (key: string, signal: AbortSignal) => Promise<void>;

interface Delayed {
  readonly key: string;
  readonly at: number;
}

/**
 * Keys due at a time: a binary min-heap on `at` plus the current time per key, so scheduling is
 * O(log n) with thousands of pods waiting (token refreshes, retries). A rescheduled key leaves its
 * old heap entry behind; entries whose time no longer matches the map are skipped when popped.
 */
class DelaySchedule {
  private readonly heap: Delayed[] = [];
  private readonly due = new Map<string, number>();

  get size(): number {
    return this.due.size;
  }

  /** Schedules `key` at `at` unless it is already due earlier. */
  schedule(key: string, at: number): void {
    const current = this.due.get(key);
    if (current !== undefined && current <= at) return;
    this.due.set(key, at);
    this.heap.push({ key, at });
    this.up(this.heap.length - 1);
  }

  /** The earliest due time, skipping stale entries. */
  peek(): number | undefined {
    this.dropStale();
    return this.heap[0]?.at;
  }

  /** Removes and returns the keys due at or before `now`. */
  takeDue(now: number): string[] {
    const keys: string[] = [];
    for (;;) {
      this.dropStale();
      const top = this.heap[0];
      if (top === undefined || top.at > now) return keys;
      this.pop();
      this.due.delete(top.key);
      keys.push(top.key);
    }
  }

  private dropStale(): void {
    for (let top = this.heap[0]; top !== undefined; top = this.heap[0]) {
      if (this.due.get(top.key) === top.at) return;
      this.pop();
    }
  }

  private pop(): void {
    const last = this.heap.pop();
    if (last === undefined || this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private up(index: number): void {
    const heap = this.heap;
    const item = heap[index] as Delayed;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Delayed;
      if (p.at <= item.at) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  private down(index: number): void {
    const heap = this.heap;
    const item = heap[index] as Delayed;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && (heap[right] as Delayed).at < (heap[left] as Delayed).at
          ? right
          : left;
      const c = heap[child] as Delayed;
      if (c.at >= item.at) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = item;
  }
}

/** FIFO of keys with O(1) push/shift. */
class KeyFifo {
  private items: string[] = [];
  private head = 0;

  push(key: string): void {
    this.items.push(key);
  }

  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return key;
  }

  get length(): number {
    return this.items.length - this.head;
  }
}

export class WorkQueue {
  readonly name: string;
  private readonly fifo = new KeyFifo();
  /** Keys waiting in the FIFO. */
  private readonly queued = new Set<string>();
  /** Keys a worker holds now. */
  private readonly processing = new Set<string>();
  /** Keys added again while processing: re-queued when the worker finishes. */
  private readonly dirty = new Set<string>();
  private readonly delayed = new DelaySchedule();
  private delayTimer: NodeJS.Timeout | undefined;
  private readonly failures = new Map<string, { attempts: number; firstAt: number }>();
  private readonly waiters: (() => void)[] = [];
  private readonly options: WorkQueueOptions;
  private readonly logger: Logger;
  private readonly now: () => number;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.options = options;
    this.logger = (options.logger ?? silentLogger).child({ queue: options.name });
    this.now = options.now ?? Date.now;
  }

  /** Queues fresh work for `key` now; a no-op if it is already waiting. */
  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.fifo.push(key);
    this.reportDepth();
    this.wake();
  }

  /** Queues `key` after `delayMs` (an earlier pending time for the same key wins). */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const before = this.delayed.peek();
    this.delayed.schedule(key, this.now() + delayMs);
    // Only a new earliest time moves the timer.
    if (before === undefined || (this.delayed.peek() ?? Infinity) < before) this.armTimer();
  }

  /** Forgets a key's failure history (after success, or when the object is gone). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  attempts(key: string): number {
    return this.failures.get(key)?.attempts ?? 0;
  }

  get depth(): number {
    return this.fifo.length;
  }

  /** Keys queued, delayed or in flight. */
  get pending(): number {
    return this.fifo.length + this.delayed.size + this.processing.size;
  }

  /**
   * Runs `workers` concurrent workers until `signal` aborts; resolves once in-flight work has
   * finished. A worker's failure is retried per the policy; it never stops the queue.
   */
  async run(worker: Worker, workers: number, signal: AbortSignal): Promise<void> {
    if (workers < 1) throw new RangeError(`${this.name}: workers must be at least 1`);
    const onAbort = (): void => {
      this.shuttingDown = true;
      if (this.delayTimer) clearTimeout(this.delayTimer);
      this.wake(true);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    // Dashboards see every queue from the start, not only once work arrives.
    this.reportDepth();
    try {
      await Promise.all(Array.from({ length: workers }, () => this.loop(worker, signal)));
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async loop(worker: Worker, signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = this.fifo.shift();
      if (key === undefined) {
        if (this.shuttingDown) return;
        await new Promise<void>(resolve => this.waiters.push(resolve));
        continue;
      }
      this.queued.delete(key);
      this.processing.add(key);
      this.reportDepth();
      const started = this.now();
      let outcome: 'ok' | 'retry' | 'gave-up' = 'ok';
      try {
        await worker(key, signal);
        this.failures.delete(key);
      } catch (err) {
        outcome = this.handleFailure(key, err);
      } finally {
        this.processing.delete(key);
        this.options.onMetrics?.({
          kind: 'processed',
          queue: this.name,
          durationMs: this.now() - started,
          outcome,
        });
        if (this.dirty.delete(key)) this.add(key);
      }
      const pause = sharedTurnSlice.pause();
      if (pause) await pause;
    }
  }

  private handleFailure(key: string, err: unknown): 'retry' | 'gave-up' {
    const record = this.failures.get(key) ?? { attempts: 0, firstAt: this.now() };
    record.attempts += 1;
    this.failures.set(key, record);
    const decision = (this.options.shouldRetry ?? this.defaultRetry)(
      key,
      record.attempts,
      record.firstAt,
      err,
    );
    if (decision.delayMs === undefined || this.shuttingDown) {
      if (!this.shuttingDown) {
        this.failures.delete(key);
        this.logger.warn({ key, attempts: record.attempts, err: describeError(err) }, 'giving up');
        this.options.onGiveUp?.(key, err, record.attempts);
      }
      return 'gave-up';
    }
    this.logger.debug(
      { key, attempts: record.attempts, delayMs: decision.delayMs, err: describeError(err) },
      'retrying',
    );
    // Work that arrived meanwhile is not lost: the dirty mark re-queues it now, not after the delay.
    this.addAfter(key, decision.delayMs);
    return 'retry';
  }

  private readonly defaultRetry: ShouldRetry = (_key, attempts, _first, err) => {
    const max = this.options.maxAttempts ?? Infinity;
    if (attempts >= max) return { delayMs: undefined };
    const base = this.options.baseDelayMs ?? 100;
    const cap = this.options.maxDelayMs ?? 60_000;
    const backoff = Math.min(cap, base * 2 ** Math.min(attempts - 1, 30));
    const hinted = retryAfterMs(err);
    return { delayMs: hinted === undefined ? backoff : Math.max(backoff, hinted) };
  };

  private armTimer(): void {
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.delayTimer = undefined;
    const next = this.delayed.peek();
    if (next === undefined) return;
    this.delayTimer = setTimeout(
      () => {
        this.delayTimer = undefined;
        for (const key of this.delayed.takeDue(this.now())) this.add(key);
        this.armTimer();
      },
      Math.max(0, next - this.now()),
    );
    this.delayTimer.unref();
  }

  private wake(all = false): void {
    const count = all ? this.waiters.length : Math.min(1, this.waiters.length);
    for (const resolve of this.waiters.splice(0, count)) resolve();
  }

  private reportDepth(): void {
    this.options.onMetrics?.({ kind: 'depth', queue: this.name, depth: this.fifo.length });
  }
}
