/**
 * The Swagger JSON document as gnostic's `openapi.v2.Document` protobuf, as kube-openapi builds it
 * from the same JSON: maps become ordered (name, value) lists, `x-` keys become vendor extensions
 * whose values are YAML text, and, as Go's proto3 marshaller does, empty strings, false and empty
 * lists are not written.
 */
import { stringify as toYaml } from 'yaml';
import { openApiV2DocumentType } from './gnostic-schema.ts';
import type {
  SwaggerDocument,
  SwaggerMethod,
  SwaggerOperation,
  SwaggerParameter,
  SwaggerPathItem,
  SwaggerResponse,
  SwaggerSchema,
} from './swagger-v2.ts';

type Message = Record<string, unknown>;

/** Drops what proto3 does not write: undefined, '', false and []. */
function message(fields: Record<string, unknown>): Message {
  const out: Message = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === '' || value === false) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[name] = value;
  }
  return out;
}

function vendorExtensions(object: object): Message[] {
  return Object.entries(object)
    .filter(([key]) => key.startsWith('x-'))
    .map(([name, value]) => ({ name, value: { yaml: toYaml(value) } }));
}

function schema(s: SwaggerSchema): Message {
  return message({
    _ref: s.$ref,
    description: s.description,
    additional_properties:
      s.additionalProperties === undefined ? undefined : { schema: schema(s.additionalProperties) },
    type: s.type === undefined ? undefined : { value: [s.type] },
    vendor_extension: vendorExtensions(s),
  });
}

function parameter(p: SwaggerParameter): Message {
  if (p.in === 'body') {
    const body = message({
      name: p.name,
      in: p.in,
      required: p.required,
      schema: schema(p.schema),
    });
    return { parameter: { body_parameter: body } };
  }
  const sub = message({
    required: p.required,
    in: p.in,
    description: p.description,
    name: p.name,
    type: p.type,
    unique_items: p.uniqueItems,
  });
  const nonBody =
    p.in === 'query' ? { query_parameter_sub_schema: sub } : { path_parameter_sub_schema: sub };
  return { parameter: { non_body_parameter: nonBody } };
}

function response(r: SwaggerResponse): Message {
  return message({
    description: r.description,
    schema: r.schema === undefined ? undefined : { schema: schema(r.schema) },
  });
}

function operation(op: SwaggerOperation): Message {
  return message({
    tags: op.tags,
    description: op.description,
    operation_id: op.operationId,
    produces: op.produces,
    consumes: op.consumes,
    parameters: op.parameters.map(parameter),
    responses: {
      response_code: Object.entries(op.responses).map(([name, r]) => ({
        name,
        value: { response: response(r) },
      })),
    },
    schemes: op.schemes,
    vendor_extension: vendorExtensions(op),
  });
}

const METHODS: readonly SwaggerMethod[] = ['get', 'put', 'post', 'delete', 'patch'];

function pathItem(item: SwaggerPathItem): Message {
  const fields: Record<string, unknown> = {};
  for (const method of METHODS) {
    const op = item[method];
    if (op !== undefined) fields[method] = operation(op);
  }
  fields.parameters = item.parameters.map(parameter);
  return message(fields);
}

/** The gnostic message, as a plain object with upstream's field names. */
export function toGnosticDocument(doc: SwaggerDocument): Message {
  return message({
    swagger: doc.swagger,
    info: message({ title: doc.info.title, version: doc.info.version }),
    paths: {
      path: Object.entries(doc.paths).map(([name, item]) => ({ name, value: pathItem(item) })),
    },
    definitions: {
      additional_properties: Object.entries(doc.definitions).map(([name, s]) => ({
        name,
        value: schema(s),
      })),
    },
  });
}

/** The protobuf body of /openapi/v2. */
export function encodeSwaggerProtobuf(doc: SwaggerDocument): Uint8Array {
  const type = openApiV2DocumentType();
  return type.encode(type.fromObject(toGnosticDocument(doc))).finish();
}
