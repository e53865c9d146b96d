import { describe, expect, it } from 'vitest';
import { reportedPart } from './reported-part.ts';

describe(reportedPart, () => {
  it('keeps the status and the metadata the status writer reads, and drops the rest', () => {
    const status = { phase: 'Running' };
    const part = reportedPart({
      metadata: {
        namespace: 'ns',
        name: 'web',
        uid: 'u1',
        annotations: { 'mock/x': 'y' },
        labels: { app: 'web' },
        deletionTimestamp: '2026-01-01T00:00:00Z',
        deletionGracePeriodSeconds: 5,
        managedFields: [{ manager: 'm' }],
      },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
      status,
    });
    expect(part).toEqual({
      metadata: {
        namespace: 'ns',
        name: 'web',
        uid: 'u1',
        annotations: { 'mock/x': 'y' },
        deletionTimestamp: '2026-01-01T00:00:00Z',
        deletionGracePeriodSeconds: 5,
      },
      status,
    });
    expect(part.status).toBe(status);
    expect(reportedPart({})).toEqual({ metadata: {} });
  });
});
