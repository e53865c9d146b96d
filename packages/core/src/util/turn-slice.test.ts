import { describe, expect, it } from 'vitest';
import { TurnSlice } from './turn-slice.ts';

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe(TurnSlice, () => {
  it('lets a run of microtasks go on within its budget and yields to a waiting timer after it', async () => {
    const slice = new TurnSlice(10);
    let timerFiredAfter: number | undefined;
    let done = 0;
    setTimeout(() => (timerFiredAfter = done), 0);
    busy(2); // the timer is due
    for (let i = 0; i < 200; i++) {
      busy(0.2);
      done += 1;
      const pause = slice.pause();
      if (pause) await pause;
      else await Promise.resolve();
    }
    // 200 × 0.2 ms = 40 ms of work: the timer ran after about the first 10 ms of it, not at the end.
    expect(timerFiredAfter).toBeDefined();
    expect(timerFiredAfter).toBeLessThan(200);
  });

  it('does not pause work that gives the loop turns of its own', async () => {
    const slice = new TurnSlice(10);
    let pauses = 0;
    for (let i = 0; i < 30; i++) {
      await new Promise(r => setTimeout(r, 1)); // I/O-like: a macrotask per item
      busy(1);
      if (slice.pause()) pauses += 1;
    }
    expect(pauses).toBe(0);
  });
});
