/**
 * Order of a merged strategic list. The apiserver splits the merged elements into those the
 * patch (or `$setElementOrder`) names and those only the server had, sorts each group by its
 * own reference order, then interleaves them by their positions in the live list; an element
 * the live list does not know goes before the server-only element it is compared with.
 */

import type { Json } from '../kube-object.ts';
import { goFormat, goTypeName } from './go-format.ts';
import { hasPatchDirective, PATCH } from './directives.ts';
import { getOwn, isContainer, isJsonObject, sameScalar, type JsonObject } from './json-value.ts';
import { patchNotApplied, patchPanic, unclassifiedPatchError } from './patch-errors.ts';

/** Go's type of the elements of some lists, which must all agree (sliceElementType). */
export type ElementType = 'map' | 'scalar';

export function sliceElementType(lists: readonly (readonly Json[])[]): ElementType {
  let first: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const type = goTypeName(item);
      if (first === undefined) {
        if (Array.isArray(item)) throw patchNotApplied('lists of lists are not supported');
        if (item === null) throw patchPanic('reflect: call of reflect.Type.Kind on nil Type');
        first = type;
      } else if (type !== first) {
        throw unclassifiedPatchError(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  if (first === undefined) {
    throw unclassifiedPatchError('no elements in any of the given slices');
  }
  return first === 'map[string]interface {}' ? 'map' : 'scalar';
}

/** Position of `item` in `list`, by merge-key value for maps and by value for primitives. */
export function indexIn(list: readonly Json[], item: Json, mergeKey: string): number {
  if (mergeKey === '') return list.findIndex(other => sameScalar(other, item));
  const key = keyOf(item, mergeKey);
  return list.findIndex(other => sameScalar(keyOf(other, mergeKey), key));
}

/** The element of `list` whose merge key equals `value` (findMapInSliceBasedOnKeyValue). */
export function findByKey(
  list: readonly Json[],
  mergeKey: string,
  value: Json | undefined,
): number {
  return list.findIndex((item, index) => {
    if (!isJsonObject(item)) throw unclassifiedPatchError(`value for key ${index} is not a map.`);
    return hasKeyValue(item, mergeKey, value);
  });
}

export function hasKeyValue(item: Json, mergeKey: string, value: Json | undefined): boolean {
  const key = isJsonObject(item) ? getOwn(item, mergeKey) : undefined;
  return key !== undefined && sameScalar(key, value);
}

/** Splits `merged` into the elements `reference` names and the rest, keeping their order. */
export function partition(
  merged: readonly Json[],
  reference: readonly Json[],
  mergeKey: string,
): [named: Json[], others: Json[]] {
  const named: Json[] = [];
  const others: Json[] = [];
  for (const item of merged) {
    let found: boolean;
    if (mergeKey === '') {
      // Go puts primitives in a map here; a map or list element makes it panic.
      if (isContainer(item)) throw patchPanic('runtime error: hash of unhashable type');
      found = reference.some(other => sameScalar(other, item));
    } else {
      const map = requireMap(item);
      found = findByKey(reference, mergeKey, requireMergeKey(map, mergeKey)) >= 0;
    }
    (found ? named : others).push(item);
  }
  return [named, others];
}

/** normalizeElementOrder: sort both groups by their reference lists, then interleave. */
export function orderElements(
  named: readonly Json[],
  serverOnly: readonly Json[],
  namedOrder: readonly Json[],
  serverOrder: readonly Json[],
  mergeKey: string,
  elementType: ElementType,
): Json[] {
  const left = sortBy(serverOnly, serverOrder, mergeKey, elementType);
  const right = sortBy(named, namedOrder, mergeKey, elementType);
  const merged: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const serverItem = left[i];
    const namedItem = right[j];
    if (serverItem === undefined) {
      merged.push(namedItem ?? null);
      j++;
    } else if (namedItem === undefined) {
      merged.push(serverItem);
      i++;
    } else {
      const serverIndex = indexIn(serverOrder, serverItem, mergeKey);
      const namedIndex = indexIn(serverOrder, namedItem, mergeKey);
      if (serverIndex >= 0 && namedIndex >= 0 && serverIndex < namedIndex) {
        merged.push(serverItem);
        i++;
      } else {
        merged.push(namedItem);
        j++;
      }
    }
  }
  return merged;
}

/** normalizeSliceOrder: a stable sort by position in `order`; `$patch: delete` maps go last. */
function sortBy(
  items: readonly Json[],
  order: readonly Json[],
  mergeKey: string,
  elementType: ElementType,
): Json[] {
  let toSort = [...items];
  let deletions: Json[] = [];
  if (elementType === 'map') {
    requireMergeKeys(mergeKey, toSort, order);
    deletions = toSort.filter(isDeletion);
    toSort = toSort.filter(item => !isDeletion(item));
  }
  const ranked = toSort.map((item, position) => ({
    item,
    position,
    rank: indexIn(order, item, mergeKey),
  }));
  // Elements missing from `order` keep their place relative to their neighbours.
  ranked.sort((a, b) => (a.rank >= 0 && b.rank >= 0 ? a.rank - b.rank : a.position - b.position));
  return [...ranked.map(entry => entry.item), ...deletions];
}

/** A list element carrying `$patch: delete`. */
export function isDeletion(item: Json): boolean {
  return hasPatchDirective(item) && getOwn(item, PATCH) === 'delete';
}

function keyOf(item: Json, mergeKey: string): Json | undefined {
  return isJsonObject(item) ? getOwn(item, mergeKey) : undefined;
}

export function requireMap(item: Json): JsonObject {
  if (isJsonObject(item)) return item;
  throw unclassifiedPatchError(
    `expected a map[string]interface {}, but received a ${goTypeName(item)}`,
  );
}

export function requireMergeKey(map: JsonObject, mergeKey: string): Json {
  const value = getOwn(map, mergeKey);
  if (value !== undefined) return value;
  throw unclassifiedPatchError(
    `map: ${goFormat(map)} does not contain declared merge key: ${mergeKey}`,
  );
}

/** validateMergeKeyInLists: every element of every list is a map carrying the merge key. */
export function requireMergeKeys(mergeKey: string, ...lists: readonly (readonly Json[])[]): void {
  for (const list of lists) {
    for (const item of list) requireMergeKey(requireMap(item), mergeKey);
  }
}
