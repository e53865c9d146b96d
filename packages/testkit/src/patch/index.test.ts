import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import type { Json } from '../kube-object.ts';
import { applyPatch, isPatchContentType, type PatchContentType } from './index.ts';

const TYPES: PatchContentType[] = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

describe(isPatchContentType, () => {
  it.each(TYPES)('accepts %s', type => {
    expect(isPatchContentType(type)).toBe(true);
  });

  it.each([
    'application/json',
    'application/apply-patch+yaml',
    'application/merge-patch+json; charset=utf-8',
    'APPLICATION/MERGE-PATCH+JSON',
    '',
  ])('rejects %j', type => {
    expect(isPatchContentType(type)).toBe(false);
  });
});

describe(applyPatch, () => {
  const original: Json = {
    kind: 'Pod',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image: 'nginx:1', env: [{ name: 'A', value: '1' }] }] },
  };
  const patches: Record<PatchContentType, unknown> = {
    'application/json-patch+json': [
      { op: 'add', path: '/metadata/labels/extra', value: { nested: ['x'] } },
      { op: 'replace', path: '/spec/containers/0/env/0/value', value: '2' },
    ],
    'application/merge-patch+json': { metadata: { labels: { extra: { nested: ['x'] } } } },
    'application/strategic-merge-patch+json': {
      metadata: { labels: { extra: { nested: ['x'] } } },
      spec: { containers: [{ name: 'app', env: [{ name: 'A', value: '2' }] }] },
    },
  };

  it.each(TYPES)('never mutates the object or the %s body, and shares nothing with them', type => {
    const object = structuredClone(original);
    const patch = structuredClone(patches[type]);
    const result = applyPatch('Pod', object, type, patch) as {
      metadata: { labels: Record<string, { nested: string[] }> };
    };
    expect(object).toEqual(original);
    expect(patch).toEqual(patches[type]);
    result.metadata.labels.extra?.nested.push('y');
    expect(patch).toEqual(patches[type]);
  });

  it('keeps keys such as __proto__ as plain data', () => {
    const body: unknown = JSON.parse('{"metadata":{"labels":{"__proto__":"x","constructor":"y"}}}');
    for (const type of [
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ] as const) {
      const result = applyPatch('Pod', original, type, body) as { metadata: { labels: object } };
      const labels = result.metadata.labels;
      expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
      expect(Object.entries(labels)).toEqual([
        ['app', 'web'],
        ['__proto__', 'x'],
        ['constructor', 'y'],
      ]);
    }
  });

  it('rejects a body that is not JSON data with a 500', () => {
    let caught: unknown;
    try {
      applyPatch('Pod', original, 'application/merge-patch+json', { when: new Date() });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).code).toBe(500);
  });
});
