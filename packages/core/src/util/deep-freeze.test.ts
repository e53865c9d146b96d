import { describe, expect, it } from 'vitest';
import { deepFreeze } from './deep-freeze.ts';

describe(deepFreeze, () => {
  it('freezes objects and arrays all the way down and returns the same value', () => {
    const pod = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ args: ['a'] }] } };
    expect(deepFreeze(pod)).toBe(pod);
    expect(Object.isFrozen(pod.metadata.labels)).toBe(true);
    expect(Object.isFrozen(pod.spec.containers)).toBe(true);
    expect(Object.isFrozen(pod.spec.containers[0]?.args)).toBe(true);
    expect(() => {
      (pod.metadata.labels as Record<string, string>).app = 'x';
    }).toThrow(TypeError);
  });

  it('leaves primitives alone and does not walk frozen subtrees again', () => {
    expect(deepFreeze('x')).toBe('x');
    expect(deepFreeze(null)).toBeNull();
    // A frozen parent with a child left unfrozen on purpose: the walk stops at the parent.
    const child = { n: 1 };
    const parent = Object.freeze({ child });
    deepFreeze(parent);
    expect(Object.isFrozen(child)).toBe(false);
  });
});
