/** Timestamps in the two formats Kubernetes uses. */
import { memoize } from './memo.ts';

const wholeSeconds = memoize(
  (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z'),
  256,
);

/** `metav1.Time`: RFC 3339 in UTC with whole seconds, e.g. `2024-01-01T00:00:05Z`. */
export function rfc3339(ms: number): string {
  return wholeSeconds(Math.floor(ms / 1000));
}

/**
 * Go's `time.RFC3339Nano` in UTC, as the kubelet prefixes log lines: the fraction keeps only its
 * significant digits (`…:05.25Z`, `…:05Z`).
 */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  const [seconds, fraction = ''] = iso.slice(0, -1).split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed ? `${seconds ?? ''}.${trimmed}Z` : `${seconds ?? ''}Z`;
}
