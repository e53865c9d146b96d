import { describe, expect, it } from 'vitest';
import { ThrottledError } from '../errors/errors.ts';
import { WorkQueue } from './work-queue.ts';

const tick = (ms = 0) => new Promise(r => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met');
    await tick(5);
  }
}

describe(WorkQueue, () => {
  it('processes each queued key once, de-duplicating adds', async () => {
    const q = new WorkQueue({ name: 't' });
    const seen: string[] = [];
    q.add('a');
    q.add('b');
    q.add('a');
    const ac = new AbortController();
    const running = q.run(async key => void seen.push(key), 2, ac.signal);
    await until(() => seen.length === 2);
    await tick(20);
    ac.abort();
    await running;
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  it('gives the event loop a turn while workers that need no I/O go through thousands of keys', async () => {
    const q = new WorkQueue({ name: 't' });
    for (let i = 0; i < 5_000; i++) q.add(`k${i}`);
    let processed = 0;
    let timerSawProcessed: number | undefined;
    const ac = new AbortController();
    const running = q.run(
      async () => {
        const end = performance.now() + 0.02;
        while (performance.now() < end);
        processed += 1;
      },
      4,
      ac.signal,
    );
    setTimeout(() => (timerSawProcessed = processed), 0);
    await until(() => processed === 5_000, 10_000);
    ac.abort();
    await running;
    // 5,000 × 20 µs is 100 ms of work; a timer due at once runs within its first slice.
    expect(timerSawProcessed).toBeLessThan(5_000);
  });

  it('re-processes a key added while in flight, never concurrently', async () => {
    const q = new WorkQueue({ name: 't' });
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const ac = new AbortController();
    const running = q.run(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        if (runs === 1) q.add('k');
        await tick(20);
        active--;
      },
      4,
      ac.signal,
    );
    q.add('k');
    await until(() => runs === 2);
    await tick(30);
    ac.abort();
    await running;
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
  });

  it('retries failures with exponential backoff, honouring Retry-After, and forgets on success', async () => {
    const times: number[] = [];
    const q = new WorkQueue({ name: 't', baseDelayMs: 20, maxDelayMs: 1000 });
    const ac = new AbortController();
    const running = q.run(
      async () => {
        times.push(Date.now());
        if (times.length === 1) throw new Error('boom');
        if (times.length === 2) throw new ThrottledError('slow', { retryAfterMs: 120 });
      },
      1,
      ac.signal,
    );
    q.add('k');
    await until(() => times.length === 3);
    ac.abort();
    await running;
    expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual(18);
    expect((times[2] as number) - (times[1] as number)).toBeGreaterThanOrEqual(110);
    expect(q.attempts('k')).toBe(0);
  });

  it('gives up after maxAttempts and reports it once', async () => {
    const gaveUp: [string, number][] = [];
    const q = new WorkQueue({
      name: 't',
      baseDelayMs: 1,
      maxAttempts: 3,
      onGiveUp: (k, _e, n) => gaveUp.push([k, n]),
    });
    let calls = 0;
    const ac = new AbortController();
    const running = q.run(
      async () => {
        calls++;
        throw new Error('always');
      },
      1,
      ac.signal,
    );
    q.add('k');
    await until(() => gaveUp.length === 1);
    await tick(30);
    ac.abort();
    await running;
    expect(calls).toBe(3);
    expect(gaveUp).toEqual([['k', 3]]);
  });

  it('does not delay fresh work behind a key waiting for its retry', async () => {
    const q = new WorkQueue({ name: 't', baseDelayMs: 10_000 });
    const seen: string[] = [];
    const ac = new AbortController();
    const running = q.run(
      async key => {
        seen.push(key);
        if (key === 'bad') throw new Error('x');
      },
      1,
      ac.signal,
    );
    q.add('bad');
    await until(() => seen.includes('bad'));
    q.add('good');
    await until(() => seen.includes('good'));
    expect(q.pending).toBe(1);
    ac.abort();
    await running;
  });

  it('addAfter queues later, and the earlier of two times wins', async () => {
    const q = new WorkQueue({ name: 't' });
    const seen: number[] = [];
    const start = Date.now();
    const ac = new AbortController();
    const running = q.run(async () => void seen.push(Date.now() - start), 1, ac.signal);
    q.addAfter('k', 500);
    q.addAfter('k', 40);
    await until(() => seen.length === 1);
    await tick(600);
    ac.abort();
    await running;
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThanOrEqual(35);
    expect(seen[0]).toBeLessThan(450);
  });

  it('stops cleanly on abort, letting in-flight work finish', async () => {
    const q = new WorkQueue({ name: 't' });
    let finished = false;
    const ac = new AbortController();
    const running = q.run(
      async () => {
        await tick(50);
        finished = true;
      },
      1,
      ac.signal,
    );
    q.add('k');
    await tick(10);
    ac.abort();
    await running;
    expect(finished).toBe(true);
    q.add('after');
    expect(q.depth).toBe(0);
  });

  it('releases delayed keys in due order; an earlier time wins, a later one is ignored', async () => {
    // The clock stands still while the keys are added, so each is due exactly its delay after the
    // same instant: adds that straddled a millisecond made a key due 1 ms later than its delay
    // says, after a key whose delay is 1 ms longer.
    let frozenAt: number | undefined = Date.now();
    const q = new WorkQueue({ name: 't', now: () => frozenAt ?? Date.now() });
    const seen: string[] = [];
    // Scattered delays (a pseudo-random order), each key once.
    const delays = Array.from({ length: 200 }, (_, i) => 10 + ((i * 37) % 200));
    delays.forEach((d, i) => {
      q.addAfter(`k${i}`, d);
    });
    q.addAfter('k0', 500); // later than its 10 ms: ignored
    q.addAfter('k1', 5); // earlier than its 47 ms: moves up
    frozenAt = undefined;
    expect(q.pending).toBe(200);
    const ac = new AbortController();
    const running = q.run(async key => void seen.push(key), 1, ac.signal);
    await until(() => seen.length === 200);
    ac.abort();
    await running;
    const dueOf = (key: string): number => {
      const i = Number(key.slice(1));
      return i === 1 ? 5 : (delays[i] as number);
    };
    // Keys due in the same millisecond may come out in any order; due times never go backwards.
    const dues = seen.map(dueOf);
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    expect(seen[0]).toBe('k1');
    expect(new Set(seen).size).toBe(200);
  });
});
