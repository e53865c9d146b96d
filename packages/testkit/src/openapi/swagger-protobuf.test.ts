/**
 * /openapi/v2 as protobuf, read back with an independent decoder (test-support/gnostic-reader:
 * its own wire parser and its own table of gnostic field numbers), then checked the way kubectl
 * reads it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { RESOURCES } from '../resources/registry.ts';
import { openApiV2DocumentType } from './gnostic-schema.ts';
import { openApiV3Document } from './openapi-v3.ts';
import { groupVersionPaths } from './served-kinds.ts';
import { swaggerDocument } from './swagger-v2.ts';
import { decodeMessage, readWire, toSwagger, type Decoded } from './test-support/gnostic-reader.ts';
import { encodeSwaggerProtobuf } from './to-gnostic.ts';

const VERSION = 'v1.33.0';
const json = swaggerDocument(VERSION);
const bytes = encodeSwaggerProtobuf(json);
let decoded: Decoded;

beforeAll(() => {
  decoded = decodeMessage('Document', bytes);
});

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

const obj = (value: unknown): Decoded => (value ?? {}) as Decoded;
const list = (value: unknown): Decoded[] => (value ?? []) as Decoded[];

function extension(vendor: unknown, name: string): unknown {
  const found = list(vendor).find(e => e.name === name);
  return found === undefined ? undefined : parseYaml(obj(found.value).yaml as string);
}

const sameGvk = (a: Gvk, b: Gvk): boolean =>
  a.group === b.group && a.version === b.version && a.kind === b.kind;

/**
 * kubectl's supportsQueryParam (the v2 fieldValidation check): the first path whose PATCH
 * operation carries the GVK decides; undefined when no PATCH operation does.
 */
function patchTakes(doc: Decoded, gvk: Gvk, param: string): boolean | undefined {
  for (const path of list(obj(doc.paths).path)) {
    const patch = obj(obj(path.value).patch);
    const ext = extension(patch.vendor_extension, 'x-kubernetes-group-version-kind') as
      Gvk | undefined;
    if (ext === undefined || !sameGvk(ext, gvk)) continue;
    return list(patch.parameters).some(
      p => obj(obj(obj(p.parameter).non_body_parameter).query_parameter_sub_schema).name === param,
    );
  }
  return undefined;
}

/** kubectl's GetConsumes(gvk, "PATCH"). */
function patchConsumes(doc: Decoded, gvk: Gvk): string[] | undefined {
  for (const path of list(obj(doc.paths).path)) {
    const patch = obj(obj(path.value).patch);
    const ext = extension(patch.vendor_extension, 'x-kubernetes-group-version-kind') as
      Gvk | undefined;
    if (ext !== undefined && sameGvk(ext, gvk)) return (patch.consumes ?? []) as string[];
  }
  return undefined;
}

/** kubectl's LookupResource: the definitions whose GVK list names the kind. */
function definitionsOf(doc: Decoded, gvk: Gvk): Decoded[] {
  return list(obj(doc.definitions).additional_properties)
    .filter(named => {
      const gvks = extension(obj(named.value).vendor_extension, 'x-kubernetes-group-version-kind');
      return Array.isArray(gvks) && (gvks as Gvk[]).some(g => sameGvk(g, gvk));
    })
    .map(named => obj(named.value));
}

describe('/openapi/v2 protobuf', () => {
  it('decodes, with an independent schema, back to the JSON document', () => {
    expect(toSwagger(decoded)).toEqual(JSON.parse(JSON.stringify(json)));
  });

  it('decodes with the module’s own schema to the same message', () => {
    const type = openApiV2DocumentType();
    const again = type.encode(type.decode(bytes)).finish();
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });

  it('writes what Go’s proto3 marshaller writes: no empty strings, no false, fields in number order', () => {
    const check = (type: string, buf: Uint8Array): void => {
      const fields = readWire(buf);
      const numbers = fields.map(f => f.number);
      expect(
        [...numbers].sort((a, b) => a - b),
        type,
      ).toEqual(numbers);
      for (const f of fields) {
        if (f.varint !== undefined) expect(f.varint, `${type}.${f.number}`).not.toBe(0n);
      }
    };
    check('Document', bytes);
    const top = readWire(bytes);
    expect(top.map(f => f.number)).toEqual([1, 2, 8, 9]);
    for (const f of top) if (f.number === 8 && f.bytes) check('Paths', f.bytes);
  });

  it('every served kind has one definition kubectl reads as a map of arbitrary values', () => {
    for (const d of RESOURCES) {
      const found = definitionsOf(decoded, d);
      expect(found, `${d.group}/${d.version} ${d.kind}`).toHaveLength(1);
      const schema = found[0] as Decoded;
      // type object without properties is a Map; its values (an empty schema) are Arbitrary.
      expect(obj(schema.type).value).toEqual(['object']);
      expect(schema.properties).toBeUndefined();
      expect(obj(schema.additional_properties).schema).toEqual({});
    }
    expect(list(obj(decoded.definitions).additional_properties)).toHaveLength(RESOURCES.length);
  });

  it('claims no kind it does not serve', () => {
    expect(definitionsOf(decoded, { group: '', version: 'v1', kind: 'Lease' })).toEqual([]);
    expect(
      patchTakes(decoded, { group: '', version: 'v1', kind: 'Lease' }, 'fieldValidation'),
    ).toBe(undefined);
    expect(definitionsOf(decoded, { group: 'apps', version: 'v1', kind: 'Deployment' })).toEqual(
      [],
    );
  });

  it('PATCH takes fieldValidation for every patchable kind but Namespace', () => {
    for (const d of RESOURCES.filter(r => r.verbs.includes('patch'))) {
      expect(patchTakes(decoded, d, 'fieldValidation'), d.kind).toBe(d.kind !== 'Namespace');
    }
    // Create-only reviews have no PATCH: kubectl validates them on the client, against a
    // schema every object passes.
    expect(
      patchTakes(
        decoded,
        { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview' },
        'fieldValidation',
      ),
    ).toBe(undefined);
  });

  it('does not advertise strategic merge patches (kubectl then uses its built-in merge keys)', () => {
    for (const d of RESOURCES.filter(r => r.verbs.includes('patch'))) {
      const consumes = patchConsumes(decoded, d);
      expect(consumes, d.kind).toEqual([
        'application/json-patch+json',
        'application/merge-patch+json',
      ]);
    }
  });

  it('operations carry their action and GVK as single maps, definitions as lists', () => {
    const pods = list(obj(decoded.paths).path).find(
      p => p.name === '/api/v1/namespaces/{namespace}/pods/{name}',
    );
    const patch = obj(obj(pods?.value).patch);
    expect(extension(patch.vendor_extension, 'x-kubernetes-action')).toBe('patch');
    expect(extension(patch.vendor_extension, 'x-kubernetes-group-version-kind')).toEqual({
      group: '',
      kind: 'Pod',
      version: 'v1',
    });
    expect(obj(decoded.info)).toEqual({ title: 'Kubernetes', version: VERSION });
  });
});

describe('/openapi/v3 agrees with /openapi/v2', () => {
  it('the same paths, operations, GVKs and schemas; fieldValidation everywhere v2 has it, and on namespaces', () => {
    const v2 = JSON.parse(JSON.stringify(json)) as Record<string, any>;
    const v3Paths: Record<string, any> = {};
    const v3Schemas: Record<string, any> = {};
    for (const gv of groupVersionPaths()) {
      const doc = JSON.parse(JSON.stringify(openApiV3Document(gv, VERSION))) as Record<string, any>;
      expect(doc.info).toEqual({ title: 'Kubernetes', version: VERSION });
      Object.assign(v3Paths, doc.paths);
      Object.assign(v3Schemas, doc.components.schemas);
    }
    expect(Object.keys(v3Paths).sort()).toEqual(Object.keys(v2.paths).sort());
    expect(v3Schemas).toEqual(v2.definitions);
    for (const [path, item] of Object.entries(v2.paths as Record<string, any>)) {
      for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
        const a = item[method];
        const b = v3Paths[path][method];
        expect(b === undefined, `${method} ${path}`).toBe(a === undefined);
        if (a === undefined) continue;
        expect(b['x-kubernetes-group-version-kind']).toEqual(a['x-kubernetes-group-version-kind']);
        expect(b['x-kubernetes-action']).toEqual(a['x-kubernetes-action']);
        const names = (ps: { name: string; in: string }[]): string[] =>
          ps.filter(p => p.in === 'query').map(p => p.name);
        const v2Names = names(a.parameters);
        const v3Names = names(b.parameters);
        const namespace = a['x-kubernetes-group-version-kind'].kind === 'Namespace';
        if (namespace) {
          // Left out of v2 only (see WITHOUT_FIELD_VALIDATION in swagger-v2.ts).
          expect(v3Names.filter(n => n !== 'fieldValidation')).toEqual(v2Names);
          expect(v3Names.includes('fieldValidation')).toBe(
            ['post', 'put', 'patch'].includes(method),
          );
        } else {
          expect(v3Names, `${method} ${path}`).toEqual(v2Names);
        }
        if (method === 'patch') {
          expect(Object.keys(b.requestBody.content)).toEqual(a.consumes);
        }
      }
    }
  });
});
