/**
 * What both OpenAPI documents describe, derived once from the resource registry: every kind the
 * server stores or reviews, the REST operations its verbs allow, and the parameters of each.
 * /openapi/v2 and /openapi/v3 are two renderings of this one model, so they cannot disagree
 * about which kinds exist or which operations accept `fieldValidation`.
 */
import { RESOURCES, type ResourceDescriptor } from '../resources/registry.ts';
import {
  DELETE_PARAMETERS,
  LIST_PARAMETERS,
  PATCH_CONSUMES,
  WRITE_PARAMETERS,
  type QueryParameter,
} from './parameters.ts';

export type { ParameterType, QueryParameter } from './parameters.ts';

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface ServedKind extends GroupVersionKind {
  /** The definition (v2) or component schema (v3) name, as the real server names it. */
  readonly definitionName: string;
  readonly description: string;
}

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** The `x-kubernetes-action` of an operation. */
export type Action = 'list' | 'post' | 'deletecollection' | 'get' | 'put' | 'patch' | 'delete';

export interface Operation {
  readonly method: HttpMethod;
  readonly action: Action;
  readonly operationId: string;
  readonly description: string;
  readonly tag: string;
  readonly kind: ServedKind;
  /** Whether the request has a body (the object, or a patch). */
  readonly body: 'object' | 'patch' | undefined;
  readonly query: readonly QueryParameter[];
  /** The media types a PATCH body may have (see PATCH_CONSUMES). */
  readonly consumes: readonly string[];
}

export interface RestPath {
  readonly path: string;
  /** `api/v1` or `apis/{group}/{version}`: the OpenAPI v3 document the path belongs to. */
  readonly groupVersionPath: string;
  /** Path parameters, in URL order. */
  readonly pathParameters: readonly ('namespace' | 'name')[];
  readonly operations: readonly Operation[];
}

/** The first segment of an API group names it in definitions and operation ids. */
function groupShortName(group: string): string {
  return group === '' ? 'core' : (group.split('.')[0] ?? group);
}

function upperFirst(text: string): string {
  return `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;
}

/** A GVK in the key order the real documents have (Go writes map keys sorted). */
export function gvkOf(gvk: GroupVersionKind): GroupVersionKind {
  return { group: gvk.group, kind: gvk.kind, version: gvk.version };
}

/**
 * The schema of a kind, the same in both documents: an object with no `properties` and any
 * `additionalProperties`, which kubectl's OpenAPI v2 validation reads as a map of arbitrary
 * values, so any object of the kind passes (with properties, every field not listed would be an
 * `unknown field`). The empty additionalProperties schema also keeps `explain` from printing the
 * description twice, once for the map and once for its values.
 */
export function kindSchema(kind: ServedKind): {
  readonly description: string;
  readonly type: 'object';
  readonly additionalProperties: Readonly<Record<string, never>>;
  readonly 'x-kubernetes-group-version-kind': readonly GroupVersionKind[];
} {
  return {
    description: kind.description,
    type: 'object',
    additionalProperties: {},
    'x-kubernetes-group-version-kind': [gvkOf(kind)],
  };
}

export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

function servedKind(d: ResourceDescriptor): ServedKind {
  const apiVersion = d.group === '' ? d.version : `${d.group}/${d.version}`;
  return {
    group: d.group,
    version: d.version,
    kind: d.kind,
    definitionName: `io.k8s.api.${groupShortName(d.group)}.${d.version}.${d.kind}`,
    description:
      `${d.kind} (${apiVersion}), served by the testkit API server. This document does not ` +
      'describe its fields: any object passes this schema, and the server validates what it ' +
      'is sent.',
  };
}

interface OperationSpec {
  readonly verb: string;
  readonly method: HttpMethod;
  readonly action: Action;
  readonly idVerb: string;
  readonly body: Operation['body'];
  readonly query: readonly QueryParameter[];
  readonly what: (kind: string) => string;
}

const COLLECTION_OPERATIONS: readonly OperationSpec[] = [
  {
    verb: 'list',
    method: 'get',
    action: 'list',
    idVerb: 'list',
    body: undefined,
    query: LIST_PARAMETERS,
    what: kind => `list or watch objects of kind ${kind}`,
  },
  {
    verb: 'create',
    method: 'post',
    action: 'post',
    idVerb: 'create',
    body: 'object',
    query: WRITE_PARAMETERS,
    what: kind => `create a ${kind}`,
  },
  {
    verb: 'deletecollection',
    method: 'delete',
    action: 'deletecollection',
    idVerb: 'deleteCollection',
    body: undefined,
    query: [...DELETE_PARAMETERS, ...LIST_PARAMETERS.filter(p => p.name.endsWith('Selector'))],
    what: kind => `delete collection of ${kind}`,
  },
];

const ITEM_OPERATIONS: readonly OperationSpec[] = [
  {
    verb: 'get',
    method: 'get',
    action: 'get',
    idVerb: 'read',
    body: undefined,
    query: [],
    what: kind => `read the specified ${kind}`,
  },
  {
    verb: 'update',
    method: 'put',
    action: 'put',
    idVerb: 'replace',
    body: 'object',
    query: WRITE_PARAMETERS,
    what: kind => `replace the specified ${kind}`,
  },
  {
    verb: 'patch',
    method: 'patch',
    action: 'patch',
    idVerb: 'patch',
    body: 'patch',
    query: WRITE_PARAMETERS,
    what: kind => `partially update the specified ${kind}`,
  },
  {
    verb: 'delete',
    method: 'delete',
    action: 'delete',
    idVerb: 'delete',
    body: undefined,
    query: DELETE_PARAMETERS,
    what: kind => `delete a ${kind}`,
  },
];

function operations(
  d: ResourceDescriptor,
  kind: ServedKind,
  specs: readonly OperationSpec[],
): Operation[] {
  const tag = `${groupShortName(d.group)}_${d.version}`;
  const scope = d.namespaced ? 'Namespaced' : '';
  const prefix = `${upperFirst(groupShortName(d.group))}${upperFirst(d.version)}`;
  return specs
    .filter(spec => d.verbs.includes(spec.verb))
    .map(spec => ({
      method: spec.method,
      action: spec.action,
      operationId: `${spec.idVerb}${prefix}${scope}${d.kind}`,
      description: spec.what(d.kind),
      tag,
      kind,
      body: spec.body,
      query: spec.query,
      consumes: spec.body === 'patch' ? PATCH_CONSUMES : [],
    }));
}

function restPathsOf(d: ResourceDescriptor): RestPath[] {
  const kind = servedKind(d);
  const gvPath = groupVersionPath(d.group, d.version);
  const collection = d.namespaced
    ? `/${gvPath}/namespaces/{namespace}/${d.resource}`
    : `/${gvPath}/${d.resource}`;
  const scope: RestPath['pathParameters'] = d.namespaced ? ['namespace'] : [];
  const paths: RestPath[] = [
    {
      path: collection,
      groupVersionPath: gvPath,
      pathParameters: scope,
      operations: operations(d, kind, COLLECTION_OPERATIONS),
    },
    {
      path: `${collection}/{name}`,
      groupVersionPath: gvPath,
      pathParameters: [...scope, 'name'],
      operations: operations(d, kind, ITEM_OPERATIONS),
    },
  ];
  return paths.filter(p => p.operations.length > 0);
}

/** Code-unit order, as Go sorts map keys when it writes JSON. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

let kinds: readonly ServedKind[] | undefined;
let paths: readonly RestPath[] | undefined;

/** Every kind the server serves, once each, sorted by definition name. */
export function servedKinds(): readonly ServedKind[] {
  kinds ??= RESOURCES.map(servedKind).sort((a, b) => byteOrder(a.definitionName, b.definitionName));
  return kinds;
}

/** Every REST path with its operations, sorted by path. */
export function restPaths(): readonly RestPath[] {
  paths ??= RESOURCES.flatMap(restPathsOf).sort((a, b) => byteOrder(a.path, b.path));
  return paths;
}

/** The `api/v1`, `apis/{group}/{version}` documents /openapi/v3 lists, sorted. */
export function groupVersionPaths(): readonly string[] {
  return [...new Set(RESOURCES.map(d => groupVersionPath(d.group, d.version)))].sort(byteOrder);
}
