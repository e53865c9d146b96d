import { describe, expect, it } from 'vitest';
import { ObjectCache, objectKey } from './object-cache.ts';
import type { KubeObject } from './types.ts';

const obj = (name: string, rv: string, uid = `uid-${name}`, namespace = 'ns'): KubeObject => ({
  metadata: { name, namespace, resourceVersion: rv, uid },
});

const summary = (ts: ReturnType<ObjectCache<KubeObject>['replace']>): string[] =>
  ts.map(t =>
    t.type === 'update'
      ? `update ${t.object.metadata?.name} ${t.old.metadata?.resourceVersion}->${t.object.metadata?.resourceVersion}`
      : `${t.type} ${t.object.metadata?.name} ${t.object.metadata?.resourceVersion}`,
  );

describe(ObjectCache, () => {
  it('keys by namespace and name', () => {
    expect(objectKey(obj('a', '1'))).toBe('ns/a');
    expect(objectKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(objectKey({ metadata: {} })).toBeUndefined();
  });

  it('turns events into transitions, skipping versions it already holds', () => {
    const cache = new ObjectCache<KubeObject>();
    expect(summary(cache.upsert('ns/a', obj('a', '1')))).toEqual(['add a 1']);
    expect(summary(cache.upsert('ns/a', obj('a', '1')))).toEqual([]);
    expect(summary(cache.upsert('ns/a', obj('a', '2')))).toEqual(['update a 1->2']);
    expect(summary(cache.upsert('ns/a', obj('a', '3', 'other')))).toEqual([
      'delete a 2',
      'add a 3',
    ]);
    expect(summary(cache.remove('ns/a', obj('a', '4', 'other')))).toEqual(['delete a 4']);
    expect(summary(cache.remove('ns/a', obj('a', '4', 'other')))).toEqual([]);
    expect(cache.size).toBe(0);
  });

  it('diffs a relist against what it holds', () => {
    const cache = new ObjectCache<KubeObject>();
    cache.replace([
      ['ns/keep', obj('keep', '1')],
      ['ns/change', obj('change', '1')],
      ['ns/gone', obj('gone', '1')],
      ['ns/reborn', obj('reborn', '1')],
    ]);
    const transitions = cache.replace([
      ['ns/keep', obj('keep', '1')],
      ['ns/change', obj('change', '5')],
      ['ns/new', obj('new', '6')],
      ['ns/reborn', obj('reborn', '7', 'uid-2')],
    ]);
    expect(summary(transitions)).toEqual([
      'delete gone 1',
      'update change 1->5',
      'add new 6',
      'delete reborn 1',
      'add reborn 7',
    ]);
    expect(
      cache
        .list()
        .map(o => o.metadata?.name)
        .sort(),
    ).toEqual(['change', 'keep', 'new', 'reborn']);
    expect(cache.get('ns', 'change')?.metadata?.resourceVersion).toBe('5');
    expect(cache.get('other', 'change')).toBeUndefined();
  });
});
