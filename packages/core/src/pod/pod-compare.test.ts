import { describe, expect, it } from 'vitest';
import {
  needsSync,
  specFingerprint,
  statusPatchFor,
  jsonEqual,
  stableJson,
} from './pod-compare.ts';

describe(jsonEqual, () => {
  it('compares JSON values ignoring key order and undefined members, like stableJson', () => {
    const cases: [unknown, unknown, boolean][] = [
      [{ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }, true],
      [{ a: 1, u: undefined }, { a: 1 }, true],
      [{ a: 1 }, { a: 1, b: null }, false],
      [{ a: [1, 2] }, { a: [2, 1] }, false],
      [[], {}, false],
      [{ a: { b: 1 } }, { a: { b: 1, c: 2 } }, false],
      [{ a: { b: 1, c: 2 } }, { a: { b: 1 } }, false],
      [null, undefined, false],
      [undefined, undefined, true],
      ['1', 1, false],
    ];
    for (const [a, b, equal] of cases) {
      expect(jsonEqual(a, b)).toBe(equal);
      expect(jsonEqual(b, a)).toBe(equal);
      expect(stableJson(a) === stableJson(b)).toBe(equal);
    }
  });
});

describe(statusPatchFor, () => {
  it('sends nothing when the provider status matches', () => {
    const status = {
      phase: 'Running',
      podIP: '10.0.0.1',
      conditions: [{ type: 'Ready', status: 'True' }],
    };
    expect(statusPatchFor(status, { ...status })).toBeUndefined();
  });

  it('sends only changed fields and changed conditions, nulling fields that went away', () => {
    const current = {
      phase: 'Pending',
      reason: 'ProviderFailed',
      message: 'quota',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        {
          type: 'Ready',
          status: 'False',
          reason: 'ContainersNotReady',
          message: 'containers with unready status: [c]',
        },
      ],
    };
    const desired = {
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
    };
    expect(statusPatchFor(current, desired)).toEqual({
      phase: 'Running',
      reason: null,
      message: null,
      conditions: [{ type: 'Ready', status: 'True', reason: null, message: null }],
    });
  });
});

describe(needsSync, () => {
  const pod = {
    metadata: { uid: 'u', labels: { a: '1' } },
    spec: { containers: [{ name: 'c', image: 'i:1' }] },
    status: { phase: 'Pending' },
  };

  it('ignores status and resourceVersion changes', () => {
    expect(
      needsSync(pod, {
        ...pod,
        metadata: { ...pod.metadata, resourceVersion: '9' },
        status: { phase: 'Running' },
      }),
    ).toBe(false);
  });

  it('wakes for image, label and deletion changes, and a new UID', () => {
    expect(needsSync(pod, { ...pod, spec: { containers: [{ name: 'c', image: 'i:2' }] } })).toBe(
      true,
    );
    expect(needsSync(pod, { ...pod, metadata: { ...pod.metadata, labels: { a: '2' } } })).toBe(
      true,
    );
    expect(
      needsSync(pod, {
        ...pod,
        metadata: { ...pod.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
      }),
    ).toBe(true);
    expect(needsSync(pod, { ...pod, metadata: { ...pod.metadata, uid: 'v' } })).toBe(true);
  });

  it('does not depend on key order', () => {
    const reordered = { ...pod, metadata: { labels: { a: '1' }, uid: 'u' } };
    expect(specFingerprint(reordered)).toBe(specFingerprint(pod));
  });
});
