import { describe, expect, it } from 'vitest';
import { parseQuantity } from './quantity.ts';

describe('parseQuantity', () => {
  it('reads every suffix of the Quantity grammar', () => {
    expect(
      ['20', '100m', '1.5', '.5', '5.', '2Ki', '1Mi', '100Gi', '1Ti', '1Pi', '1Ei'].map(
        parseQuantity,
      ),
    ).toEqual([20, 0.1, 1.5, 0.5, 5, 2048, 2 ** 20, 100 * 2 ** 30, 2 ** 40, 2 ** 50, 2 ** 60]);
    expect(['1n', '1u', '1k', '1M', '1G', '1T', '1P', '1E'].map(parseQuantity)).toEqual([
      1e-9, 1e-6, 1e3, 1e6, 1e9, 1e12, 1e15, 1e18,
    ]);
    expect(['1e3', '1.5E-3', '-2', '+3m'].map(parseQuantity)).toEqual([1000, 0.0015, -2, 0.003]);
  });

  it('rejects what is not a quantity', () => {
    expect(['', 'lots', '1KB', '1 Gi', 'Gi', '1.2.3', '1e', '--1'].map(parseQuantity)).toEqual(
      Array(8).fill(undefined),
    );
  });
});
