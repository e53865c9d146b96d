/**
 * After a strategic merge the apiserver converts the merged map back into the kind's Go
 * type; a value of the wrong JSON shape fails there. Without the full Go types only shape
 * changes are caught: a map or list replaced by something else, a scalar replaced by a map
 * or list, or a tagged list field set to a non-list.
 */

import type { Json } from '../kube-object.ts';
import { goTypeName } from './go-format.ts';
import { isContainer, isJsonObject } from './json-value.ts';

/** Fields of the listed kinds whose Go type is a map (the rest of the objects are structs). */
const GO_MAP_FIELDS: ReadonlySet<string> = new Set([
  'labels',
  'annotations',
  'data',
  'binaryData',
  'stringData',
  'nodeSelector',
  'selector',
  'capacity',
  'allocatable',
  'limits',
  'requests',
  'overhead',
  'allocatedResources',
  'volumeAttributes',
]);

/**
 * The unstructured converter's message for `value` replacing `current` at `path`, or
 * undefined when the shapes can coexist (scalars may be int-or-string and the like).
 */
export function decodeFailure(
  path: readonly string[],
  current: Json | undefined,
  value: Json,
  isListField: boolean,
): string | undefined {
  const source = goKind(value);
  if (current === undefined || current === null) {
    return isListField && !Array.isArray(value) ? `cannot restore slice from ${source}` : undefined;
  }
  if (!isContainer(current) && !isContainer(value)) return undefined;
  if (Array.isArray(current)) return `cannot restore slice from ${source}`;
  if (!isJsonObject(current)) return `unrecognized type: ${goKind(current)}`;
  return GO_MAP_FIELDS.has(path.at(-1) ?? '')
    ? `cannot restore map from ${source}`
    : `cannot restore struct from: ${source}`;
}

/** reflect.Kind of a decoded JSON value. */
function goKind(value: Json): string {
  if (Array.isArray(value)) return 'slice';
  if (isJsonObject(value)) return 'map';
  return goTypeName(value);
}
