/**
 * Kubernetes resource quantities ("100m", "1.5Gi", "2e3"): the grammar of
 * k8s.io/apimachinery's Quantity, read into a plain number of base units (cores, bytes, pods).
 * A float is exact enough for what the mock does with it: validating capacity and deriving
 * usage figures.
 */

const QUANTITY =
  /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|([numkMGTPE]))?$/;

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The quantity's value in base units, or undefined when `text` is not a quantity. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const [, number, binary, exponent, decimal] = match;
  const mantissa = Number(number);
  if (binary !== undefined) return mantissa * (BINARY[binary] ?? 1);
  if (exponent !== undefined) return mantissa * 10 ** Number(exponent);
  if (decimal !== undefined) return mantissa * (DECIMAL[decimal] ?? 1);
  return mantissa;
}
