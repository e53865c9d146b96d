/** The `$`-directives of a strategic merge patch and how their keys are read. */

import type { Json } from '../kube-object.ts';
import { getOwn, isJsonObject, setOwn, type JsonObject } from './json-value.ts';
import { badPatch } from './patch-errors.ts';

export const PATCH = '$patch';
export const RETAIN_KEYS = '$retainKeys';
export const SET_ELEMENT_ORDER = '$setElementOrder';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

type DirectivePrefix = typeof SET_ELEMENT_ORDER | typeof DELETE_FROM_PRIMITIVE_LIST;

const MALFORMED: Readonly<Record<DirectivePrefix, string>> = {
  [SET_ELEMENT_ORDER]: 'invalid patch format of setElementOrder list',
  [DELETE_FROM_PRIMITIVE_LIST]: 'invalid patch format of primitive list',
};

/** The field a parallel-list key (`$setElementOrder/<field>`) is about; 400 when malformed. */
export function directiveField(key: string, prefix: DirectivePrefix): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw badPatch(MALFORMED[prefix]);
  return key.slice(slash + 1);
}

export function hasPatchDirective(value: Json | undefined): value is JsonObject {
  return isJsonObject(value) && getOwn(value, PATCH) !== undefined;
}

function isDirectiveKey(key: string): boolean {
  return (
    key === PATCH ||
    key === RETAIN_KEYS ||
    key.startsWith(SET_ELEMENT_ORDER) ||
    key.startsWith(DELETE_FROM_PRIMITIVE_LIST)
  );
}

/**
 * A patch value stored as is. Directives below it are not interpreted: the apiserver keeps
 * them (and nulls) in its map and they vanish when the map decodes into the Go object, so
 * they are dropped here. With `dropMarked`, a map that carries `$patch` is removed entirely,
 * as the apiserver's removeDirectives does for values with no counterpart in the object.
 * Returns undefined when the value itself is removed.
 */
export function storedPatchValue(value: Json, dropMarked: boolean): Json | undefined {
  if (Array.isArray(value)) return storedPatchList(value, dropMarked);
  if (!isJsonObject(value)) return value;
  if (dropMarked && hasPatchDirective(value)) return undefined;
  const stored: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null || isDirectiveKey(key)) continue;
    const kept = storedPatchValue(item, dropMarked);
    if (kept !== undefined) setOwn(stored, key, kept);
  }
  return stored;
}

/** storedPatchValue for a list: elements removed by `dropMarked` leave no gap. */
export function storedPatchList(list: readonly Json[], dropMarked: boolean): Json[] {
  const kept: Json[] = [];
  for (const item of list) {
    const stored = storedPatchValue(item, dropMarked);
    if (stored !== undefined) kept.push(stored);
  }
  return kept;
}
