import { describe, expect, it } from 'vitest';
import { needsSync, specFingerprint, statusPatchFor } from './pod-compare.ts';

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
