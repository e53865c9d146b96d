/**
 * JSON Patch (RFC 6902) with the semantics of gopkg.in/evanphx/json-patch.v4, the library
 * kube-apiserver applies `application/json-patch+json` with. Where v4 departs from the RFC
 * the apiserver does too, and so do we: a `replace` of a missing object member adds it, a
 * missing member reads as null (for `test` and `copy`), and the root pointer "" matches
 * nothing.
 */

import type { Json } from '../kube-object.ts';
import { parseArrayIndex, pointerTokens } from './json-pointer.ts';
import {
  deepEqual,
  deleteOwn,
  getOwn,
  isContainer,
  isJsonObject,
  jsonTypeWord,
  setOwn,
  toJson,
  type JsonObject,
} from './json-value.ts';
import { badPatch, patchNotApplied, tooManyOperations } from './patch-errors.ts';

const MAX_OPERATIONS = 10_000;

/** An operation as decoded: `null` is a valid (if useless) element of the array. */
type Operation = JsonObject | null;

/** Where a pointer lands: the container that holds (or will hold) the target, and its key. */
interface Location {
  readonly parent: JsonObject | Json[];
  readonly key: string;
}

/** Applies `patch` to `document` in place; `document` must already be the caller's copy. */
export function applyJsonPatch(document: Json, patch: Json): Json {
  const operations = decodeOperations(patch);
  if (operations.length > MAX_OPERATIONS) throw tooManyOperations(operations.length);
  for (const operation of operations) applyOperation(document, operation);
  return document;
}

function decodeOperations(patch: Json): Operation[] {
  // Go decodes a `null` body into an empty patch, which applies cleanly.
  if (patch === null) return [];
  if (!Array.isArray(patch)) {
    throw badPatch(
      `json: cannot unmarshal ${jsonTypeWord(patch)} into Go value of type jsonpatch.Patch`,
    );
  }
  return patch.map(operation => {
    if (operation === null || isJsonObject(operation)) return operation;
    throw badPatch(
      `json: cannot unmarshal ${jsonTypeWord(operation)} into Go value of type jsonpatch.Operation`,
    );
  });
}

function applyOperation(document: Json, operation: Operation): void {
  const kind = stringMember(operation, 'op') ?? 'unknown';
  switch (kind) {
    case 'add':
      add(document, operation);
      return;
    case 'remove':
      remove(document, operation);
      return;
    case 'replace':
      replace(document, operation);
      return;
    case 'move':
      move(document, operation);
      return;
    case 'copy':
      copy(document, operation);
      return;
    case 'test':
      test(document, operation);
      return;
    default:
      fail(`Unexpected kind: ${kind}`);
  }
}

function add(document: Json, operation: Operation): void {
  const path = pointerMember(operation, 'add', 'path');
  const target =
    locate(document, path) ?? fail(`add operation does not apply: doc is missing path: "${path}"`);
  insert(target, valueMember(operation), `error in add for path: '${path}'`);
}

function remove(document: Json, operation: Operation): void {
  const path = pointerMember(operation, 'remove', 'path');
  const target =
    locate(document, path) ??
    fail(`remove operation does not apply: doc is missing path: "${path}"`);
  detach(target, `error in remove for path: '${path}'`);
}

function replace(document: Json, operation: Operation): void {
  const path = pointerMember(operation, 'replace', 'path');
  const target =
    locate(document, path) ??
    fail(`replace operation does not apply: doc is missing path: ${path}`);
  const value = valueMember(operation);
  if (!Array.isArray(target.parent)) {
    setOwn(target.parent, target.key, value);
    return;
  }
  const index =
    existingIndex(target.parent, target.key) ??
    fail(`replace operation does not apply: doc is missing key: ${path}`);
  target.parent[index] = value;
}

function move(document: Json, operation: Operation): void {
  const from = pointerMember(operation, 'move', 'from');
  const source =
    locate(document, from) ??
    fail(`move operation does not apply: doc is missing from path: ${from}`);
  const context = `error in move for path: '${source.key}'`;
  const value = read(source, context);
  detach(source, context);
  const path = pointerMember(operation, 'move', 'path');
  const target =
    locate(document, path) ??
    fail(`move operation does not apply: doc is missing destination path: ${path}`);
  insert(target, value, `error in move for path: '${path}'`);
}

function copy(document: Json, operation: Operation): void {
  const from = pointerMember(operation, 'copy', 'from');
  const source =
    locate(document, from) ??
    fail(`copy operation does not apply: doc is missing from path: ${from}`);
  const value = read(source, `error in copy for from: '${from}'`);
  const path = pointerMember(operation, 'copy', 'path');
  const target =
    locate(document, path) ??
    fail(`copy operation does not apply: doc is missing destination path: ${path}`);
  insert(target, toJson(value), 'error while adding value during copy');
}

function test(document: Json, operation: Operation): void {
  const path = pointerMember(operation, 'test', 'path');
  const target =
    locate(document, path) ?? fail(`test operation does not apply: is missing path: ${path}`);
  const actual = read(target, `error in test for path: '${path}'`);
  if (!deepEqual(actual, valueMember(operation))) {
    fail(`testing value ${path} failed: test failed`);
  }
}

/** Walks to the container of the pointer's last token; null and scalars end the walk. */
function locate(document: Json, pointer: string): Location | undefined {
  const tokens = pointerTokens(pointer);
  const key = tokens.pop();
  if (key === undefined) return undefined;
  let parent: Json | undefined = document;
  for (const token of tokens) {
    if (!isContainer(parent)) return undefined;
    parent = childOf(parent, token);
  }
  return isContainer(parent) ? { parent, key } : undefined;
}

function childOf(parent: JsonObject | Json[], token: string): Json | undefined {
  if (!Array.isArray(parent)) return getOwn(parent, token);
  const index = existingIndex(parent, token);
  return index === undefined ? undefined : parent[index];
}

/** The value at a location; a missing object member reads as null, as in json-patch v4. */
function read({ parent, key }: Location, context: string): Json {
  if (!Array.isArray(parent)) return getOwn(parent, key) ?? null;
  const index =
    existingIndex(parent, key) ??
    fail(`${context}: Unable to access invalid index: ${key}: invalid index referenced`);
  return parent[index] ?? null;
}

/** RFC "add": set a member, or insert into an array at an index (negative counts from the end) or "-". */
function insert({ parent, key }: Location, value: Json, context: string): void {
  if (!Array.isArray(parent)) {
    setOwn(parent, key, value);
    return;
  }
  if (key === '-') {
    parent.push(value);
    return;
  }
  const index = parseArrayIndex(key);
  if (index === undefined) fail(`${context}: value was not a proper array index: '${key}'`);
  const size = parent.length + 1;
  if (index >= size || index < -size) {
    fail(`${context}: Unable to access invalid index: ${index}: invalid index referenced`);
  }
  parent.splice(index < 0 ? index + size : index, 0, value);
}

function detach({ parent, key }: Location, context: string): void {
  if (!Array.isArray(parent)) {
    if (getOwn(parent, key) === undefined) {
      fail(`${context}: Unable to remove nonexistent key: ${key}: missing value`);
    }
    deleteOwn(parent, key);
    return;
  }
  const index = parseArrayIndex(key);
  if (index === undefined || index >= parent.length || index < -parent.length) {
    fail(`${context}: Unable to access invalid index: ${key}: invalid index referenced`);
  }
  parent.splice(index < 0 ? index + parent.length : index, 1);
}

function existingIndex(list: readonly Json[], token: string): number | undefined {
  const index = parseArrayIndex(token);
  return index !== undefined && index >= 0 && index < list.length ? index : undefined;
}

function stringMember(operation: Operation, name: string): string | undefined {
  const value = operation === null ? undefined : getOwn(operation, name);
  return typeof value === 'string' ? value : undefined;
}

function pointerMember(operation: Operation, kind: string, name: 'path' | 'from'): string {
  return (
    stringMember(operation, name) ??
    fail(`${kind} operation failed to decode ${name}: missing value`)
  );
}

/** An absent `value` is null, as json-patch v4 treats it. */
function valueMember(operation: Operation): Json {
  return (operation === null ? undefined : getOwn(operation, 'value')) ?? null;
}

function fail(reason: string): never {
  throw patchNotApplied(reason);
}
