/**
 * Gives memory back after a burst. V8 grows its young generation and old space for a burst of
 * pods and, once the burst is over, keeps the freed pages: pooled for reuse, or scattered over
 * fragmented old-space pages. Its own memory reducer collects but neither releases the pool nor
 * compacts everything, so a node that took 10,000 pods at once stays ~50 MB above what it holds
 * (docs/benchmarks.md). Once the event loop has been quiet for a while and resident memory has
 * grown well past what the last compaction left, this runs one full compacting collection. When
 * memory has grown a great deal, a loop a quarter busy counts as quiet enough: after a restart
 * the adopted pods' token refreshes keep it a little busy for minutes.
 *
 * The collection pauses the process (2–3 ms per MB of heap here), so it only runs when
 * nothing is happening, at most once per `minIntervalMs`, and never when its estimated pause
 * would exceed `maxPauseMs`.
 */
import { getHeapStatistics } from 'node:v8';
import { describeError } from '../errors/errors.ts';
import { aborted, sleep } from '../util/abort.ts';
import type { Logger } from '../observability/logger.ts';

export interface Compaction {
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly durationMs: number;
}

export interface HeapCompactorOptions {
  /** A full, compacting collection that also returns pooled pages (V8's last-resort GC). */
  readonly collect: () => void;
  readonly logger: Logger;
  /** Resident set size now, in bytes. */
  readonly rss?: () => number;
  /** V8 heap in use now, in bytes. */
  readonly heapUsed?: () => number;
  /** The fraction of time the event loop was busy since the previous call (0..1). */
  readonly busyFraction?: () => number;
  readonly now?: () => number;
  /** Checks this often. @default 1000 */
  readonly checkIntervalMs?: number;
  /** The loop counts as quiet below this busy fraction. @default 0.05 */
  readonly quietBelow?: number;
  /**
   * The busy fraction that still counts as quiet when memory has grown by four times what makes
   * a compaction worth it (a restart's relist, then steady token refreshes). @default 0.25
   */
  readonly quietBelowWhenLarge?: number;
  /** Quiet for this long before compacting. @default 2000 */
  readonly quietForMs?: number;
  /** Growth since the last compaction that makes one worth it: the larger of the two. */
  readonly minGrowthBytes?: number;
  /** @default 0.25: a quarter of what the last compaction left */
  readonly minGrowthRatio?: number;
  /** @default 10000 */
  readonly minIntervalMs?: number;
  /** No compaction whose estimated pause is longer. @default 1000 */
  readonly maxPauseMs?: number;
  readonly onCompaction?: (c: Compaction) => void;
}

/** Pause per byte of heap assumed before the first compaction has measured it (3 ms per MB). */
const INITIAL_MS_PER_BYTE = 3 / 2 ** 20;

/** Busy fraction of the event loop between calls, from Node's event-loop utilization. */
export function eventLoopBusyFraction(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const current = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(current, last);
    last = current;
    return delta.utilization;
  };
}

export class HeapCompactor {
  readonly #o: HeapCompactorOptions;
  readonly #rss: () => number;
  readonly #heapUsed: () => number;
  readonly #busy: () => number;
  readonly #now: () => number;
  /** What the last compaction left; 0 at first, so the first quiet spell after start compacts. */
  #baseline = 0;
  #lastAt = -Infinity;
  #quietSince: number | undefined;
  #msPerByte = INITIAL_MS_PER_BYTE;
  #skippedForPause = false;

  constructor(options: HeapCompactorOptions) {
    this.#o = options;
    this.#rss = options.rss ?? (() => process.memoryUsage.rss());
    this.#heapUsed = options.heapUsed ?? (() => getHeapStatistics().used_heap_size);
    this.#busy = options.busyFraction ?? eventLoopBusyFraction();
    this.#now = options.now ?? (() => performance.now());
  }

  async run(signal: AbortSignal): Promise<void> {
    const interval = this.#o.checkIntervalMs ?? 1000;
    while (!signal.aborted) {
      await sleep(interval, signal);
      if (aborted(signal)) return;
      try {
        this.check();
      } catch (err) {
        // Memory upkeep must never take the node down: give up on it instead.
        this.#o.logger.warn({ err: describeError(err) }, 'heap compaction failed: no more tries');
        return;
      }
    }
  }

  /** One look: compacts when the loop has been quiet long enough and memory has grown. */
  check(): Compaction | undefined {
    const now = this.#now();
    const busy = this.#busy();
    const rss = this.#rss();
    const worthIt = Math.max(
      this.#o.minGrowthBytes ?? 16 * 2 ** 20,
      this.#baseline * (this.#o.minGrowthRatio ?? 0.25),
    );
    const growth = rss - this.#baseline;
    const quietBelow =
      growth >= 4 * worthIt ? (this.#o.quietBelowWhenLarge ?? 0.25) : (this.#o.quietBelow ?? 0.05);
    if (busy >= quietBelow) {
      this.#quietSince = undefined;
      return undefined;
    }
    this.#quietSince ??= now;
    if (now - this.#quietSince < (this.#o.quietForMs ?? 2000)) return undefined;
    if (now - this.#lastAt < (this.#o.minIntervalMs ?? 10_000)) return undefined;
    if (growth < worthIt) return undefined;
    const heapBefore = this.#heapUsed();
    const maxPauseMs = this.#o.maxPauseMs ?? 1000;
    if (heapBefore * this.#msPerByte > maxPauseMs) {
      if (!this.#skippedForPause) {
        this.#o.logger.info(
          { heapMB: mb(heapBefore), maxPauseMs },
          'heap too large to compact within the pause allowed: left to V8',
        );
        this.#skippedForPause = true;
      }
      return undefined;
    }
    this.#skippedForPause = false;
    const started = this.#now();
    this.#o.collect();
    const durationMs = this.#now() - started;
    const compaction: Compaction = {
      rssBefore: rss,
      rssAfter: this.#rss(),
      heapBefore,
      heapAfter: this.#heapUsed(),
      durationMs,
    };
    this.#baseline = compaction.rssAfter;
    this.#lastAt = this.#now();
    this.#quietSince = undefined;
    if (heapBefore > 0) this.#msPerByte = durationMs / heapBefore;
    this.#o.logger.info(
      {
        rssMB: [mb(compaction.rssBefore), mb(compaction.rssAfter)],
        heapMB: [mb(heapBefore), mb(compaction.heapAfter)],
        ms: Math.round(durationMs),
      },
      'heap compacted after a quiet spell',
    );
    this.#o.onCompaction?.(compaction);
    return compaction;
  }
}

const mb = (bytes: number): number => Math.round(bytes / 2 ** 17) / 8;

/**
 * The collection `HeapCompactor` needs, when the process runs with `--expose-gc` (the apps' bins
 * set it); undefined otherwise.
 */
export function lastResortCollection(): (() => void) | undefined {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') return undefined;
  return () => {
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  };
}
