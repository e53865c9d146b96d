import { describe, expect, it } from 'vitest';
import { jsonCopy } from './json-copy.ts';

describe(jsonCopy, () => {
  it('copies objects and arrays all the way down and drops undefined members', () => {
    const original = {
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', args: ['a', 'b'], ports: [{ containerPort: 80 }] }] },
      status: undefined,
      count: 3,
      ok: true,
      none: null,
    };
    const copy = jsonCopy(original);
    expect(copy).toEqual({
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', args: ['a', 'b'], ports: [{ containerPort: 80 }] }] },
      count: 3,
      ok: true,
      none: null,
    });
    expect('status' in copy).toBe(false);
    copy.metadata.labels.app = 'changed';
    copy.spec.containers[0]?.args.push('c');
    copy.spec.containers[0]?.ports.pop();
    expect(original.metadata.labels.app).toBe('web');
    expect(original.spec.containers[0]?.args).toEqual(['a', 'b']);
    expect(original.spec.containers[0]?.ports).toEqual([{ containerPort: 80 }]);
  });
});
