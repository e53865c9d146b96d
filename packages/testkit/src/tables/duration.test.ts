import { describe, expect, it } from 'vitest';
import { humanDuration, timestampSince } from './duration.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe(humanDuration, () => {
  it.each([
    [-2 * s, '<invalid>'],
    [-1999, '0s'],
    [-1 * s, '0s'],
    [0, '0s'],
    [999, '0s'],
    [1999, '1s'],
    [5 * s, '5s'],
    [119 * s, '119s'],
    [120 * s, '2m'],
    [2 * m + s, '2m1s'],
    [3 * m + 2 * s, '3m2s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m, '10m'],
    [10 * m + 59 * s, '10m'],
    [179 * m + 59 * s, '179m'],
    [3 * h, '3h'],
    [3 * h + m, '3h1m'],
    [4 * h, '4h'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h, '8h'],
    [47 * h + 59 * m, '47h'],
    [48 * h, '2d'],
    [2 * d + 3 * h, '2d3h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [2 * y - d, '729d'],
    [2 * y, '2y'],
    [2 * y + 7 * d, '2y7d'],
    [8 * y - d, '7y364d'],
    [8 * y, '8y'],
    [8 * y + 100 * d, '8y'],
  ])('%i ms is %s', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});

describe(timestampSince, () => {
  const now = new Date('2024-05-01T12:00:00Z');

  it('measures from an RFC3339 timestamp', () => {
    expect(timestampSince('2024-05-01T11:57:00Z', now)).toBe('3m');
    expect(timestampSince('2024-05-01T11:59:58.500000Z', now)).toBe('1s');
  });

  it('prints <unknown> for a missing or zero time', () => {
    expect(timestampSince(undefined, now)).toBe('<unknown>');
    expect(timestampSince(null, now)).toBe('<unknown>');
    expect(timestampSince('', now)).toBe('<unknown>');
    expect(timestampSince('0001-01-01T00:00:00Z', now)).toBe('<unknown>');
  });
});
