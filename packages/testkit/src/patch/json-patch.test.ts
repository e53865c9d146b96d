import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import type { Json } from '../kube-object.ts';
import { applyPatch } from './index.ts';

const JSON_PATCH = 'application/json-patch+json';

function pod(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['a', 'b'] },
    spec: { containers: [{ name: 'app', image: 'nginx:1' }] },
  };
}

function patched(operations: unknown, original: Json = pod()): Json {
  return applyPatch('Pod', original, JSON_PATCH, operations);
}

function failure(operations: unknown, original: Json = pod()): ApiError {
  try {
    patched(operations, original);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('the patch applied');
}

/** What the apiserver answers for any operation that does not apply. */
const NOT_APPLIED = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'the server rejected our request due to an error in our request',
  reason: 'Invalid',
  details: {},
  code: 422,
};

function expectNotApplied(err: ApiError, why: string): void {
  expect(err.toStatus()).toEqual(NOT_APPLIED);
  expect(err.cause).toHaveProperty('message', why);
}

describe('JSON patch: add', () => {
  it('adds an object member, replacing any value already there', () => {
    const result = patched([
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
      { op: 'add', path: '/metadata/labels/app', value: 'api' },
    ]);
    expect(result).toMatchObject({ metadata: { labels: { app: 'api', tier: 'front' } } });
  });

  it('inserts into an array at an index and appends with "-"', () => {
    const result = patched([
      { op: 'add', path: '/metadata/finalizers/1', value: 'x' },
      { op: 'add', path: '/metadata/finalizers/-', value: 'z' },
      { op: 'add', path: '/metadata/finalizers/0', value: 'first' },
    ]);
    expect(result).toMatchObject({ metadata: { finalizers: ['first', 'a', 'x', 'b', 'z'] } });
  });

  it('decodes ~1 and ~0 in pointer tokens', () => {
    const result = patched([
      { op: 'add', path: '/metadata/annotations', value: {} },
      { op: 'add', path: '/metadata/annotations/example.com~1owner', value: 'team-a' },
      { op: 'add', path: '/metadata/annotations/tilde~0key', value: 'yes' },
      { op: 'add', path: '/metadata/annotations/literal~01', value: 'one' },
    ]);
    expect(result).toMatchObject({
      metadata: {
        annotations: { 'example.com/owner': 'team-a', 'tilde~key': 'yes', 'literal~1': 'one' },
      },
    });
  });

  it('fails when the parent does not exist', () => {
    const err = failure([{ op: 'add', path: '/metadata/annotations/x', value: 'y' }]);
    expectNotApplied(
      err,
      'add operation does not apply: doc is missing path: "/metadata/annotations/x"',
    );
  });

  it('fails past the end of an array', () => {
    const err = failure([{ op: 'add', path: '/metadata/finalizers/3', value: 'x' }]);
    expectNotApplied(
      err,
      "error in add for path: '/metadata/finalizers/3': Unable to access invalid index: 3: invalid index referenced",
    );
  });

  it('cannot target the whole document, as the apiserver cannot', () => {
    const err = failure([{ op: 'add', path: '', value: {} }]);
    expectNotApplied(err, 'add operation does not apply: doc is missing path: ""');
  });
});

describe('JSON patch: remove', () => {
  it('removes an object member and an array element', () => {
    const result = patched([
      { op: 'remove', path: '/metadata/labels/app' },
      { op: 'remove', path: '/metadata/finalizers/0' },
    ]);
    expect(result).toMatchObject({ metadata: { labels: {}, finalizers: ['b'] } });
  });

  it('fails on a missing member', () => {
    const err = failure([{ op: 'remove', path: '/metadata/labels/missing' }]);
    expectNotApplied(
      err,
      "error in remove for path: '/metadata/labels/missing': Unable to remove nonexistent key: missing: missing value",
    );
  });

  it('fails on an index out of range', () => {
    const err = failure([{ op: 'remove', path: '/metadata/finalizers/2' }]);
    expectNotApplied(
      err,
      "error in remove for path: '/metadata/finalizers/2': Unable to access invalid index: 2: invalid index referenced",
    );
  });
});

describe('JSON patch: replace', () => {
  it('replaces a member and an array element', () => {
    const result = patched([
      { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:2' },
      { op: 'replace', path: '/metadata/finalizers/1', value: 'c' },
    ]);
    expect(result).toMatchObject({
      metadata: { finalizers: ['a', 'c'] },
      spec: { containers: [{ name: 'app', image: 'nginx:2' }] },
    });
  });

  it('adds a missing object member, as json-patch v4 in the apiserver does', () => {
    const result = patched([{ op: 'replace', path: '/spec/nodeName', value: 'node-1' }]);
    expect(result).toMatchObject({ spec: { nodeName: 'node-1' } });
  });

  it('fails on an index out of range', () => {
    const err = failure([{ op: 'replace', path: '/metadata/finalizers/5', value: 'x' }]);
    expectNotApplied(
      err,
      'replace operation does not apply: doc is missing key: /metadata/finalizers/5',
    );
  });

  it('fails when the parent does not exist', () => {
    const err = failure([{ op: 'replace', path: '/status/phase', value: 'Running' }]);
    expectNotApplied(err, 'replace operation does not apply: doc is missing path: /status/phase');
  });
});

describe('JSON patch: move and copy', () => {
  it('moves a value', () => {
    const result = patched([
      { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/name' },
    ]);
    expect(result).toMatchObject({ metadata: { labels: { name: 'web' } } });
    expect(result).not.toHaveProperty('metadata.labels.app');
  });

  it('moves an array element within the array', () => {
    const result = patched([
      { op: 'move', from: '/metadata/finalizers/0', path: '/metadata/finalizers/-' },
    ]);
    expect(result).toMatchObject({ metadata: { finalizers: ['b', 'a'] } });
  });

  it('fails to move from a missing member', () => {
    const err = failure([
      { op: 'move', from: '/metadata/labels/nope', path: '/metadata/labels/x' },
    ]);
    expectNotApplied(
      err,
      "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value",
    );
  });

  it('copies a deep value that is independent of its source', () => {
    const result = patched([
      { op: 'copy', from: '/spec/containers/0', path: '/spec/containers/-' },
      { op: 'replace', path: '/spec/containers/1/name', value: 'sidecar' },
    ]);
    expect(result).toMatchObject({
      spec: {
        containers: [
          { name: 'app', image: 'nginx:1' },
          { name: 'sidecar', image: 'nginx:1' },
        ],
      },
    });
  });

  it('fails to copy from a missing parent', () => {
    const err = failure([{ op: 'copy', from: '/status/phase', path: '/metadata/labels/phase' }]);
    expectNotApplied(err, 'copy operation does not apply: doc is missing from path: /status/phase');
  });
});

describe('JSON patch: test', () => {
  it('lets the rest of the patch apply when the value matches', () => {
    const result = patched([
      { op: 'test', path: '/spec/containers/0', value: { image: 'nginx:1', name: 'app' } },
      { op: 'test', path: '/metadata/annotations', value: null },
      { op: 'replace', path: '/metadata/labels/app', value: 'api' },
    ]);
    expect(result).toMatchObject({ metadata: { labels: { app: 'api' } } });
  });

  it('fails the whole patch when the value differs, leaving the original untouched', () => {
    const original = pod();
    const before = structuredClone(original);
    const err = failure(
      [
        { op: 'replace', path: '/metadata/labels/app', value: 'api' },
        { op: 'test', path: '/metadata/finalizers', value: ['a'] },
      ],
      original,
    );
    expectNotApplied(err, 'testing value /metadata/finalizers failed: test failed');
    expect(original).toEqual(before);
  });

  it('fails on a missing path', () => {
    const err = failure([{ op: 'test', path: '/status/phase', value: 'Running' }]);
    expectNotApplied(err, 'test operation does not apply: is missing path: /status/phase');
  });
});

describe('JSON patch: malformed bodies', () => {
  it('rejects a body that is not an array with 400', () => {
    const err = failure({ op: 'add', path: '/a', value: 1 });
    expect(err.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
      reason: 'BadRequest',
      code: 400,
    });
  });

  it('rejects an operation that is not an object with 400', () => {
    const err = failure(['add']);
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    expect(err.message).toBe(
      'json: cannot unmarshal string into Go value of type jsonpatch.Operation',
    );
  });

  it('answers 422 for an unknown op', () => {
    expectNotApplied(failure([{ op: 'upsert', path: '/a' }]), 'Unexpected kind: upsert');
    expectNotApplied(failure([{ path: '/a' }]), 'Unexpected kind: unknown');
  });

  it('answers 422 for an operation without a path', () => {
    expectNotApplied(
      failure([{ op: 'add', value: 1 }]),
      'add operation failed to decode path: missing value',
    );
  });

  it('applies a null body as an empty patch', () => {
    expect(patched(null)).toEqual(pod());
    expect(patched([])).toEqual(pod());
  });

  it('refuses more than 10000 operations with 413', () => {
    const operations = Array.from({ length: 10_001 }, () => ({
      op: 'test',
      path: '/kind',
      value: 'Pod',
    }));
    const err = failure(operations);
    expect(err.toStatus()).toMatchObject({
      code: 413,
      reason: 'RequestEntityTooLarge',
      message:
        'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    });
  });
});
