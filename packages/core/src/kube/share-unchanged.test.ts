import { describe, expect, it } from 'vitest';
import { shareUnchanged } from './share-unchanged.ts';

const pod = (phase: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name: 'web', uid: 'u1', resourceVersion: phase, labels: { app: 'web' } },
  spec: {
    containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 80 }] }],
    tolerations: [{ key: 'a', operator: 'Exists' }],
    ...extra,
  },
  status: { phase, conditions: [{ type: 'Ready', status: 'True' }] },
});

describe('shareUnchanged', () => {
  it('keeps the earlier objects for everything the update left alone', () => {
    const before = pod('Pending');
    const after = shareUnchanged(pod('Running'), before);
    expect(after).toEqual(pod('Running'));
    expect(after).not.toBe(before);
    expect(after.spec).toBe(before.spec);
    expect(after.metadata.labels).toBe(before.metadata.labels);
    expect(after.status.conditions).toBe(before.status.conditions);
    expect(after.metadata).not.toBe(before.metadata);
    expect(after.status).not.toBe(before.status);
  });

  it('returns the earlier object when nothing changed at all', () => {
    const before = pod('Running');
    expect(shareUnchanged(pod('Running'), before)).toBe(before);
  });

  it('sees added, removed and reordered members and elements as changes', () => {
    const before = pod('Running');
    const added = shareUnchanged(pod('Running', { hostNetwork: true }), before);
    expect(added.spec).not.toBe(before.spec);
    expect(added.spec.containers).toBe(before.spec.containers);
    expect((added.spec as Record<string, unknown>).hostNetwork).toBe(true);

    const wider = pod('Running', { hostNetwork: true });
    expect(shareUnchanged(pod('Running'), wider).spec).not.toBe(wider.spec);

    const two = pod('Running', { tolerations: [{ key: 'a' }, { key: 'b' }] });
    const swapped = shareUnchanged(
      pod('Running', { tolerations: [{ key: 'b' }, { key: 'a' }] }),
      two,
    );
    expect(swapped.spec.tolerations).toEqual([{ key: 'b' }, { key: 'a' }]);
    expect(swapped.spec.tolerations).not.toBe(two.spec.tolerations);
    expect(shareUnchanged(pod('Running', { tolerations: [] }), two).spec.tolerations).toEqual([]);
  });

  it('tells null, an object, an array and a missing member apart', () => {
    const before = { a: null, b: {}, c: [] as unknown[], d: { x: undefined } };
    const after = shareUnchanged({ a: {}, b: null, c: {}, d: {} }, before as never);
    expect(after).toEqual({ a: {}, b: null, c: {}, d: {} });
    expect(after).not.toBe(before);
  });

  it('leaves a frozen object, and an object with no earlier version, as they are', () => {
    const frozen = Object.freeze(pod('Running'));
    expect(shareUnchanged(frozen, pod('Running'))).toBe(frozen);
    const fresh = pod('Running');
    expect(shareUnchanged(fresh, undefined)).toBe(fresh);
  });

  it('shares with a frozen earlier version without writing to it', () => {
    const before = pod('Pending');
    Object.freeze(before.spec);
    const after = shareUnchanged(pod('Running'), before);
    expect(after.spec).toBe(before.spec);
  });
});
