/**
 * JSON Merge Patch (RFC 7386) as evanphx/json-patch v4's MergePatch applies it for
 * kube-apiserver: null deletes, objects merge recursively, anything else replaces.
 */

import type { Json } from '../kube-object.ts';
import { deleteOwn, getOwn, isJsonObject, setOwn, type JsonObject } from './json-value.ts';
import { badPatch, patchedObjectInvalid, unclassifiedPatchError } from './patch-errors.ts';

/** Why the apiserver cannot read a top-level array back as an object. */
const ARRAY_AS_OBJECT =
  'couldn\'t get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/** Applies `patch` to `document` in place; `document` must already be the caller's copy. */
export function applyMergePatch(document: Json, patch: Json): Json {
  if (!isJsonObject(document)) throw unclassifiedPatchError('invalid JSON document');
  if (patch === null || typeof patch !== 'object') throw badPatch('Invalid JSON Patch');
  if (Array.isArray(patch)) {
    // The library returns the array itself as the new document; the apiserver then fails
    // to decode it into the object.
    throw patchedObjectInvalid(JSON.stringify(withoutNulls(patch)), ARRAY_AS_OBJECT);
  }
  mergeObject(document, patch);
  return document;
}

function mergeObject(target: JsonObject, patch: JsonObject): void {
  for (const [key, value] of Object.entries(patch)) {
    const current = getOwn(target, key);
    if (value === null) {
      deleteOwn(target, key);
    } else if (!isJsonObject(current)) {
      setOwn(target, key, withoutNulls(value));
    } else if (!isJsonObject(value)) {
      // v4 keeps the patch value as sent here, nested nulls included.
      setOwn(target, key, value);
    } else {
      mergeObject(current, value);
    }
  }
}

/** Drops null members at every depth (null array items stay), as a merge into nothing would. */
function withoutNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isJsonObject(value)) return value;
  const pruned: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== null) setOwn(pruned, key, withoutNulls(item));
  }
  return pruned;
}
