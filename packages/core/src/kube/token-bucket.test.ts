import { describe, expect, it } from 'vitest';
import { isInvalidInput } from '../errors/errors.ts';
import type { Sleep } from './clock.ts';
import { TokenBucket } from './token-bucket.ts';

/** A clock that only moves when told, and a sleep that records and moves it. */
function manualTime(): {
  now: () => number;
  advance: (ms: number) => void;
  sleeps: number[];
  sleep: Sleep;
} {
  let t = 1_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    advance: ms => {
      t += ms;
    },
    sleeps,
    sleep: ms => {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

const never = new AbortController().signal;

describe(TokenBucket, () => {
  it('lets a burst through at once, then spaces requests at 1/qps', async () => {
    const time = manualTime();
    const bucket = new TokenBucket({ qps: 10, burst: 3, now: time.now, sleep: time.sleep });
    const waits: number[] = [];
    for (let i = 0; i < 3; i += 1) waits.push(await bucket.acquire(never));
    expect(waits).toEqual([0, 0, 0]);
    expect(time.sleeps).toEqual([]);
    // Empty: each further token is 100 ms after the previous one.
    expect(bucket.reserve()).toBeCloseTo(100);
    expect(bucket.reserve()).toBeCloseTo(200);
    expect(bucket.reserve()).toBeCloseTo(300);
  });

  it('refills at qps, but never above burst', () => {
    const time = manualTime();
    const bucket = new TokenBucket({ qps: 5, burst: 4, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 4; i += 1) expect(bucket.tryAcquire()).toBe(true);
    expect(bucket.tryAcquire()).toBe(false);
    time.advance(200); // one token at 5 qps
    expect(bucket.available).toBeCloseTo(1);
    expect(bucket.tryAcquire()).toBe(true);
    expect(bucket.tryAcquire()).toBe(false);
    time.advance(60_000);
    expect(bucket.available).toBe(4);
  });

  it('makes a waiter sleep exactly until its token is due', async () => {
    const time = manualTime();
    const bucket = new TokenBucket({ qps: 2, burst: 1, now: time.now, sleep: time.sleep });
    expect(await bucket.acquire(never)).toBe(0);
    expect(await bucket.acquire(never)).toBe(500);
    time.advance(100);
    expect(await bucket.acquire(never)).toBe(400);
    expect(time.sleeps).toEqual([500, 400]);
  });

  it('gives the token back when the waiter is aborted', async () => {
    const time = manualTime();
    const controller = new AbortController();
    const sleep: Sleep = ms => {
      time.sleeps.push(ms);
      controller.abort(new Error('caller gave up'));
      return Promise.resolve();
    };
    const bucket = new TokenBucket({ qps: 1, burst: 1, now: time.now, sleep });
    expect(bucket.tryAcquire()).toBe(true);
    await expect(bucket.acquire(controller.signal)).rejects.toThrow('caller gave up');
    expect(bucket.available).toBeCloseTo(0);
    await expect(bucket.acquire(controller.signal)).rejects.toThrow('caller gave up');
  });

  it('never waits when unlimited (qps Infinity)', async () => {
    const time = manualTime();
    const bucket = new TokenBucket({ qps: Infinity, burst: 1, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 10_000; i += 1) expect(await bucket.acquire(never)).toBe(0);
    expect(bucket.unlimited).toBe(true);
    expect(time.sleeps).toEqual([]);
  });

  it('defaults to the kubelet limits and rejects nonsense', () => {
    const bucket = new TokenBucket();
    expect([bucket.qps, bucket.burst]).toEqual([50, 100]);
    expect(() => new TokenBucket({ qps: 0 })).toThrow(/qps/);
    let caught: unknown;
    try {
      new TokenBucket({ burst: 0.5 });
    } catch (err) {
      caught = err;
    }
    expect(isInvalidInput(caught)).toBe(true);
  });
});
