import { describe, expect, it } from 'vitest';
import { imageID } from './ids.ts';
import { memoize } from './memo.ts';
import { rfc3339 } from './time.ts';

describe('memoize', () => {
  it('computes once per key, and starts over when full', () => {
    let calls = 0;
    const twice = memoize((n: number) => {
      calls += 1;
      return n * 2;
    }, 2);
    expect([twice(1), twice(1), twice(2), twice(1)]).toEqual([2, 2, 4, 2]);
    expect(calls).toBe(2);
    twice(3); // full: forgets 1 and 2
    twice(1);
    expect(calls).toBe(4);
  });

  it('gives the same timestamps and image digests as before, for every pod alike', () => {
    const t = Date.UTC(2024, 0, 1, 0, 0, 5);
    expect(rfc3339(t + 999)).toBe('2024-01-01T00:00:05Z');
    expect(rfc3339(t)).toBe(rfc3339(t + 500));
    expect(rfc3339(t + 1000)).toBe('2024-01-01T00:00:06Z');
    expect(imageID('nginx:1.27')).toMatch(/^nginx@sha256:[0-9a-f]{64}$/);
    expect(imageID('registry:5000/app:v1')).toMatch(/^registry:5000\/app@sha256:/);
    expect(imageID('nginx:1.27')).not.toBe(imageID('nginx:1.28'));
  });
});
