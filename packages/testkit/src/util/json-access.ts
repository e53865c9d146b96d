/** Reading fields of untyped JSON (request bodies, stored objects) without casts at every use. */
import { isPlainObject } from '../kube-object.ts';

export type JsonObject = Record<string, unknown>;

/** The value if it is a JSON object, else an empty one. */
export function asObject(value: unknown): JsonObject {
  return isPlainObject(value) ? value : {};
}

/** The object elements of a JSON array; anything else is an empty list. */
export function asObjectArray(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

/** Text for a field meant to be a string; non-strings are rendered as JSON, absent as ''. */
export function asString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}
