/** Strategic merge of one list field (the apiserver's mergeSliceHandler / mergeSlice). */

import type { Json } from '../kube-object.ts';
import { goFormat } from './go-format.ts';
import { PATCH, storedPatchList, storedPatchValue } from './directives.ts';
import {
  findByKey,
  hasKeyValue,
  orderElements,
  partition,
  requireMergeKey,
  sliceElementType,
} from './element-order.ts';
import { getOwn, isJsonObject, sameScalar, type JsonObject } from './json-value.ts';
import { mergesElements, type FieldPatchMeta } from './merge-keys.ts';
import { unclassifiedPatchError } from './patch-errors.ts';

export interface ListMerge {
  /** The field's struct tags; undefined for untagged or unknown fields. */
  readonly meta: FieldPatchMeta | undefined;
  /** The patch came as `$deleteFromPrimitiveList/<field>`: its items are to be removed. */
  readonly isDeleteList: boolean;
  /** Merges one patch element into the live element with the same merge key. */
  readonly mergeElement: (original: JsonObject, patch: JsonObject) => JsonObject;
}

export function mergeList(original: Json[], patch: Json[], how: ListMerge): Json[] {
  // Untagged lists are atomic: the patch list is the new value.
  if (!mergesElements(how.meta)) return storedPatchList(patch, false);
  if (original.length === 0 && patch.length === 0) return original;
  const elementType = sliceElementType([original, patch]);
  if (elementType === 'scalar') return mergeSet(original, patch, how.isDeleteList);
  const mergeKey = how.meta?.mergeKey;
  if (mergeKey === undefined) {
    // Every keyless merge list in the schema is a []string.
    throw unclassifiedPatchError('cannot merge lists without merge key for type string');
  }
  const [base, additions] = applyElementDirectives(original, patch, mergeKey);
  const merged = mergeByKey(base, additions, mergeKey, how.mergeElement);
  const [named, serverOnly] = partition(merged, additions, mergeKey);
  return orderElements(named, serverOnly, additions, base, mergeKey, 'map');
}

/** Primitive lists with a merge strategy (finalizers, podCIDRs) behave as ordered sets. */
function mergeSet(original: Json[], patch: Json[], isDeleteList: boolean): Json[] {
  if (isDeleteList) return original.filter(item => !patch.some(gone => sameScalar(gone, item)));
  const merged: Json[] = [];
  for (const item of [...original, ...patch]) {
    if (!merged.some(kept => sameScalar(kept, item))) merged.push(item);
  }
  const [named, serverOnly] = partition(merged, patch, '');
  return orderElements(named, serverOnly, patch, original, '', 'scalar');
}

/**
 * Elements carrying `$patch`: `delete` removes every live element with that merge key,
 * `replace` makes the list exactly the patch's plain elements. Returns the live list to
 * merge into and the plain patch elements.
 */
function applyElementDirectives(
  original: Json[],
  patch: Json[],
  mergeKey: string,
): [base: Json[], additions: JsonObject[]] {
  let base = original;
  let replace = false;
  const additions: JsonObject[] = [];
  for (const item of patch) {
    // sliceElementType has already made every element a map.
    if (!isJsonObject(item)) continue;
    const directive = getOwn(item, PATCH);
    if (directive === undefined) {
      additions.push(item);
    } else if (directive === 'delete') {
      const key = requireMergeKey(item, mergeKey);
      base = base.filter(entry => !hasKeyValue(entry, mergeKey, key));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw unclassifiedPatchError('merging lists cannot yet be specified in the patch');
    } else {
      throw unclassifiedPatchError(
        `unknown patch type: ${goFormat(directive)} in map: ${goFormat(item)}`,
      );
    }
  }
  if (replace) return [additions.map(storedElement), []];
  return [base, additions];
}

/** Patch elements merge into the live element with the same key, or are appended. */
function mergeByKey(
  base: readonly Json[],
  additions: readonly JsonObject[],
  mergeKey: string,
  mergeElement: ListMerge['mergeElement'],
): Json[] {
  const merged = [...base];
  for (const item of additions) {
    // Searching the growing list lets a repeated key merge into the element just appended.
    const index = findByKey(merged, mergeKey, requireMergeKey(item, mergeKey));
    const current = index < 0 ? undefined : merged[index];
    if (isJsonObject(current)) merged[index] = mergeElement(current, item);
    else merged.push(storedElement(item));
  }
  return merged;
}

function storedElement(item: JsonObject): JsonObject {
  const stored = storedPatchValue(item, false);
  return isJsonObject(stored) ? stored : {};
}
