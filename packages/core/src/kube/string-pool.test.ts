import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { StringPool } from './string-pool.ts';

describe(StringPool, () => {
  it('hands out one string per value, and leaves long ones alone', () => {
    const pool = new StringPool({ maxLength: 8 });
    const a = pool.intern(['Ex', 'ists'].join(''));
    expect(pool.intern(['Exi', 'sts'].join(''))).toBe(a);
    expect(pool.size).toBe(1);
    pool.intern('x'.repeat(9));
    expect(pool.size).toBe(1);
  });

  it('starts over when full, so unique values cannot grow it without bound', () => {
    const pool = new StringPool({ capacity: 3 });
    for (let i = 0; i < 10; i++) pool.intern(`uid-${i}`);
    expect(pool.size).toBeLessThanOrEqual(3);
    expect(pool.intern('uid-9')).toBe('uid-9');
  });

  it('interns every string of parsed objects in place, keeping their shape and values', () => {
    const pool = new StringPool();
    const text = JSON.stringify({
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        tolerations: [{ operator: 'Exists', tolerationSeconds: 300 }],
        containers: [{ name: 'app', args: ['--x', 'y'], image: null }],
      },
    });
    const first = JSON.parse(text) as Record<string, unknown>;
    const second = JSON.parse(text) as Record<string, unknown>;
    expect(pool.internAll(first)).toBe(first);
    pool.internAll(second);
    expect(second).toEqual(JSON.parse(text));
    expect(first).toEqual(second);
    // Both now hold the pool's strings: the pool grew by the distinct values only.
    expect(pool.size).toBe(new Set(['web', 'Exists', 'app', '--x', 'y']).size);
  });

  it('makes parsed copies share their strings (measured on the heap of a fresh Node)', async () => {
    // 20,000 parsed copies of an object of five 200-character strings: ~4 KB each unpooled.
    const probe = `
const { StringPool } = await import(${JSON.stringify(new URL('./string-pool.ts', import.meta.url).href)});
const text = JSON.stringify({ a: 'a'.repeat(200), b: ['b'.repeat(200), 'c'.repeat(200)], c: { d: 'd'.repeat(200), e: 'e'.repeat(200) } });
const heapOf = pool => {
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const kept = [];
  for (let i = 0; i < 20000; i++) kept.push(pool ? pool.internAll(JSON.parse(text)) : JSON.parse(text));
  globalThis.gc();
  const used = process.memoryUsage().heapUsed - before;
  return kept.length > 0 ? used : 0;
};
console.log(JSON.stringify({ plain: heapOf(undefined), pooled: heapOf(new StringPool()) }));
`;
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--expose-gc',
      '--input-type=module',
      '-e',
      probe,
    ]);
    const { plain, pooled } = JSON.parse(stdout) as { plain: number; pooled: number };
    expect(plain).toBeGreaterThan(20_000 * 1000);
    expect(pooled).toBeLessThan(plain / 4);
  });

  it('passes frozen objects made of strings it already holds', () => {
    const pool = new StringPool();
    const pod = Object.freeze({
      metadata: Object.freeze({ name: 'web' }),
      list: Object.freeze(['a']),
    });
    pool.internAll(pod);
    expect(() => pool.internAll(pod)).not.toThrow();
  });
});
