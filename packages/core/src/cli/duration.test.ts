import { describe, expect, it } from 'vitest';
import { parseGoDuration } from './duration.ts';
import { CliUsageError } from './errors.ts';

describe('parseGoDuration', () => {
  it.each([
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['5m0s', 300_000],
    ['100ms', 100],
    ['2h', 7_200_000],
    ['2h45m', 9_900_000],
    ['1.5h', 5_400_000],
    ['1.1s', 1100],
    ['.5s', 500],
    ['1.s', 1000],
    ['100ns', 0.0001],
    ['250us', 0.25],
    ['250µs', 0.25],
    ['250μs', 0.25],
    ['1h1m1s1ms', 3_661_001],
    ['0', 0],
    ['0s', 0],
    ['+5s', 5000],
    ['-5s', -5000],
    ['-0', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each([
    ['', 'invalid duration "": empty (e.g. 30s, 1m30s, 100ms, 2h)'],
    ['30', 'invalid duration "30": missing unit (e.g. 30s, 1m30s, 100ms, 2h)'],
    ['1h2', 'invalid duration "1h2": missing unit (e.g. 30s, 1m30s, 100ms, 2h)'],
    [
      '1d',
      'invalid duration "1d": unknown unit "d" (use ns, us, ms, s, m or h) (e.g. 30s, 1m30s, 100ms, 2h)',
    ],
    [
      '30 s',
      'invalid duration "30 s": unknown unit " s" (use ns, us, ms, s, m or h) (e.g. 30s, 1m30s, 100ms, 2h)',
    ],
    ['abc', 'invalid duration "abc": expected a number (e.g. 30s, 1m30s, 100ms, 2h)'],
    ['.s', 'invalid duration ".s": expected a number (e.g. 30s, 1m30s, 100ms, 2h)'],
    ['-', 'invalid duration "-": empty (e.g. 30s, 1m30s, 100ms, 2h)'],
    ['3000000h', 'invalid duration "3000000h": too large (e.g. 30s, 1m30s, 100ms, 2h)'],
  ])('rejects %j', (text, message) => {
    expect(() => parseGoDuration(text)).toThrow(new CliUsageError(message));
  });
});
