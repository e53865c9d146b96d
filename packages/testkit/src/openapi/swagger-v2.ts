/**
 * /openapi/v2 as JSON: a Swagger 2.0 document of the served kinds and their REST operations.
 *
 * What kubectl 1.27+ reads in it, and so what matters here:
 * - the `x-kubernetes-group-version-kind` of each PATCH operation and whether it lists the
 *   `fieldValidation` query parameter: where it does, kubectl leaves validation to the server;
 * - the `x-kubernetes-group-version-kind` of each definition: the schema kubectl validates an
 *   object against where the server does not validate, and the one `explain` prints (see
 *   kindSchema: any object passes);
 * - the `consumes` of each PATCH operation (see PATCH_CONSUMES).
 */
import {
  gvkOf,
  kindSchema,
  restPaths,
  servedKinds,
  type GroupVersionKind,
  type Operation,
  type ParameterType,
  type RestPath,
} from './served-kinds.ts';
import { FIELD_VALIDATION, PRETTY } from './parameters.ts';

export interface SwaggerSchema {
  readonly $ref?: string;
  readonly description?: string;
  readonly type?: 'object';
  readonly additionalProperties?: SwaggerSchema;
  readonly 'x-kubernetes-group-version-kind'?: readonly GroupVersionKind[];
}

export interface SwaggerNonBodyParameter {
  readonly name: string;
  readonly in: 'query' | 'path';
  readonly description: string;
  readonly required?: true;
  readonly type: ParameterType;
  readonly uniqueItems: true;
}

export interface SwaggerBodyParameter {
  readonly name: 'body';
  readonly in: 'body';
  readonly required: true;
  readonly schema: SwaggerSchema;
}

export type SwaggerParameter = SwaggerNonBodyParameter | SwaggerBodyParameter;

export interface SwaggerResponse {
  readonly description: string;
  readonly schema?: SwaggerSchema;
}

export interface SwaggerOperation {
  readonly description: string;
  readonly consumes: readonly string[];
  readonly produces: readonly string[];
  readonly schemes: readonly string[];
  readonly tags: readonly string[];
  readonly operationId: string;
  readonly parameters: readonly SwaggerParameter[];
  readonly responses: Readonly<Record<string, SwaggerResponse>>;
  readonly 'x-kubernetes-action': string;
  readonly 'x-kubernetes-group-version-kind': GroupVersionKind;
}

export type SwaggerMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

export type SwaggerPathItem = {
  readonly [M in SwaggerMethod]?: SwaggerOperation;
} & { readonly parameters: readonly SwaggerParameter[] };

export interface SwaggerDocument {
  readonly swagger: '2.0';
  readonly info: { readonly title: string; readonly version: string };
  readonly paths: Readonly<Record<string, SwaggerPathItem>>;
  readonly definitions: Readonly<Record<string, SwaggerSchema>>;
}

/**
 * Kinds whose operations do not list `fieldValidation` in this document (only; /openapi/v3 lists
 * it), though the server takes it like any other. For a kind no OpenAPI document names (a
 * manifest with a wrong apiVersion, say), kubectl asks this document whether Namespace takes
 * `fieldValidation`: if it does, kubectl lists the CustomResourceDefinitions to see whether the
 * kind is a custom resource, and this server serves none, so `kubectl create -f` would fail with
 * "failed to check CRD" instead of kubectl's own "no matches for kind". Left out, kubectl 1.27
 * and 1.28 check namespaces on the client against this document (which accepts any object) and
 * still send `fieldValidation`, so nothing is lost.
 */
const WITHOUT_FIELD_VALIDATION: ReadonlySet<string> = new Set(['/v1/Namespace']);

const gvkKey = (gvk: GroupVersionKind): string => `${gvk.group}/${gvk.version}/${gvk.kind}`;

function nonBody(
  name: string,
  where: 'query' | 'path',
  type: ParameterType,
  description: string,
): SwaggerNonBodyParameter {
  return {
    uniqueItems: true,
    type,
    description,
    name,
    in: where,
    ...(where === 'path' ? { required: true as const } : {}),
  };
}

const PATH_PARAMETERS = {
  namespace: nonBody(
    'namespace',
    'path',
    'string',
    'object name and auth scope, such as for teams and projects',
  ),
  name: nonBody('name', 'path', 'string', 'name of the object'),
} as const;

function definitionRef(operation: Operation): SwaggerSchema {
  return { $ref: `#/definitions/${operation.kind.definitionName}` };
}

function responses(operation: Operation): Record<string, SwaggerResponse> {
  const object = definitionRef(operation);
  switch (operation.action) {
    case 'list':
      return {
        '200': {
          description: 'OK',
          schema: { type: 'object', description: `${operation.kind.kind}List` },
        },
        '401': { description: 'Unauthorized' },
      };
    case 'deletecollection':
      return {
        '200': { description: 'OK', schema: { type: 'object', description: 'Status' } },
        '401': { description: 'Unauthorized' },
      };
    case 'post':
      return {
        '200': { description: 'OK', schema: object },
        '201': { description: 'Created', schema: object },
        '202': { description: 'Accepted', schema: object },
        '401': { description: 'Unauthorized' },
      };
    default:
      return {
        '200': { description: 'OK', schema: object },
        '401': { description: 'Unauthorized' },
      };
  }
}

function parameters(operation: Operation): SwaggerParameter[] {
  const params: SwaggerParameter[] = [];
  if (operation.body !== undefined) {
    params.push({
      name: 'body',
      in: 'body',
      required: true,
      schema:
        operation.body === 'patch'
          ? { type: 'object', description: 'A JSON patch or a JSON merge patch.' }
          : definitionRef(operation),
    });
  }
  const skipFieldValidation = WITHOUT_FIELD_VALIDATION.has(gvkKey(operation.kind));
  for (const q of operation.query) {
    if (skipFieldValidation && q.name === FIELD_VALIDATION.name) continue;
    params.push(nonBody(q.name, 'query', q.type, q.description));
  }
  return params;
}

function operation(op: Operation): SwaggerOperation {
  return {
    description: op.description,
    consumes: op.consumes.length > 0 ? op.consumes : ['*/*'],
    produces:
      op.action === 'list'
        ? ['application/json', 'application/json;stream=watch']
        : ['application/json'],
    schemes: ['https'],
    tags: [op.tag],
    operationId: op.operationId,
    parameters: parameters(op),
    responses: responses(op),
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': gvkOf(op.kind),
  };
}

function pathItem(path: RestPath): SwaggerPathItem {
  const item: Partial<Record<SwaggerMethod, SwaggerOperation>> = {};
  for (const op of path.operations) item[op.method] = operation(op);
  return {
    ...item,
    parameters: [
      ...path.pathParameters.map(p => PATH_PARAMETERS[p]),
      nonBody(PRETTY.name, 'query', PRETTY.type, PRETTY.description),
    ],
  };
}

/** The document; `version` is the server's git version (info.version, as the real server). */
export function swaggerDocument(version: string): SwaggerDocument {
  const paths: Record<string, SwaggerPathItem> = {};
  for (const path of restPaths()) paths[path.path] = pathItem(path);
  const definitions: Record<string, SwaggerSchema> = {};
  for (const kind of servedKinds()) definitions[kind.definitionName] = kindSchema(kind);
  return { swagger: '2.0', info: { title: 'Kubernetes', version }, paths, definitions };
}
