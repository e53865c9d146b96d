/**
 * The real server stores and serves what Go's JSON encoding of the typed object writes, and
 * `omitempty` drops empty strings, zero numbers, nil pointers and empty maps and lists. An
 * object that loses its last label must come back without `labels`, not with `labels: {}`.
 * Only fields whose Go type is known to be omitempty are touched.
 */
import { isPlainObject, type KubeObject } from '../kube-object.ts';

type Empty = 'string' | 'number' | 'collection' | 'pointer';

/** metav1.ObjectMeta: every field is omitempty (creationTimestamp, a struct, is set anyway). */
const OBJECT_META: Readonly<Record<string, Empty>> = {
  name: 'string',
  generateName: 'string',
  namespace: 'string',
  selfLink: 'string',
  uid: 'string',
  resourceVersion: 'string',
  generation: 'number',
  creationTimestamp: 'pointer',
  deletionTimestamp: 'pointer',
  deletionGracePeriodSeconds: 'pointer',
  labels: 'collection',
  annotations: 'collection',
  ownerReferences: 'collection',
  finalizers: 'collection',
  managedFields: 'collection',
};

/** Top-level omitempty fields of kinds whose Go types are flat enough to list here. */
const TOP_LEVEL: Readonly<Record<string, Readonly<Record<string, Empty>>>> = {
  configmaps: { data: 'collection', binaryData: 'collection', immutable: 'pointer' },
  secrets: {
    data: 'collection',
    stringData: 'collection',
    type: 'string',
    immutable: 'pointer',
  },
  serviceaccounts: {
    secrets: 'collection',
    imagePullSecrets: 'collection',
    automountServiceAccountToken: 'pointer',
  },
};

function isEmpty(value: unknown, empty: Empty): boolean {
  if (value === null || value === undefined) return true;
  switch (empty) {
    case 'string':
      return value === '';
    case 'number':
      return value === 0;
    case 'collection':
      return Array.isArray(value)
        ? value.length === 0
        : isPlainObject(value) && Object.keys(value).length === 0;
    case 'pointer':
      return false;
  }
}

function dropEmpty(target: Record<string, unknown>, fields: Readonly<Record<string, Empty>>): void {
  for (const [field, empty] of Object.entries(fields)) {
    if (field in target && isEmpty(target[field], empty)) Reflect.deleteProperty(target, field);
  }
}

/** Drops, in place, what Go's encoder would omit from a stored `resource` object. */
export function omitEmpty(resource: string, object: KubeObject): void {
  dropEmpty(object.metadata as Record<string, unknown>, OBJECT_META);
  const fields = TOP_LEVEL[resource];
  if (fields) dropEmpty(object, fields);
}
