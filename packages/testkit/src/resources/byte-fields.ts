/**
 * Fields whose Go type is `map[string][]byte`: JSON carries them as base64, and the decoder
 * fails on bad base64 before any validation runs (the first bad value, in document order).
 */
import { isPlainObject, type KubeObject } from '../kube-object.ts';
import { goBase64ErrorOffset } from '../util/go-base64.ts';

const BYTE_MAPS: Readonly<Record<string, readonly string[]>> = {
  secrets: ['data'],
  configmaps: ['binaryData'],
};

/** The Go decoder's error for a stored `resource` object, or undefined when it decodes. */
export function byteFieldDecodeError(resource: string, object: KubeObject): string | undefined {
  for (const field of BYTE_MAPS[resource] ?? []) {
    const map = object[field];
    if (!isPlainObject(map)) continue;
    for (const value of Object.values(map)) {
      if (typeof value !== 'string') continue;
      const offset = goBase64ErrorOffset(value);
      if (offset !== undefined) return `illegal base64 data at input byte ${String(offset)}`;
    }
  }
  return undefined;
}

/**
 * Rewrites byte fields the way the server echoes them: decoded and encoded again, so line
 * breaks and stray low bits (which Go's decoder accepts) do not survive. Call after
 * byteFieldDecodeError found nothing.
 */
export function canonicalizeByteFields(resource: string, object: KubeObject): void {
  for (const field of BYTE_MAPS[resource] ?? []) {
    const map = object[field];
    if (!isPlainObject(map)) continue;
    for (const [key, value] of Object.entries(map)) {
      if (typeof value === 'string') map[key] = Buffer.from(value, 'base64').toString('base64');
    }
  }
}
