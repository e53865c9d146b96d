/**
 * An independent reader of the /openapi/v2 protobuf, for tests: its own protobuf wire-format
 * parser (no protobufjs) and its own table of gnostic's `openapi.v2` field numbers, written from
 * upstream's OpenAPIv2.proto separately from the module's schema. Any field number this table
 * does not know is an error, so the server cannot write what a real gnostic decoder would read
 * differently. `toSwagger` then turns the decoded message back into Swagger JSON.
 */
import { parse as parseYaml } from 'yaml';

type FieldKind = 'string' | 'bool' | `message:${string}`;

interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly repeated?: true;
}

const str = (name: string, repeated?: true): FieldSpec => ({
  name,
  kind: 'string',
  ...(repeated ? { repeated } : {}),
});
const bool = (name: string): FieldSpec => ({ name, kind: 'bool' });
const msg = (name: string, type: string, repeated?: true): FieldSpec => ({
  name,
  kind: `message:${type}`,
  ...(repeated ? { repeated } : {}),
});

/** gnostic openapi.v2, upstream numbers (only the messages the server may write). */
const MESSAGES: Readonly<Record<string, Readonly<Record<number, FieldSpec>>>> = {
  Document: {
    1: str('swagger'),
    2: msg('info', 'Info'),
    3: str('host'),
    4: str('base_path'),
    5: str('schemes', true),
    6: str('consumes', true),
    7: str('produces', true),
    8: msg('paths', 'Paths'),
    9: msg('definitions', 'Definitions'),
  },
  Info: { 1: str('title'), 2: str('version'), 3: str('description') },
  Paths: { 1: msg('vendor_extension', 'NamedAny', true), 2: msg('path', 'NamedPathItem', true) },
  NamedPathItem: { 1: str('name'), 2: msg('value', 'PathItem') },
  PathItem: {
    1: str('_ref'),
    2: msg('get', 'Operation'),
    3: msg('put', 'Operation'),
    4: msg('post', 'Operation'),
    5: msg('delete', 'Operation'),
    6: msg('options', 'Operation'),
    7: msg('head', 'Operation'),
    8: msg('patch', 'Operation'),
    9: msg('parameters', 'ParametersItem', true),
    10: msg('vendor_extension', 'NamedAny', true),
  },
  Operation: {
    1: str('tags', true),
    2: str('summary'),
    3: str('description'),
    5: str('operation_id'),
    6: str('produces', true),
    7: str('consumes', true),
    8: msg('parameters', 'ParametersItem', true),
    9: msg('responses', 'Responses'),
    10: str('schemes', true),
    11: bool('deprecated'),
    13: msg('vendor_extension', 'NamedAny', true),
  },
  ParametersItem: { 1: msg('parameter', 'Parameter'), 2: msg('json_reference', 'JsonReference') },
  JsonReference: { 1: str('_ref'), 2: str('description') },
  Parameter: {
    1: msg('body_parameter', 'BodyParameter'),
    2: msg('non_body_parameter', 'NonBodyParameter'),
  },
  BodyParameter: {
    1: str('description'),
    2: str('name'),
    3: str('in'),
    4: bool('required'),
    5: msg('schema', 'Schema'),
    6: msg('vendor_extension', 'NamedAny', true),
  },
  NonBodyParameter: {
    1: msg('header_parameter_sub_schema', 'Unsupported'),
    2: msg('form_data_parameter_sub_schema', 'Unsupported'),
    3: msg('query_parameter_sub_schema', 'QueryParameterSubSchema'),
    4: msg('path_parameter_sub_schema', 'PathParameterSubSchema'),
  },
  QueryParameterSubSchema: {
    1: bool('required'),
    2: str('in'),
    3: str('description'),
    4: str('name'),
    5: bool('allow_empty_value'),
    6: str('type'),
    7: str('format'),
    20: bool('unique_items'),
    23: msg('vendor_extension', 'NamedAny', true),
  },
  PathParameterSubSchema: {
    1: bool('required'),
    2: str('in'),
    3: str('description'),
    4: str('name'),
    5: str('type'),
    6: str('format'),
    19: bool('unique_items'),
    22: msg('vendor_extension', 'NamedAny', true),
  },
  Responses: {
    1: msg('response_code', 'NamedResponseValue', true),
    2: msg('vendor_extension', 'NamedAny', true),
  },
  NamedResponseValue: { 1: str('name'), 2: msg('value', 'ResponseValue') },
  ResponseValue: { 1: msg('response', 'Response'), 2: msg('json_reference', 'JsonReference') },
  Response: {
    1: str('description'),
    2: msg('schema', 'SchemaItem'),
    5: msg('vendor_extension', 'NamedAny', true),
  },
  SchemaItem: { 1: msg('schema', 'Schema'), 2: msg('file_schema', 'Unsupported') },
  Definitions: { 1: msg('additional_properties', 'NamedSchema', true) },
  NamedSchema: { 1: str('name'), 2: msg('value', 'Schema') },
  Schema: {
    1: str('_ref'),
    2: str('format'),
    3: str('title'),
    4: str('description'),
    19: str('required', true),
    21: msg('additional_properties', 'AdditionalPropertiesItem'),
    22: msg('type', 'TypeItem'),
    23: msg('items', 'ItemsItem'),
    25: msg('properties', 'Properties'),
    31: msg('vendor_extension', 'NamedAny', true),
  },
  AdditionalPropertiesItem: { 1: msg('schema', 'Schema'), 2: bool('boolean') },
  TypeItem: { 1: str('value', true) },
  ItemsItem: { 1: msg('schema', 'Schema', true) },
  Properties: { 1: msg('additional_properties', 'NamedSchema', true) },
  NamedAny: { 1: str('name'), 2: msg('value', 'Any') },
  Any: { 1: msg('value', 'Unsupported'), 2: str('yaml') },
  Unsupported: {},
};

interface WireField {
  readonly number: number;
  readonly wireType: number;
  readonly varint?: bigint;
  readonly bytes?: Uint8Array;
}

function readVarint(buf: Uint8Array, at: { pos: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buf[at.pos];
    if (byte === undefined) throw new Error('truncated varint');
    at.pos += 1;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return result;
    shift += 7n;
    if (shift > 63n) throw new Error('varint too long');
  }
}

/** The fields of one message, in wire order. */
export function readWire(buf: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  const at = { pos: 0 };
  while (at.pos < buf.length) {
    const key = Number(readVarint(buf, at));
    const number = key >>> 3;
    const wireType = key & 7;
    if (wireType === 0) {
      fields.push({ number, wireType, varint: readVarint(buf, at) });
    } else if (wireType === 2) {
      const length = Number(readVarint(buf, at));
      if (at.pos + length > buf.length) throw new Error('truncated length-delimited field');
      fields.push({ number, wireType, bytes: buf.subarray(at.pos, at.pos + length) });
      at.pos += length;
    } else {
      throw new Error(`wire type ${wireType} (field ${number}) is not used by openapi.v2`);
    }
  }
  return fields;
}

export type Decoded = { [name: string]: string | boolean | Decoded | (string | Decoded)[] };

/** Decodes `buf` as the named openapi.v2 message; unknown fields and wire types throw. */
export function decodeMessage(type: string, buf: Uint8Array): Decoded {
  const spec = MESSAGES[type];
  if (spec === undefined) throw new Error(`no such message ${type}`);
  const out: Decoded = {};
  for (const field of readWire(buf)) {
    const f = spec[field.number];
    if (f === undefined) throw new Error(`${type} has no field ${field.number}`);
    let value: string | boolean | Decoded;
    if (f.kind === 'bool') {
      if (field.varint === undefined) throw new Error(`${type}.${f.name} is not a varint`);
      value = field.varint !== 0n;
    } else if (field.bytes === undefined) {
      throw new Error(`${type}.${f.name} is not length-delimited`);
    } else if (f.kind === 'string') {
      value = new TextDecoder('utf-8', { fatal: true }).decode(field.bytes);
    } else {
      const sub = f.kind.slice('message:'.length);
      if (sub === 'Unsupported') throw new Error(`${type}.${f.name} is not expected here`);
      value = decodeMessage(sub, field.bytes);
    }
    if (f.repeated) {
      const list = (out[f.name] ?? []) as (string | Decoded)[];
      if (typeof value === 'boolean') throw new Error('repeated bool');
      list.push(value);
      out[f.name] = list;
    } else {
      if (f.name in out) throw new Error(`${type}.${f.name} appears twice`);
      out[f.name] = value;
    }
  }
  return out;
}

const obj = (value: unknown): Decoded => (value ?? {}) as Decoded;
const list = (value: unknown): Decoded[] => (value ?? []) as Decoded[];

function extensions(vendor: unknown, into: Record<string, unknown>): void {
  for (const named of list(vendor)) {
    into[named.name as string] = parseYaml(obj(named.value).yaml as string) as unknown;
  }
}

function schemaToJson(s: Decoded): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s._ref !== undefined) out.$ref = s._ref;
  if (s.description !== undefined) out.description = s.description;
  const types = obj(s.type).value as string[] | undefined;
  if (types !== undefined) {
    if (types.length !== 1) throw new Error('one type expected');
    out.type = types[0];
  }
  if (s.additional_properties !== undefined) {
    out.additionalProperties = schemaToJson(obj(obj(s.additional_properties).schema));
  }
  extensions(s.vendor_extension, out);
  return out;
}

function parameterToJson(item: Decoded): Record<string, unknown> {
  const p = obj(item.parameter);
  if (p.body_parameter !== undefined) {
    const b = obj(p.body_parameter);
    return { name: b.name, in: b.in, required: b.required, schema: schemaToJson(obj(b.schema)) };
  }
  const nb = obj(p.non_body_parameter);
  const sub = obj(nb.query_parameter_sub_schema ?? nb.path_parameter_sub_schema);
  return {
    name: sub.name,
    in: sub.in,
    description: sub.description,
    ...(sub.required === true ? { required: true } : {}),
    type: sub.type,
    ...(sub.unique_items === true ? { uniqueItems: true } : {}),
  };
}

function operationToJson(op: Decoded): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const named of list(obj(op.responses).response_code)) {
    const r = obj(obj(named.value).response);
    responses[named.name as string] = {
      description: r.description,
      ...(r.schema !== undefined ? { schema: schemaToJson(obj(obj(r.schema).schema)) } : {}),
    };
  }
  const out: Record<string, unknown> = {
    description: op.description,
    consumes: op.consumes ?? [],
    produces: op.produces ?? [],
    schemes: op.schemes ?? [],
    tags: op.tags ?? [],
    operationId: op.operation_id,
    parameters: list(op.parameters).map(parameterToJson),
    responses,
  };
  extensions(op.vendor_extension, out);
  return out;
}

/** The decoded Document as Swagger JSON. */
export function toSwagger(doc: Decoded): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const named of list(obj(doc.paths).path)) {
    const item = obj(named.value);
    const json: Record<string, unknown> = {};
    for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
      if (item[method] !== undefined) json[method] = operationToJson(obj(item[method]));
    }
    json.parameters = list(item.parameters).map(parameterToJson);
    paths[named.name as string] = json;
  }
  const definitions: Record<string, unknown> = {};
  for (const named of list(obj(doc.definitions).additional_properties)) {
    definitions[named.name as string] = schemaToJson(obj(named.value));
  }
  const info = obj(doc.info);
  return {
    swagger: doc.swagger,
    info: { title: info.title, version: info.version },
    paths,
    definitions,
  };
}
