import { describe, expect, it } from 'vitest';
import { NotFoundError, ThrottledError, TransientError } from '../errors/errors.ts';
import { Backoff } from './backoff.ts';
import type { Sleep } from './clock.ts';
import { withRetry } from './retry.ts';

describe(Backoff, () => {
  it('doubles up to the cap and resets', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoff.attempts).toBe(6);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('adds up to jitter times the delay', () => {
    expect(new Backoff({ initialMs: 100, jitter: 0.5 }, () => 0).next()).toBe(100);
    expect(new Backoff({ initialMs: 100, jitter: 0.5 }, () => 0.999).next()).toBe(150);
    expect(new Backoff({ initialMs: 100, jitter: 1 }, () => 0.5).next()).toBe(150);
  });

  it('refuses a schedule that makes no sense', () => {
    expect(() => new Backoff({ initialMs: 10, maxMs: 5 })).toThrow(/initialMs/);
    expect(() => new Backoff({ jitter: -1 })).toThrow(/jitter/);
  });
});

describe(withRetry, () => {
  const recorder = (): { sleeps: number[]; sleep: Sleep } => {
    const sleeps: number[] = [];
    return {
      sleeps,
      sleep: ms => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    };
  };
  const signal = new AbortController().signal;

  it('retries Transient errors on the backoff schedule', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    const result = await withRetry(
      async attempt => {
        calls += 1;
        if (attempt < 2) throw new TransientError('503');
        return Promise.resolve('ok');
      },
      { retries: 5, backoff: { initialMs: 10, jitter: 0 }, signal, sleep },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(sleeps).toEqual([10, 20]);
  });

  it('waits what Retry-After asked for on Throttled', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    await withRetry(
      () => {
        calls += 1;
        return calls === 1
          ? Promise.reject(new ThrottledError('429', { retryAfterMs: 1234 }))
          : Promise.resolve();
      },
      { retries: 1, backoff: { initialMs: 10 }, signal, sleep },
    );
    expect(sleeps).toEqual([1234]);
  });

  it('does not retry other errors, and gives up after `retries`', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    await expect(
      withRetry(
        () => {
          calls += 1;
          return Promise.reject(new NotFoundError('gone'));
        },
        { retries: 3, signal, sleep },
      ),
    ).rejects.toThrow('gone');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetry(
        () => {
          calls += 1;
          return Promise.reject(new TransientError(`try ${calls}`));
        },
        { retries: 2, backoff: { jitter: 0 }, signal, sleep },
      ),
    ).rejects.toThrow('try 3');
    expect(sleeps).toEqual([800, 1600]);
  });

  it('stops with the abort reason when aborted while waiting', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    let calls = 0;
    await expect(
      withRetry(
        () => {
          calls += 1;
          return Promise.reject(new TransientError('x'));
        },
        {
          retries: 10,
          signal: controller.signal,
          sleep: () => {
            controller.abort(reason);
            return Promise.resolve();
          },
        },
      ),
    ).rejects.toBe(reason);
    expect(calls).toBe(1);
  });
});
