import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import type { Json } from '../kube-object.ts';
import { applyPatch } from './index.ts';

const STRATEGIC = 'application/strategic-merge-patch+json';

function pod(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'pod-uid',
      labels: { app: 'web', tier: 'front' },
      finalizers: ['example.com/a', 'example.com/b'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'rs-1' }],
    },
    spec: {
      nodeName: 'vk-1',
      securityContext: { runAsUser: 1000 },
      volumes: [
        { name: 'data', hostPath: { path: '/data' } },
        { name: 'cfg', configMap: { name: 'cfg' } },
      ],
      containers: [
        {
          name: 'app',
          image: 'nginx:1',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
        { name: 'sidecar', image: 'busybox', args: ['sleep', '3600'] },
      ],
      tolerations: [{ key: 'a', operator: 'Exists' }],
    },
    status: {
      phase: 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'False' },
      ],
      containerStatuses: [
        { name: 'app', ready: false, restartCount: 0 },
        { name: 'sidecar', ready: false, restartCount: 0 },
      ],
    },
  };
}

function patched(patch: unknown, kind = 'Pod', original: Json = pod()): Record<string, any> {
  return applyPatch(kind, original, STRATEGIC, patch) as any;
}

function failure(patch: unknown, kind = 'Pod', original: Json = pod()): ApiError {
  try {
    applyPatch(kind, original, STRATEGIC, patch);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('the patch applied');
}

describe('strategic merge: maps', () => {
  it('merges maps recursively and deletes keys set to null', () => {
    const result = patched({
      metadata: { labels: { tier: null, version: 'v2' }, annotations: { note: 'x' } },
      spec: { securityContext: { fsGroup: 2000 } },
    });
    expect(result.metadata.labels).toEqual({ app: 'web', version: 'v2' });
    expect(result.metadata.annotations).toEqual({ note: 'x' });
    expect(result.spec.securityContext).toEqual({ runAsUser: 1000, fsGroup: 2000 });
  });

  it('replaces a map with $patch: replace', () => {
    const result = patched({ metadata: { labels: { $patch: 'replace', only: 'this' } } });
    expect(result.metadata.labels).toEqual({ only: 'this' });
  });

  it('empties a map with $patch: delete', () => {
    expect(
      patched({ spec: { securityContext: { $patch: 'delete' } } }).spec.securityContext,
    ).toEqual({});
  });

  it('ignores $patch directives on keys the object does not have', () => {
    const result = patched({
      spec: { affinity: { $patch: 'delete' }, dnsConfig: { $patch: 'replace' } },
    });
    expect(result.spec).not.toHaveProperty('affinity');
    expect(result.spec).not.toHaveProperty('dnsConfig');
  });

  it('stores new values without their nulls or nested directives', () => {
    const result = patched({
      spec: {
        hostname: 'h',
        affinity: { nodeAffinity: null, podAffinity: { $patch: 'delete' }, x: 1 },
      },
    });
    expect(result.spec.hostname).toBe('h');
    expect(result.spec.affinity).toEqual({ x: 1 });
  });

  it('answers 500 with the Go error for $patch: merge on a map, as the apiserver does', () => {
    const err = failure({ metadata: { labels: { $patch: 'merge', a: 'b' } } });
    expect(err.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'unknown patch type: merge in map: map[$patch:merge a:b]',
      reason: 'InternalError',
      code: 500,
    });
  });
});

describe('strategic merge: lists with a merge key', () => {
  it('merges containers by name, leaving the others alone', () => {
    const result = patched({ spec: { containers: [{ name: 'app', image: 'nginx:2' }] } });
    const original = pod() as { spec: { containers: Record<string, Json>[] } };
    expect(result.spec.containers).toEqual([
      { ...original.spec.containers[0], image: 'nginx:2' },
      original.spec.containers[1],
    ]);
  });

  it('merges env by name inside the container, keeping live order for known names', () => {
    const result = patched({
      spec: {
        containers: [
          {
            name: 'app',
            env: [
              { name: 'B', value: '20' },
              { name: 'C', value: '3' },
            ],
          },
        ],
      },
    });
    expect(result.spec.containers[0].env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '20' },
      { name: 'C', value: '3' },
    ]);
  });

  it('puts elements the live list does not know before the ones only the server had', () => {
    const result = patched({
      spec: { containers: [{ name: 'app', env: [{ name: 'C', value: '3' }] }] },
    });
    expect(result.spec.containers[0].env.map((e: { name: string }) => e.name)).toEqual([
      'C',
      'A',
      'B',
    ]);
  });

  it('merges ports by containerPort and volumeMounts by mountPath', () => {
    const result = patched({
      spec: {
        containers: [
          {
            name: 'app',
            ports: [{ containerPort: 80, name: 'http' }],
            volumeMounts: [{ mountPath: '/data', readOnly: true }],
          },
        ],
      },
    });
    expect(result.spec.containers[0].ports).toEqual([
      { containerPort: 80, protocol: 'TCP', name: 'http' },
    ]);
    expect(result.spec.containers[0].volumeMounts).toEqual([
      { name: 'data', mountPath: '/data', readOnly: true },
    ]);
  });

  it('merges ownerReferences by uid', () => {
    const result = patched({
      metadata: {
        ownerReferences: [
          { uid: 'rs-1', blockOwnerDeletion: true },
          { uid: 'n-1', apiVersion: 'v1', kind: 'Node', name: 'vk-1' },
        ],
      },
    });
    expect(result.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web-1',
        uid: 'rs-1',
        blockOwnerDeletion: true,
      },
      { uid: 'n-1', apiVersion: 'v1', kind: 'Node', name: 'vk-1' },
    ]);
  });

  it('removes an element with $patch: delete', () => {
    const result = patched({
      spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] },
      status: { conditions: [{ type: 'Ready', $patch: 'delete' }] },
    });
    expect(result.spec.containers.map((c: { name: string }) => c.name)).toEqual(['app']);
    expect(result.status.conditions).toEqual([{ type: 'PodScheduled', status: 'True' }]);
  });

  it('makes the list exactly the patch elements with a $patch: replace element', () => {
    const result = patched({
      spec: { volumes: [{ name: 'scratch', emptyDir: {} }, { $patch: 'replace' }] },
    });
    expect(result.spec.volumes).toEqual([{ name: 'scratch', emptyDir: {} }]);
  });

  it('answers 500 for $patch: merge in a list, which the apiserver does not support', () => {
    const err = failure({ spec: { containers: [{ name: 'app', $patch: 'merge' }] } });
    expect(err.code).toBe(500);
    expect(err.message).toBe('merging lists cannot yet be specified in the patch');
  });

  it('answers 500 naming the element that lacks the merge key', () => {
    const err = failure({ status: { conditions: [{ status: 'True' }] } });
    expect(err.code).toBe(500);
    expect(err.message).toBe('map: map[status:True] does not contain declared merge key: type');
  });
});

describe('strategic merge: lists without a merge key', () => {
  it('replaces untagged lists whole: tolerations, args, containerStatuses', () => {
    const result = patched({
      spec: {
        tolerations: [{ key: 'b', operator: 'Exists' }],
        containers: [{ name: 'sidecar', args: ['sleep', '1'] }],
      },
      status: { containerStatuses: [{ name: 'app', ready: true, restartCount: 0 }] },
    });
    expect(result.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
    expect(result.spec.containers[1].args).toEqual(['sleep', '1']);
    expect(result.status.containerStatuses).toEqual([
      { name: 'app', ready: true, restartCount: 0 },
    ]);
  });

  it('merges finalizers as a set', () => {
    expect(patched({ metadata: { finalizers: ['example.com/a'] } }).metadata.finalizers).toEqual([
      'example.com/a',
      'example.com/b',
    ]);
    expect(patched({ metadata: { finalizers: ['example.com/c'] } }).metadata.finalizers).toEqual([
      'example.com/c',
      'example.com/a',
      'example.com/b',
    ]);
  });

  it('removes primitives listed in $deleteFromPrimitiveList/<field>', () => {
    const result = patched({
      metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/a', 'gone'] },
    });
    expect(result.metadata.finalizers).toEqual(['example.com/b']);
  });

  it('adds and removes in one patch, as kubectl sends it', () => {
    const result = patched({
      metadata: {
        '$setElementOrder/finalizers': ['example.com/c', 'example.com/b'],
        finalizers: ['example.com/c'],
        '$deleteFromPrimitiveList/finalizers': ['example.com/a'],
      },
    });
    expect(result.metadata.finalizers).toEqual(['example.com/c', 'example.com/b']);
  });
});

describe('strategic merge: $retainKeys', () => {
  it('clears the keys a map no longer lists (switching a volume source)', () => {
    const result = patched({
      spec: { volumes: [{ name: 'data', emptyDir: {}, $retainKeys: ['emptyDir', 'name'] }] },
    });
    expect(result.spec.volumes).toEqual([
      { name: 'data', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg' } },
    ]);
  });

  it('answers 400 when the patch sets a key $retainKeys does not list', () => {
    const err = failure({
      spec: { volumes: [{ name: 'data', emptyDir: {}, $retainKeys: ['name'] }] },
    });
    expect(err.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'invalid patch format of retainKeys',
      reason: 'BadRequest',
      code: 400,
    });
  });

  it('answers 400 when $retainKeys is not a list', () => {
    const err = failure({ spec: { $retainKeys: 'nodeName' } });
    expect([err.code, err.reason, err.message]).toEqual([
      400,
      'BadRequest',
      'invalid patch format of retainKeys',
    ]);
  });
});

describe('strategic merge: $setElementOrder', () => {
  it('reorders a list without changing it', () => {
    const result = patched({
      spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }] },
    });
    expect(result.spec.containers.map((c: { name: string }) => c.name)).toEqual(['sidecar', 'app']);
    expect(result.spec.containers[1].image).toBe('nginx:1');
  });

  it('places new and changed elements where the order list says', () => {
    const result = patched({
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'extra' }, { name: 'sidecar' }],
        containers: [{ name: 'extra', image: 'alpine' }],
      },
    });
    expect(result.spec.containers.map((c: { name: string }) => c.name)).toEqual([
      'app',
      'extra',
      'sidecar',
    ]);
  });

  it('applies directives inside merged elements', () => {
    const result = patched({
      spec: {
        containers: [
          {
            name: 'app',
            '$setElementOrder/env': [{ name: 'B' }, { name: 'A' }],
            volumeMounts: [{ mountPath: '/data', $patch: 'delete' }],
          },
        ],
      },
    });
    expect(result.spec.containers[0].env).toEqual([
      { name: 'B', value: '2' },
      { name: 'A', value: '1' },
    ]);
    expect(result.spec.containers[0].volumeMounts).toEqual([]);
  });

  it('orders primitive lists too', () => {
    const result = patched({
      metadata: { '$setElementOrder/finalizers': ['example.com/b', 'example.com/a'] },
    });
    expect(result.metadata.finalizers).toEqual(['example.com/b', 'example.com/a']);
  });

  it('answers 500 when the patch list contradicts the order list', () => {
    const err = failure({
      spec: {
        '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
        containers: [{ name: 'app' }, { name: 'sidecar' }],
      },
    });
    expect(err.code).toBe(500);
    expect(err.message).toBe(
      "the order in patch list:\n[map[name:app] map[name:sidecar]]\n doesn't match $setElementOrder list:\n[map[name:sidecar] map[name:app]]",
    );
  });
});

describe('strategic merge: malformed patches', () => {
  it.each([
    [[{ a: 1 }], 'array'],
    ['labels', 'string'],
    [7, 'number'],
    [false, 'bool'],
  ])('answers 400 for a %j body', (body, word) => {
    const err = failure(body);
    expect([err.code, err.reason, err.message]).toEqual([
      400,
      'BadRequest',
      `json: cannot unmarshal ${word} into Go value of type map[string]interface {}`,
    ]);
  });

  it('treats a null body as an empty patch', () => {
    expect(patched(null)).toEqual(pod());
  });

  it('answers 400 for parallel-list keys without a field', () => {
    const order = failure({ spec: { $setElementOrder: [] } });
    expect([order.code, order.message]).toEqual([
      400,
      'invalid patch format of setElementOrder list',
    ]);
    const deletion = failure({ metadata: { $deleteFromPrimitiveList: ['x'] } });
    expect([deletion.code, deletion.message]).toEqual([
      400,
      'invalid patch format of primitive list',
    ]);
  });

  it('answers 422 when a map becomes a list (the object can no longer decode)', () => {
    const status = failure({ metadata: { labels: ['a'] } }).toStatus();
    expect(status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        ' "" is invalid: patch: Invalid value: "map[metadata:map[labels:[a]]]": cannot restore map from slice',
      reason: 'Invalid',
      details: {
        causes: [
          {
            reason: 'FieldValueInvalid',
            message:
              'Invalid value: "map[metadata:map[labels:[a]]]": cannot restore map from slice',
            field: 'patch',
          },
        ],
      },
      code: 422,
    });
  });

  it('answers 422 for other shape changes of typed fields', () => {
    expect(failure({ spec: [] }).message).toMatch(/cannot restore struct from: slice$/);
    expect(failure({ spec: { containers: { name: 'app' } } }).message).toMatch(
      /cannot restore slice from map$/,
    );
    expect(failure({ spec: { nodeName: { x: 1 } } }).message).toMatch(/unrecognized type: string$/);
    const node = { kind: 'Node', metadata: { name: 'n' } };
    expect(failure({ metadata: { finalizers: 'x' } }, 'Node', node).message).toMatch(
      /cannot restore slice from string$/,
    );
  });

  it('answers 422 with the generic message for lists of lists', () => {
    const emptied = { kind: 'Pod', metadata: { name: 'web', finalizers: [] } };
    const status = failure({ metadata: { finalizers: [['x']] } }, 'Pod', emptied).toStatus();
    expect([status.code, status.reason, status.message, status.details]).toEqual([
      422,
      'Invalid',
      'the server rejected our request due to an error in our request',
      {},
    ]);
  });

  it('answers 500 for lists mixing element types', () => {
    const err = failure({ metadata: { finalizers: [1] } });
    expect([err.code, err.message]).toEqual([
      500,
      'list element types are not identical: [[example.com/a example.com/b] [1]]',
    ]);
  });

  it('answers 500 for an unknown $patch value', () => {
    expect(failure({ spec: { containers: [{ name: 'app', $patch: 'upsert' }] } }).message).toBe(
      'unknown patch type: upsert in map: map[$patch:upsert name:app]',
    );
  });
});

describe('strategic merge: kinds without a Go type', () => {
  const widget: Json = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', finalizers: ['example.com/a'] },
    spec: { size: { width: 1, height: 2 }, parts: [{ name: 'a' }, { name: 'b' }] },
  };

  it('merges maps, replaces lists, and still applies ObjectMeta tags', () => {
    const result = patched(
      {
        metadata: { finalizers: ['example.com/b'] },
        spec: { size: { height: 3 }, parts: [{ name: 'c' }] },
      },
      'Widget',
      widget,
    );
    expect(result).toEqual({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', finalizers: ['example.com/b', 'example.com/a'] },
      spec: { size: { width: 1, height: 3 }, parts: [{ name: 'c' }] },
    });
  });

  it('accepts shape changes, having no type to decode into', () => {
    expect(patched({ spec: { size: ['big'] } }, 'Widget', widget).spec.size).toEqual(['big']);
  });
});
