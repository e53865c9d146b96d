import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../observability/logger.ts';
import {
  HeapCompactor,
  eventLoopBusyFraction,
  lastResortCollection,
  type HeapCompactorOptions,
} from './heap-compactor.ts';

const MB = 2 ** 20;

/** A compactor over a fake process: the test sets memory, load and time. */
function harness(options: Partial<HeapCompactorOptions> = {}) {
  const state = { now: 0, busy: 0, rss: 200 * MB, heap: 100 * MB, collections: 0, pauseMs: 100 };
  const compactor = new HeapCompactor({
    logger: silentLogger,
    now: () => state.now,
    busyFraction: () => state.busy,
    rss: () => state.rss,
    heapUsed: () => state.heap,
    collect: () => {
      state.collections++;
      state.now += state.pauseMs;
      state.rss -= 50 * MB;
      state.heap -= 5 * MB;
    },
    ...options,
  });
  /** Advances the clock by `ms` and checks, as the run loop does each second. */
  const tick = (ms = 1000) => {
    state.now += ms;
    return compactor.check();
  };
  return { state, compactor, tick };
}

describe('HeapCompactor', () => {
  it('compacts once the loop has been quiet for quietForMs, and reports what it freed', () => {
    const { state, tick } = harness();
    expect(tick()).toBeUndefined(); // quiet from here
    expect(tick()).toBeUndefined(); // 1 s quiet
    const done = tick(); // 2 s quiet
    expect(done).toEqual({
      rssBefore: 200 * MB,
      rssAfter: 150 * MB,
      heapBefore: 100 * MB,
      heapAfter: 95 * MB,
      durationMs: 100,
    });
    expect(state.collections).toBe(1);
  });

  it('waits while the loop is busy, and a busy moment starts the quiet spell over', () => {
    const { state, tick } = harness();
    state.rss = 60 * MB; // under four times the 16 MB worth compacting: quiet means under 5 %
    state.busy = 0.5;
    for (let i = 0; i < 10; i++) expect(tick()).toBeUndefined();
    state.busy = 0.01;
    tick();
    tick();
    state.busy = 0.06; // just over the 5 % a quiet loop may use
    tick();
    state.busy = 0;
    tick();
    tick();
    expect(state.collections).toBe(0);
    tick();
    expect(state.collections).toBe(1);
  });

  it('counts a quarter-busy loop as quiet when memory grew four times what is worth it', () => {
    const { state, tick } = harness({ quietForMs: 0 });
    state.rss = 64 * MB; // 4 × 16 MB over nothing compacted yet
    state.busy = 0.3;
    for (let i = 0; i < 5; i++) tick();
    expect(state.collections).toBe(0);
    state.busy = 0.2;
    tick();
    expect(state.collections).toBe(1); // 14 MB left
    state.rss = 14 * MB + 63 * MB; // compaction worth it, but under 4 × 16 MB: 5 % again
    for (let i = 0; i < 15; i++) tick();
    expect(state.collections).toBe(1);
    state.busy = 0.01;
    tick();
    expect(state.collections).toBe(2);
  });

  it('compacts again only after memory grew by a quarter of what the last one left (and 16 MB)', () => {
    const { state, tick } = harness();
    for (let i = 0; i < 3; i++) tick();
    expect(state.collections).toBe(1); // 150 MB left
    state.rss = 150 * MB + 37 * MB; // 37.5 MB needed
    for (let i = 0; i < 20; i++) tick();
    expect(state.collections).toBe(1);
    state.rss = 150 * MB + 38 * MB;
    tick();
    expect(state.collections).toBe(2);
  });

  it('leaves at least minIntervalMs between two compactions', () => {
    const { state, tick } = harness({ minIntervalMs: 30_000, quietForMs: 0 });
    tick();
    expect(state.collections).toBe(1);
    state.rss = 400 * MB;
    for (let i = 0; i < 29; i++) tick();
    expect(state.collections).toBe(1);
    tick(); // 30 s after the first one ended
    expect(state.collections).toBe(2);
  });

  it('needs at least minGrowthBytes even on a small process', () => {
    const { state, tick } = harness({ quietForMs: 0, minIntervalMs: 0 });
    state.rss = 60 * MB;
    tick();
    expect(state.collections).toBe(1); // the first quiet spell after start: 10 MB left
    state.rss = 10 * MB + 15 * MB;
    tick();
    expect(state.collections).toBe(1);
    state.rss = 10 * MB + 16 * MB;
    tick();
    expect(state.collections).toBe(2);
  });

  it('skips a heap whose estimated pause is too long, learning the pause from the last one', () => {
    const { state, tick } = harness({ quietForMs: 0, minIntervalMs: 0, maxPauseMs: 500 });
    state.heap = 200 * MB; // 3 ms per MB assumed: 600 ms
    tick();
    expect(state.collections).toBe(0);
    state.heap = 100 * MB; // 300 ms
    tick();
    expect(state.collections).toBe(1);
    // It took 100 ms for 100 MB: 1 ms per MB from now on, so 400 MB fits in the 500 ms.
    state.heap = 400 * MB;
    state.rss = 500 * MB;
    tick();
    expect(state.collections).toBe(2);
  });

  it('run() checks every checkIntervalMs until its signal aborts', async () => {
    let collections = 0;
    let checks = 0;
    const stop = new AbortController();
    const compactor = new HeapCompactor({
      logger: silentLogger,
      checkIntervalMs: 1,
      quietForMs: 0,
      busyFraction: () => {
        checks++;
        return 0;
      },
      rss: () => 100 * MB,
      heapUsed: () => MB,
      collect: () => {
        collections++;
        stop.abort();
      },
    });
    await compactor.run(stop.signal);
    expect(collections).toBe(1);
    expect(checks).toBeGreaterThanOrEqual(1);
  });

  it('run() stops trying, without throwing, when a collection fails', async () => {
    let calls = 0;
    const compactor = new HeapCompactor({
      logger: silentLogger,
      checkIntervalMs: 1,
      quietForMs: 0,
      busyFraction: () => 0,
      rss: () => 100 * MB,
      heapUsed: () => MB,
      collect: () => {
        calls++;
        throw new Error('no gc here');
      },
    });
    await compactor.run(new AbortController().signal);
    expect(calls).toBe(1);
  });

  it('eventLoopBusyFraction reads the loop as busy while it is blocked', async () => {
    const busy = eventLoopBusyFraction();
    await new Promise(r => setTimeout(r, 20));
    busy(); // start a fresh window
    // 300 ms held against a timer of 1 ms: still over half busy if a loaded machine runs that
    // timer 200 ms late.
    const until = performance.now() + 300;
    while (performance.now() < until) {
      /* hold the loop */
    }
    await new Promise(r => setTimeout(r, 1));
    expect(busy()).toBeGreaterThan(0.5);
    await new Promise(r => setTimeout(r, 100));
    expect(busy()).toBeLessThan(0.5);
  });

  it('has no collection without --expose-gc', () => {
    expect(typeof globalThis.gc === 'function').toBe(lastResortCollection() !== undefined);
  });
});

const SCRIPT = `
const { HeapCompactor, lastResortCollection } = await import(process.argv[1]);
const log = { info() {}, warn() {}, debug() {}, error() {}, child() { return log; } };
// ~120 MB of small objects that outlive a few scavenges, then let go (a burst's leftovers).
let keep = [];
for (let i = 0; i < 600_000; i++) keep.push({ i, s: 'x'.repeat(64) + i, a: [i, i + 1, i + 2] });
for (let i = 0; i < 5; i++) { await new Promise(r => setTimeout(r, 10)); }
keep = null;
await new Promise(r => setTimeout(r, 200));
const compactor = new HeapCompactor({ collect: lastResortCollection(), logger: log, busyFraction: () => 0, quietForMs: 0, maxPauseMs: 10_000 });
process.stdout.write(JSON.stringify(compactor.check()));
`;

describe('HeapCompactor on a real V8 heap', () => {
  it('returns a burst’s freed memory to the system (node --expose-gc)', async () => {
    const moduleUrl = new URL('./heap-compactor.ts', import.meta.url).href;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--max-semi-space-size=16', '--input-type=module', '-e', SCRIPT, moduleUrl],
      { cwd: fileURLToPath(new URL('.', import.meta.url)), timeout: 60_000 },
    );
    const c = JSON.parse(stdout) as { rssBefore: number; rssAfter: number; heapAfter: number };
    expect(c.rssBefore - c.rssAfter).toBeGreaterThan(40 * MB);
    expect(c.heapAfter).toBeLessThan(20 * MB);
  });
});
