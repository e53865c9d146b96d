import { describe, expect, it } from 'vitest';
import { messageType } from './schema.ts';
import { JsonFormError, messageToJson, UnknownFieldError } from './to-json.ts';
import { strictReader } from './envelope.ts';

function roundTrip(typeName: string, object: Record<string, unknown>): unknown {
  const type = messageType(typeName);
  const bytes = type.encode(type.fromObject(object)).finish();
  return messageToJson(type, type.decode(strictReader(bytes)));
}

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

describe('messageToJson special shapes', () => {
  it('renders Time as RFC 3339 seconds, dropping nanoseconds as Go does', () => {
    expect(roundTrip(`${META}.Time`, { seconds: 1_700_000_000, nanos: 999_999_999 })).toBe(
      '2023-11-14T22:13:20Z',
    );
    expect(roundTrip(`${META}.Time`, { seconds: 0, nanos: 0 })).toBe('1970-01-01T00:00:00Z');
    expect(roundTrip(`${META}.Time`, {})).toBeNull();
  });

  it('renders MicroTime with six fraction digits', () => {
    expect(roundTrip(`${META}.MicroTime`, { seconds: 1_700_000_000, nanos: 123_456_789 })).toBe(
      '2023-11-14T22:13:20.123456Z',
    );
    expect(roundTrip(`${META}.MicroTime`, { seconds: 1_700_000_000 })).toBe(
      '2023-11-14T22:13:20.000000Z',
    );
  });

  it('rejects times Go cannot print', () => {
    expect(() => roundTrip(`${META}.Time`, { seconds: -62_200_000_000 })).toThrow(JsonFormError);
  });

  it('renders IntOrString as a number or a string by its type', () => {
    const intOrString = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
    expect(roundTrip(intOrString, { type: 0, intVal: 8080, strVal: '' })).toBe(8080);
    expect(roundTrip(intOrString, { type: 1, intVal: 0, strVal: 'http' })).toBe('http');
    expect(roundTrip(intOrString, {})).toBe(0);
    expect(roundTrip(intOrString, { type: 1 })).toBe('');
  });

  it('renders Quantity as its string, and an empty one as "0"', () => {
    const quantity = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
    expect(roundTrip(quantity, { string: '1500m' })).toBe('1500m');
    expect(roundTrip(quantity, {})).toBe('0');
  });

  it('renders FieldsV1 as the JSON it carries', () => {
    expect(roundTrip(`${META}.FieldsV1`, { Raw: Buffer.from('{"f:a":{}}') })).toEqual({
      'f:a': {},
    });
    expect(roundTrip(`${META}.FieldsV1`, {})).toBeNull();
  });

  it('renders int64 values beyond 32 bits as numbers', () => {
    expect(roundTrip(`${META}.ListMeta`, { remainingItemCount: 2 ** 45 })).toEqual({
      remainingItemCount: 2 ** 45,
    });
  });
});

describe('messageToJson zero values', () => {
  it('drops zero plain scalars but keeps pointer and non-omitempty ones', () => {
    expect(
      roundTrip('k8s.io.api.core.v1.ServicePort', {
        name: '',
        protocol: '',
        port: 0,
        nodePort: 0,
        appProtocol: '',
      }),
    ).toEqual({ port: 0, appProtocol: '' });
  });

  it('drops empty maps and lists', () => {
    expect(roundTrip('k8s.io.api.core.v1.ConfigMap', { data: {}, binaryData: {} })).toEqual({});
  });

  it('keeps empty map values', () => {
    expect(roundTrip('k8s.io.api.core.v1.Secret', { data: { empty: Buffer.alloc(0) } })).toEqual({
      data: { empty: '' },
    });
  });
});

describe('messageToJson unknown fields', () => {
  it('throws UnknownFieldError naming the message and field number', () => {
    const type = messageType('k8s.io.api.core.v1.ConfigMap');
    // field 9, varint 1
    const bytes = new Uint8Array([0x48, 0x01]);
    let caught: unknown;
    try {
      messageToJson(type, type.decode(strictReader(bytes)));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnknownFieldError);
    expect((caught as UnknownFieldError).fieldNumber).toBe(9);
    expect((caught as UnknownFieldError).typeName).toBe('k8s.io.api.core.v1.ConfigMap');
  });
});
