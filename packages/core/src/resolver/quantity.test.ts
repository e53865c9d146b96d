import { describe, expect, it } from 'vitest';
import { milliValue, parseQuantity, value } from './quantity.ts';

describe(parseQuantity, () => {
  it.each([
    ['1', 1n, 1000n],
    ['0', 0n, 0n],
    ['250m', 1n, 250n],
    ['1500m', 2n, 1500n],
    ['0.1', 1n, 100n],
    ['.5', 1n, 500n],
    ['2.', 2n, 2000n],
    ['1k', 1000n, 1_000_000n],
    ['128Mi', 134_217_728n, 134_217_728_000n],
    ['1.5Gi', 1_610_612_736n, 1_610_612_736_000n],
    ['1Ei', 1n << 60n, (1n << 60n) * 1000n],
    ['1e3', 1000n, 1_000_000n],
    ['1E3', 1000n, 1_000_000n],
    ['5E', 5_000_000_000_000_000_000n, 5_000_000_000_000_000_000_000n],
    ['12e-3', 1n, 12n],
    ['1n', 1n, 1n],
    ['100u', 1n, 1n],
    ['-1500m', -2n, -1500n],
    ['+3', 3n, 3000n],
  ])('%s has Value %d and MilliValue %d (rounded away from zero)', (input, v, mv) => {
    const q = parseQuantity(input);
    expect(value(q)).toBe(v);
    expect(milliValue(q)).toBe(mv);
  });

  it.each(['', 'abc', '1Zi', '1.2.3', 'Mi', '1 Mi', '1e'])('rejects %j', input => {
    expect(() => parseQuantity(input)).toThrow(/invalid quantity/);
  });
});
