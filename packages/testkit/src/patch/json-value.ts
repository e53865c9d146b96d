/** Plain-JSON helpers shared by the three patch formats. */

import { ApiError } from '../api-error.ts';
import { isPlainObject, type Json } from '../kube-object.ts';

export type JsonObject = { [key: string]: Json };

export function isJsonObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isContainer(value: Json | undefined): value is JsonObject | Json[] {
  return typeof value === 'object' && value !== null;
}

// Keys come from request bodies: "__proto__" or "constructor" must stay plain data,
// never reach (or replace) the prototype.
export function getOwn(object: JsonObject, key: string): Json | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function setOwn(object: JsonObject, key: string, value: Json): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export function deleteOwn(object: JsonObject, key: string): void {
  Reflect.deleteProperty(object, key);
}

/** A deep, validated copy: patches work on copies so callers' objects never change. */
export function toJson(value: unknown): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
  } else if (Array.isArray(value)) {
    return value.map(toJson);
  } else if (isPlainObject(value) && isDataPrototype(Object.getPrototypeOf(value))) {
    const copy: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) setOwn(copy, key, toJson(item));
    }
    return copy;
  }
  throw ApiError.internal(`not a JSON value: ${typeof value}`);
}

// Only what JSON.parse produces: a Date, Map or class instance is not a JSON object.
function isDataPrototype(prototype: unknown): boolean {
  return prototype === Object.prototype || prototype === null;
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return (
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => deepEqual(item, b[i] ?? null))
    );
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every(key => {
        const other = getOwn(b, key);
        return other !== undefined && deepEqual(a[key] ?? null, other);
      })
    );
  }
  return false;
}

/**
 * Go's `==` on decoded JSON scalars, as the strategic merge code compares merge keys and
 * primitive list items. JSON null and a missing key are both Go's nil.
 */
export function sameScalar(a: Json | undefined, b: Json | undefined): boolean {
  const left = a ?? undefined;
  const right = b ?? undefined;
  if (isContainer(left) || isContainer(right)) return false;
  return left === right;
}

/** The word Go's encoding/json uses for a JSON value in "cannot unmarshal X" errors. */
export function jsonTypeWord(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}
