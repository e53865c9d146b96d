/**
 * `$setElementOrder/<field>`: the order the client wants for a merged list, usually sent
 * with only the changed elements in `<field>` (the kubelet's status patches do this).
 * Precedence, as in the apiserver: that list, then the patch's order, then the live order.
 */

import type { Json } from '../kube-object.ts';
import {
  directiveField,
  hasPatchDirective,
  SET_ELEMENT_ORDER,
  storedPatchList,
} from './directives.ts';
import {
  isDeletion,
  orderElements,
  partition,
  requireMap,
  requireMergeKey,
  sliceElementType,
} from './element-order.ts';
import { goFormat, goTypeName } from './go-format.ts';
import { getOwn, isContainer, sameScalar, setOwn, type JsonObject } from './json-value.ts';
import type { FieldPatchMeta } from './merge-keys.ts';
import { patchPanic, unclassifiedPatchError } from './patch-errors.ts';
import { mergeList, type ListMerge } from './strategic-list.ts';

export interface ElementOrderContext {
  /** The struct tags of a field of the map being patched, and how its elements merge. */
  readonly fieldMerge: (field: string) => {
    readonly meta: FieldPatchMeta | undefined;
    readonly mergeElement: ListMerge['mergeElement'];
  };
}

/**
 * Merges every list of `patch` that has a `$setElementOrder` directive into `target`, in the
 * requested order. Returns those fields: the caller must not merge them a second time.
 */
export function applyElementOrders(
  target: JsonObject,
  patch: JsonObject,
  context: ElementOrderContext,
): Set<string> {
  const handled = new Set<string>();
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const orderList = requireList(order);
    const field = directiveField(key, SET_ELEMENT_ORDER);
    const liveValue = getOwn(target, field);
    const patchValue = getOwn(patch, field);
    // An empty live list counts as absent: the apiserver's typed object omits it (omitempty).
    const live =
      liveValue === undefined || (Array.isArray(liveValue) && liveValue.length === 0)
        ? undefined
        : requireList(liveValue);
    const patched = patchValue === undefined ? undefined : requireList(patchValue);
    const { meta, mergeElement } = context.fieldMerge(field);
    const mergeKey = meta?.mergeKey ?? '';
    checkPatchOrder(patched ?? [], orderList, mergeKey);

    let merged: Json[];
    if (live === undefined) {
      if (patched === undefined) continue;
      merged = storedPatchList(patched, true);
    } else if (patched === undefined) {
      merged = live;
    } else {
      merged = mergeList(live, patched, { meta, isDeleteList: false, mergeElement });
    }
    const [named, serverOnly] = partition(merged, orderList, mergeKey);
    const elementType = sliceElementType([live ?? [], patched ?? []]);
    setOwn(
      target,
      field,
      orderElements(named, serverOnly, orderList, live ?? [], mergeKey, elementType),
    );
    handled.add(field);
  }
  return handled;
}

/**
 * validatePatchWithSetOrderList: the patch's own elements (deletions and other directives
 * aside) must appear in the order list, in the same relative order.
 */
function checkPatchOrder(
  patchList: readonly Json[],
  order: readonly Json[],
  mergeKey: string,
): void {
  if (order.length === 0 || patchList.length === 0) return;
  const plain =
    mergeKey === '' ? patchList : patchList.filter(item => !isDeletion(requireMap(item)));
  let p = 0;
  let o = 0;
  while (p < plain.length && o < order.length) {
    const item = plain[p] ?? null;
    if (hasPatchDirective(item)) {
      p++;
      continue;
    }
    if (sameElement(item, order[o] ?? null, mergeKey)) p++;
    o++;
  }
  if (p < plain.length) {
    throw unclassifiedPatchError(
      `the order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}`,
    );
  }
}

function sameElement(a: Json, b: Json, mergeKey: string): boolean {
  if (mergeKey !== '') {
    return sameScalar(
      requireMergeKey(requireMap(a), mergeKey),
      requireMergeKey(requireMap(b), mergeKey),
    );
  }
  // Go compares the elements with ==, which panics on maps and lists.
  if (isContainer(a) || isContainer(b)) {
    throw patchPanic('runtime error: comparing uncomparable type map[string]interface {}');
  }
  return sameScalar(a, b);
}

function requireList(value: Json): Json[] {
  if (Array.isArray(value)) return value;
  throw unclassifiedPatchError(`expected a []interface {}, but received a ${goTypeName(value)}`);
}
