/** Safe reads from untyped JSON objects: a wrong shape reads as absent, never throws. */
import { isPlainObject } from '../kube-object.ts';

export type PathStep = string | number;

/** The value at `path` under `value`, or undefined where the path does not exist. */
export function at(value: unknown, ...path: readonly PathStep[]): unknown {
  let current = value;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = (current as unknown[])[step];
    } else {
      if (!isPlainObject(current)) return undefined;
      current = current[step];
    }
  }
  return current;
}

/** A string, or '' for anything else (Go's zero value). */
export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** An integer, or 0 for anything else. */
export function int(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0;
}

/** An array, or [] for anything else. */
export function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

/** A JSON object, or {} for anything else. */
export function obj(value: unknown): Readonly<Record<string, unknown>> {
  return isPlainObject(value) ? value : {};
}

/** The first non-empty string, or ''. */
export function firstNonEmpty(...values: readonly unknown[]): string {
  for (const v of values) if (typeof v === 'string' && v.length > 0) return v;
  return '';
}
