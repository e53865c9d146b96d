/**
 * Go's duration syntax (`time.ParseDuration`), because upstream's flags take it and operators'
 * manifests are full of `30s`, `1m30s`, `5m0s`. Parsed in integer nanoseconds, so `1.1s` is
 * exactly 1100 ms rather than a float rounding away from it.
 */
import { CliUsageError } from './errors.ts';

const NS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 micro sign
  ['μs', 1_000n], // U+03BC Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const MAX_NS = 2n ** 63n - 1n; // Go's time.Duration is an int64
const EXAMPLES = 'e.g. 30s, 1m30s, 100ms, 2h';

/**
 * Parses a Go duration (`300ms`, `-1.5h`, `2h45m`, or a bare `0`) into milliseconds, possibly
 * fractional (`100ns` is 0.0001). Throws a CliUsageError that quotes the input otherwise.
 */
export function parseGoDuration(text: string): number {
  const invalid = (why: string): CliUsageError =>
    new CliUsageError(`invalid duration ${JSON.stringify(text)}: ${why} (${EXAMPLES})`);
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid('empty');
  let totalNs = 0n;
  while (rest !== '') {
    const match = /^(\d*)(?:\.(\d*))?([^\d.]*)/.exec(rest);
    const whole = match?.[1] ?? '';
    const fraction = match?.[2] ?? '';
    const unit = match?.[3] ?? '';
    if (whole === '' && fraction === '') throw invalid('expected a number');
    if (unit === '') throw invalid('missing unit');
    const perUnit = NS_PER_UNIT.get(unit);
    if (perUnit === undefined) {
      throw invalid(`unknown unit ${JSON.stringify(unit)} (use ns, us, ms, s, m or h)`);
    }
    totalNs += BigInt(whole === '' ? '0' : whole) * perUnit;
    if (fraction !== '') {
      // Like Go, fractional digits beyond nanosecond precision are truncated.
      const scale = 10n ** BigInt(fraction.length);
      totalNs += (BigInt(fraction) * perUnit) / scale;
    }
    if (totalNs > MAX_NS) throw invalid('too large');
    rest = rest.slice((match?.[0] ?? '').length);
  }
  const ms = Number(totalNs) / 1e6;
  return negative ? -ms : ms;
}
