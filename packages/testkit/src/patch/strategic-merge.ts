/**
 * Strategic merge patch with kube-apiserver semantics (k8s.io/apimachinery
 * pkg/util/strategicpatch, applied by the PATCH handler). Maps merge key by key and null
 * deletes; lists follow the kind's struct tags (merge-keys.ts); directives: `$patch`,
 * `$retainKeys`, `$setElementOrder/<field>`, `$deleteFromPrimitiveList/<field>`.
 */

import type { Json } from '../kube-object.ts';
import {
  DELETE_FROM_PRIMITIVE_LIST,
  directiveField,
  PATCH,
  RETAIN_KEYS,
  SET_ELEMENT_ORDER,
  storedPatchValue,
} from './directives.ts';
import { goFormat, goTypeName } from './go-format.ts';
import {
  deleteOwn,
  getOwn,
  isJsonObject,
  jsonTypeWord,
  sameScalar,
  setOwn,
  type JsonObject,
} from './json-value.ts';
import { fieldPatchMeta, patchSchemaFor, type PatchSchema } from './merge-keys.ts';
import { badPatch, patchedObjectInvalid, unclassifiedPatchError } from './patch-errors.ts';
import { decodeFailure } from './decode-check.ts';
import { applyElementOrders } from './set-element-order.ts';
import { mergeList } from './strategic-list.ts';

interface MergeContext {
  readonly schema: PatchSchema;
  /**
   * The first value that cannot decode into the kind's Go type. The apiserver only notices
   * when it converts the merged map back into the object, so it is reported after the merge.
   */
  decodeError: string | undefined;
}

/** Applies `patch` to `document` (which may be modified: pass a copy) and returns the result. */
export function applyStrategicMergePatch(kind: string, document: Json, patch: Json): Json {
  // The body decodes into a Go map: `null` is an empty patch, anything else but an object fails.
  if (patch === null) return document;
  if (!isJsonObject(patch)) {
    throw badPatch(
      `json: cannot unmarshal ${jsonTypeWord(patch)} into Go value of type map[string]interface {}`,
    );
  }
  if (!isJsonObject(document)) throw unclassifiedPatchError('invalid JSON document');
  const context: MergeContext = { schema: patchSchemaFor(kind), decodeError: undefined };
  const merged = mergeMap(document, patch, [], context);
  if (context.decodeError !== undefined) {
    throw patchedObjectInvalid(goFormat(patch), context.decodeError);
  }
  return merged;
}

function mergeMap(
  target: JsonObject,
  patch: JsonObject,
  path: readonly string[],
  context: MergeContext,
): JsonObject {
  const directive = getOwn(patch, PATCH);
  if (directive !== undefined) {
    if (directive === 'replace') return asObject(storedPatchValue(patch, false));
    if (directive === 'delete') return {};
    throw unclassifiedPatchError(
      `unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`,
    );
  }
  applyRetainKeys(target, patch);
  const ordered = applyElementOrders(target, patch, {
    fieldMerge: field => {
      const fieldPath = [...path, field];
      return {
        meta: fieldPatchMeta(context.schema, fieldPath),
        mergeElement: (original, item) => mergeMap(original, item, fieldPath, context),
      };
    },
  });
  for (const [key, value] of Object.entries(patch)) {
    if (key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER) || ordered.has(key)) continue;
    let field = key;
    let isDeleteList = false;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      field = directiveField(key, DELETE_FROM_PRIMITIVE_LIST) || key;
      isDeleteList = true;
    }
    mergeField(target, field, value, [...path, field], isDeleteList, context);
  }
  return target;
}

/** One patch member against the live object (the loop body of the apiserver's mergeMap). */
function mergeField(
  target: JsonObject,
  field: string,
  value: Json,
  path: readonly string[],
  isDeleteList: boolean,
  context: MergeContext,
): void {
  if (value === null) {
    deleteOwn(target, field);
    return;
  }
  const current = getOwn(target, field);
  if (current === undefined || goTypeName(current) !== goTypeName(value)) {
    // Nothing to merge with: the patch value is taken as is (a delete list is dropped).
    if (isDeleteList) return;
    if (context.schema.typed) {
      context.decodeError ??= decodeFailure(
        path,
        current,
        value,
        fieldPatchMeta(context.schema, path) !== undefined,
      );
    }
    const stored = storedPatchValue(value, true);
    if (stored === undefined) deleteOwn(target, field);
    else setOwn(target, field, stored);
    return;
  }
  const meta = fieldPatchMeta(context.schema, path);
  if (isJsonObject(current) && isJsonObject(value)) {
    setOwn(
      target,
      field,
      meta?.strategy === 'replace'
        ? asObject(storedPatchValue(value, false))
        : mergeMap(current, value, path, context),
    );
  } else if (Array.isArray(current) && Array.isArray(value)) {
    setOwn(
      target,
      field,
      mergeList(current, value, {
        meta,
        isDeleteList,
        mergeElement: (original, item) => mergeMap(original, item, path, context),
      }),
    );
  } else {
    setOwn(target, field, value);
  }
}

/**
 * `$retainKeys`: the live map keeps only the listed keys, and the patch may not set any
 * other (nulls and parallel lists aside).
 */
function applyRetainKeys(target: JsonObject, patch: JsonObject): void {
  const retain = getOwn(patch, RETAIN_KEYS);
  if (retain === undefined) return;
  if (!Array.isArray(retain)) throw badPatch('invalid patch format of retainKeys');
  const retained = (key: string): boolean => retain.some(item => sameScalar(item, key));
  for (const [key, value] of Object.entries(patch)) {
    if (
      key === RETAIN_KEYS ||
      value === null ||
      key.startsWith(DELETE_FROM_PRIMITIVE_LIST) ||
      key.startsWith(SET_ELEMENT_ORDER)
    ) {
      continue;
    }
    if (!retained(key)) throw badPatch('invalid patch format of retainKeys');
  }
  for (const key of Object.keys(target)) {
    if (!retained(key)) deleteOwn(target, key);
  }
}

function asObject(value: Json | undefined): JsonObject {
  return isJsonObject(value) ? value : {};
}
