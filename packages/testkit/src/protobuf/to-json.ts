/**
 * Turns a decoded protobuf message into the JSON Go's encoding/json would have produced for the
 * same object, driven by the annotations described in schema-meta.ts.
 */
import protobuf from 'protobufjs';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A field the schema does not know: decoding on would silently lose data. */
export class UnknownFieldError extends Error {
  override readonly name = 'UnknownFieldError';
  readonly typeName: string;
  readonly fieldNumber: number;

  constructor(typeName: string, fieldNumber: number) {
    super(`field ${fieldNumber} of ${typeName} is not known to this server`);
    this.typeName = typeName;
    this.fieldNumber = fieldNumber;
  }
}

/** A value that has no JSON form (a time outside RFC 3339, FieldsV1 that is not JSON...). */
export class JsonFormError extends Error {
  override readonly name = 'JsonFormError';
}

type Fields = Record<string, unknown>;

export function messageToJson(type: protobuf.Type, message: unknown): JsonValue {
  const fields = asFields(message);
  rejectUnknownFields(type, fields);
  const shape: unknown = type.options?.['(json)'];
  if (typeof shape === 'string') return specialToJson(shape, fields, type);
  const out: JsonObject = {};
  for (const field of type.fieldsArray) {
    if (!Object.hasOwn(fields, field.name)) continue;
    const value = fields[field.name];
    if (field.map) {
      const entries = Object.entries(asFields(value));
      if (entries.length === 0) continue;
      out[field.name] = Object.fromEntries(entries.map(([k, v]) => [k, valueToJson(field, v)]));
    } else if (field.repeated) {
      if (!Array.isArray(value) || value.length === 0) continue;
      out[field.name] = value.map((v: unknown) => valueToJson(field, v));
    } else if (field.resolvedType instanceof protobuf.Type) {
      const json = messageToJson(field.resolvedType, value);
      if (field.options?.['(inline)'] === true && isObject(json)) Object.assign(out, json);
      else out[field.name] = json;
    } else {
      const json = scalarToJson(field.type, value);
      // Go writes every non-pointer scalar; its JSON (omitempty) leaves the zero ones out.
      if (isZero(json) && field.options?.['(emit_zero)'] !== true) continue;
      out[field.name] = json;
    }
  }
  return out;
}

function valueToJson(field: protobuf.Field, value: unknown): JsonValue {
  return field.resolvedType instanceof protobuf.Type
    ? messageToJson(field.resolvedType, value)
    : scalarToJson(field.type, value);
}

function scalarToJson(type: string, value: unknown): JsonValue {
  if (type === 'bytes') return Buffer.from(asBytes(value)).toString('base64');
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  return toNumber(value);
}

function specialToJson(shape: string, fields: Fields, type: protobuf.Type): JsonValue {
  switch (shape) {
    case 'time':
      return timeToJson(fields, false);
    case 'micro_time':
      return timeToJson(fields, true);
    case 'int_or_string':
      // type 1 is a string; anything else (0 or absent) is an int.
      if (toNumber(fields.type ?? 0) !== 1) return toNumber(fields.intVal ?? 0);
      return typeof fields.strVal === 'string' ? fields.strVal : '';
    case 'quantity':
      // Go's zero Quantity prints as "0".
      return typeof fields.string === 'string' && fields.string !== '' ? fields.string : '0';
    case 'string_list':
      return Array.isArray(fields.items) ? fields.items.map(String) : [];
    case 'raw_json':
      // Go's nil raw JSON marshals as null.
      return Object.hasOwn(fields, 'Raw') ? rawJson(fields.Raw) : null;
    default:
      throw new Error(`unknown JSON shape ${shape} on ${type.fullName}`);
  }
}

/** metav1.Time: RFC 3339 in UTC, seconds precision; MicroTime keeps six fraction digits. */
function timeToJson(fields: Fields, micro: boolean): JsonValue {
  // An empty Time message is Go's zero time, which marshals as null.
  if (!Object.hasOwn(fields, 'seconds') && !Object.hasOwn(fields, 'nanos')) return null;
  const seconds = toNumber(fields.seconds ?? 0);
  const nanos = toNumber(fields.nanos ?? 0);
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 0 || year > 9999 || nanos < 0 || nanos > 999_999_999) {
    throw new JsonFormError(`time ${seconds}s ${nanos}ns is outside RFC 3339`);
  }
  const whole = date.toISOString().slice(0, 19);
  if (!micro) return `${whole}Z`;
  return `${whole}.${String(nanos).padStart(9, '0').slice(0, 6)}Z`;
}

function rawJson(raw: unknown): JsonValue {
  const text = Buffer.from(asBytes(raw)).toString('utf8');
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new JsonFormError('raw field is not JSON', { cause: err });
  }
}

function rejectUnknownFields(type: protobuf.Type, fields: Fields): void {
  // protobufjs keeps unknown fields (tag and payload) here when the reader is told to.
  const unknowns = (fields as { $unknowns?: unknown }).$unknowns;
  if (!Array.isArray(unknowns) || unknowns.length === 0) return;
  const first: unknown = unknowns[0];
  const tag = protobuf.Reader.create(asBytes(first)).uint32();
  throw new UnknownFieldError(type.fullName.replace(/^\./, ''), tag >>> 3);
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  // int64 fields decode to Long when the long package is present.
  if (typeof value === 'object' && value !== null && 'toNumber' in value) {
    const toNumberFn = value.toNumber;
    if (typeof toNumberFn === 'function') return Number(toNumberFn.call(value));
  }
  throw new JsonFormError(`expected a number, got ${typeof value}`);
}

function isZero(json: JsonValue): boolean {
  return json === '' || json === 0 || json === false;
}

function isObject(json: JsonValue): json is JsonObject {
  return typeof json === 'object' && json !== null && !Array.isArray(json);
}

function asFields(value: unknown): Fields {
  if (typeof value !== 'object' || value === null) {
    throw new JsonFormError(`expected a message, got ${typeof value}`);
  }
  return value as Fields;
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new JsonFormError(`expected bytes, got ${typeof value}`);
}
