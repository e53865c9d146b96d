/**
 * Just enough of Kubernetes' resource.Quantity for the downward API: parse the serialized form
 * exactly (as a fraction of big integers, so `0.1` or `1.5Gi` never pick up float error) and
 * read it the way `Quantity.Value()` and `MilliValue()` do, rounding away from zero.
 */
import { InvalidInputError } from '../errors/errors.ts';

/** An exact rational value: numerator / denominator, denominator > 0. */
export interface Quantity {
  readonly num: bigint;
  readonly den: bigint;
}

const BINARY: Readonly<Record<string, bigint>> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};

/** Decimal SI suffixes as powers of ten. */
const DECIMAL: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const FORMAT = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

export const ZERO: Quantity = { num: 0n, den: 1n };

export function parseQuantity(text: string): Quantity {
  const match = FORMAT.exec(text.trim());
  const whole = match?.[2] ?? '';
  const fraction = match?.[3] ?? '';
  if (!match || (whole === '' && fraction === '')) {
    throw new InvalidInputError(`invalid quantity ${JSON.stringify(text)}`);
  }
  const sign = match[1] === '-' ? -1n : 1n;
  let num = sign * BigInt(whole + fraction || '0');
  let den = 10n ** BigInt(fraction.length);
  const suffix = match[4];
  const binary = suffix === undefined ? undefined : BINARY[suffix];
  if (binary !== undefined) {
    num *= binary;
  } else {
    const exponent = match[5] !== undefined ? Number(match[5]) : (DECIMAL[suffix ?? ''] ?? 0);
    if (exponent >= 0) num *= 10n ** BigInt(exponent);
    else den *= 10n ** BigInt(-exponent);
  }
  return { num, den };
}

/** The quantity multiplied by `scale`, as an integer rounded away from zero. */
function scaledAwayFromZero(q: Quantity, scale: bigint): bigint {
  const n = q.num * scale;
  const whole = n / q.den;
  return n % q.den === 0n ? whole : whole + (n < 0n ? -1n : 1n);
}

/** `Quantity.Value()`: whole units, rounded away from zero. */
export function value(q: Quantity): bigint {
  return scaledAwayFromZero(q, 1n);
}

/** `Quantity.MilliValue()`: thousandths, rounded away from zero. */
export function milliValue(q: Quantity): bigint {
  return scaledAwayFromZero(q, 1000n);
}

export function isZero(q: Quantity): boolean {
  return q.num === 0n;
}
