import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import type { Json } from '../kube-object.ts';
import { applyPatch } from './index.ts';

const MERGE_PATCH = 'application/merge-patch+json';

function node(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'vk-1', labels: { 'kubernetes.io/role': 'agent', type: 'virtual' } },
    spec: { taints: [{ key: 'virtual-kubelet.io/provider', effect: 'NoSchedule' }] },
    status: {
      capacity: { cpu: '8', pods: '110' },
      conditions: [{ type: 'Ready', status: 'False' }],
    },
  };
}

function patched(patch: unknown, original: Json = node()): Json {
  return applyPatch('Node', original, MERGE_PATCH, patch);
}

function failure(patch: unknown): ApiError {
  try {
    patched(patch);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('the patch applied');
}

describe('JSON merge patch', () => {
  it('merges objects recursively and deletes on null (label removal)', () => {
    const result = patched({
      metadata: { labels: { type: null, zone: 'a' } },
      status: { capacity: { cpu: '16' } },
    });
    expect(result).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'vk-1', labels: { 'kubernetes.io/role': 'agent', zone: 'a' } },
      spec: { taints: [{ key: 'virtual-kubelet.io/provider', effect: 'NoSchedule' }] },
      status: {
        capacity: { cpu: '16', pods: '110' },
        conditions: [{ type: 'Ready', status: 'False' }],
      },
    });
  });

  it('replaces lists whole, even lists a strategic patch would merge', () => {
    const result = patched({
      status: { conditions: [{ type: 'MemoryPressure', status: 'False' }] },
    });
    expect(result).toMatchObject({
      status: { conditions: [{ type: 'MemoryPressure', status: 'False' }] },
    });
  });

  it('deletes a whole subtree with null and ignores nulls for absent keys', () => {
    const result = patched({ spec: null, metadata: { annotations: null } });
    expect(result).not.toHaveProperty('spec');
    expect(result).not.toHaveProperty('metadata.annotations');
  });

  it('drops null members of a value that has nothing to merge into', () => {
    const result = patched({ metadata: { annotations: { keep: 'x', drop: null } } });
    expect(result).toMatchObject({ metadata: { annotations: { keep: 'x' } } });
    expect(result).not.toHaveProperty('metadata.annotations.drop');
  });

  it('replaces a scalar with an object and an object with a scalar', () => {
    const result = patched({ spec: { taints: { nested: { gone: null, kept: 1 } } }, status: 'x' });
    expect(result).toMatchObject({ spec: { taints: { nested: { kept: 1 } } }, status: 'x' });
  });

  it('leaves the document unchanged for an empty object', () => {
    expect(patched({})).toEqual(node());
  });

  it('never mutates its inputs', () => {
    const original = node();
    const patch = { metadata: { labels: { type: null } }, status: { capacity: { cpu: '1' } } };
    const before = structuredClone(original);
    const patchBefore = structuredClone(patch);
    const result = patched(patch, original);
    expect(original).toEqual(before);
    expect(patch).toEqual(patchBefore);
    (result as { status: { capacity: { cpu: string } } }).status.capacity.cpu = '99';
    expect(patch).toEqual(patchBefore);
  });
});

describe('JSON merge patch errors', () => {
  it.each([null, 'labels', 42, true])('answers 400 Invalid JSON Patch for a %j body', body => {
    expect(failure(body).toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Invalid JSON Patch',
      reason: 'BadRequest',
      code: 400,
    });
  });

  it('answers 422 for an array body, which cannot become the object', () => {
    const status = failure([{ a: null }]).toStatus();
    expect(status.code).toBe(422);
    expect(status.reason).toBe('Invalid');
    expect(status.message).toMatch(
      /^ "" is invalid: patch: Invalid value: "\[\{\}\]": couldn't get version\/kind; json parse error: json: cannot unmarshal array/,
    );
    expect(status.details?.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'patch',
        message: expect.stringMatching(/^Invalid value: "\[\{\}\]": /),
      },
    ]);
  });
});
