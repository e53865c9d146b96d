/**
 * /openapi/v3: per group/version, an OpenAPI 3.0 document of the same kinds and operations as
 * /openapi/v2 (the same model renders both), with the same loose schemas.
 *
 * kubectl 1.29+ asks these first: whether a kind's PATCH operation takes `fieldValidation`
 * (server-side validation), whether its PATCH request body may be a strategic merge patch (it
 * is not advertised, see PATCH_CONSUMES), and the schema `explain` prints. For a kind a document
 * does not list it falls back to /openapi/v2.
 */
import {
  byteOrder,
  gvkOf,
  kindSchema,
  restPaths,
  type GroupVersionKind,
  type Operation,
  type ParameterType,
  type QueryParameter,
} from './served-kinds.ts';
import { PRETTY } from './parameters.ts';

export interface OpenApiV3Schema {
  readonly $ref?: string;
  readonly description?: string;
  readonly type?: 'object' | ParameterType;
  readonly uniqueItems?: true;
  readonly additionalProperties?: OpenApiV3Schema;
  readonly 'x-kubernetes-group-version-kind'?: readonly GroupVersionKind[];
}

export interface OpenApiV3Parameter {
  readonly name: string;
  readonly in: 'query' | 'path';
  readonly description: string;
  readonly required?: true;
  readonly schema: OpenApiV3Schema;
}

interface MediaTypes {
  readonly content: Readonly<Record<string, { readonly schema: OpenApiV3Schema }>>;
}

export interface OpenApiV3Operation {
  readonly tags: readonly string[];
  readonly description: string;
  readonly operationId: string;
  readonly parameters: readonly OpenApiV3Parameter[];
  readonly requestBody?: MediaTypes & { readonly required: true };
  readonly responses: Readonly<Record<string, MediaTypes & { readonly description: string }>>;
  readonly 'x-kubernetes-action': string;
  readonly 'x-kubernetes-group-version-kind': GroupVersionKind;
}

export interface OpenApiV3Document {
  readonly openapi: '3.0.0';
  readonly info: { readonly title: string; readonly version: string };
  readonly paths: Readonly<Record<string, Record<string, unknown>>>;
  readonly components: { readonly schemas: Readonly<Record<string, OpenApiV3Schema>> };
}

function parameter(p: QueryParameter, where: 'query' | 'path' = 'query'): OpenApiV3Parameter {
  return {
    name: p.name,
    in: where,
    description: p.description,
    ...(where === 'path' ? { required: true as const } : {}),
    schema: { type: p.type, uniqueItems: true },
  };
}

const PATH_PARAMETERS = {
  namespace: parameter(
    {
      name: 'namespace',
      type: 'string',
      description: 'object name and auth scope, such as for teams and projects',
    },
    'path',
  ),
  name: parameter({ name: 'name', type: 'string', description: 'name of the object' }, 'path'),
} as const;

function requestBody(op: Operation): OpenApiV3Operation['requestBody'] {
  if (op.body === undefined) return undefined;
  if (op.body === 'patch') {
    const schema: OpenApiV3Schema = {
      type: 'object',
      description: 'A JSON patch or a JSON merge patch.',
    };
    return {
      content: Object.fromEntries(op.consumes.map(mediaType => [mediaType, { schema }])),
      required: true,
    };
  }
  return {
    content: { '*/*': { schema: { $ref: `#/components/schemas/${op.kind.definitionName}` } } },
    required: true,
  };
}

function operation(op: Operation): OpenApiV3Operation {
  const schema: OpenApiV3Schema =
    op.action === 'list' || op.action === 'deletecollection'
      ? { type: 'object', description: op.action === 'list' ? `${op.kind.kind}List` : 'Status' }
      : { $ref: `#/components/schemas/${op.kind.definitionName}` };
  const body = requestBody(op);
  return {
    tags: [op.tag],
    description: op.description,
    operationId: op.operationId,
    parameters: op.query.map(q => parameter(q)),
    ...(body !== undefined ? { requestBody: body } : {}),
    responses: {
      '200': { description: 'OK', content: { 'application/json': { schema } } },
    },
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': gvkOf(op.kind),
  };
}

/** The document of one group/version (`api/v1`, `apis/{group}/{version}`), if served. */
export function openApiV3Document(gvPath: string, version: string): OpenApiV3Document | undefined {
  const served = restPaths().filter(p => p.groupVersionPath === gvPath);
  if (served.length === 0) return undefined;
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, OpenApiV3Schema> = {};
  for (const path of served) {
    const item: Record<string, unknown> = {};
    for (const op of path.operations) {
      item[op.method] = operation(op);
      schemas[op.kind.definitionName] = kindSchema(op.kind);
    }
    item.parameters = [...path.pathParameters.map(p => PATH_PARAMETERS[p]), parameter(PRETTY)];
    paths[path.path] = item;
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version },
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => byteOrder(a, b))),
    },
  };
}
