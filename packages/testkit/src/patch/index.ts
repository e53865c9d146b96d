/**
 * PATCH bodies, applied the way kube-apiserver applies them. Failures are ApiErrors carrying
 * the Status the apiserver answers with.
 */

import type { Json } from '../kube-object.ts';
import { applyJsonPatch } from './json-patch.ts';
import { toJson } from './json-value.ts';
import { applyMergePatch } from './merge-patch.ts';
import { applyStrategicMergePatch } from './strategic-merge.ts';

export type PatchContentType =
  | 'application/json-patch+json'
  | 'application/merge-patch+json'
  | 'application/strategic-merge-patch+json';

const PATCH_CONTENT_TYPES: ReadonlySet<string> = new Set<PatchContentType>([
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
]);

/** Exact media type only: strip parameters such as "; charset=utf-8" first. */
export function isPatchContentType(value: string): value is PatchContentType {
  return PATCH_CONTENT_TYPES.has(value);
}

/** Applies a patch body (already JSON-parsed) to a deep copy of `original`; never mutates inputs. */
export function applyPatch(
  kind: string,
  original: Json,
  type: PatchContentType,
  patch: unknown,
): Json {
  // Copies of both: the result may embed parts of the patch, and the caller keeps its own.
  const document = toJson(original);
  const body = toJson(patch);
  switch (type) {
    case 'application/json-patch+json':
      return applyJsonPatch(document, body);
    case 'application/merge-patch+json':
      return applyMergePatch(document, body);
    case 'application/strategic-merge-patch+json':
      return applyStrategicMergePatch(kind, document, body);
  }
}
