import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import { ObjectStore, type StoreEvent } from './object-store.ts';

const pod = (namespace: string, name: string) => ({ metadata: { namespace, name } });

describe(ObjectStore, () => {
  it('stamps every write with the next global resourceVersion', () => {
    const store = new ObjectStore();
    const a = store.create('pods', pod('default', 'a'));
    const b = store.create('configmaps', pod('default', 'b'));
    const a2 = store.update('pods', { ...a, spec: { x: 1 } });
    expect([
      a.metadata.resourceVersion,
      b.metadata.resourceVersion,
      a2.metadata.resourceVersion,
    ]).toEqual(['1', '2', '3']);
    expect(store.resourceVersion).toBe(3);
  });

  it('lists in key order, by namespace, and after a key', () => {
    const store = new ObjectStore();
    for (const [ns, name] of [
      ['ns', 'b'],
      ['ns-other', 'a'],
      ['ns', 'a'],
      ['a', 'z'],
    ] as const)
      store.create('pods', pod(ns, name));
    const keys = (it: Iterable<[string, unknown]>) => [...it].map(([k]) => k);
    expect(keys(store.iterate('pods'))).toEqual(['a/z', 'ns-other/a', 'ns/a', 'ns/b']);
    expect(keys(store.iterate('pods', 'ns'))).toEqual(['ns/a', 'ns/b']);
    expect(keys(store.iterate('pods', 'ns', 'ns/a'))).toEqual(['ns/b']);
    expect(keys(store.iterate('pods', undefined, 'ns-other/a'))).toEqual(['ns/a', 'ns/b']);
  });

  it('replays history after a resourceVersion, then streams live events', () => {
    const store = new ObjectStore();
    const a = store.create('pods', pod('d', 'a'));
    store.create('pods', pod('d', 'b'));
    const seen: StoreEvent[] = [];
    const stop = store.watch(
      { resource: 'pods', onEvent: e => seen.push(e) },
      Number(a.metadata.resourceVersion),
    );
    store.remove('pods', 'd', 'a');
    stop();
    store.create('pods', pod('d', 'c'));
    expect(seen.map(e => [e.type, e.object.metadata.name, e.resourceVersion])).toEqual([
      ['ADDED', 'b', 2],
      ['DELETED', 'a', 3],
    ]);
    expect(seen[1]?.object.metadata.resourceVersion).toBe('3');
  });

  it('answers 410 Gone for a resourceVersion older than the kept history', () => {
    const store = new ObjectStore({ historyLimit: 2 });
    for (const name of ['a', 'b', 'c', 'd']) store.create('pods', pod('d', name));
    expect(() => store.watch({ resource: 'pods', onEvent: () => undefined }, 1)).toThrow(ApiError);
    try {
      store.watch({ resource: 'pods', onEvent: () => undefined }, 1);
    } catch (err) {
      expect((err as ApiError).code).toBe(410);
      expect((err as ApiError).message).toBe('too old resource version: 1 (3)');
    }
    const replay: string[] = [];
    store.watch({ resource: 'pods', onEvent: e => replay.push(e.object.metadata.name ?? '') }, 2);
    expect(replay).toEqual(['c', 'd']);
  });

  it('forgets everything on compaction', () => {
    const store = new ObjectStore();
    store.create('pods', pod('d', 'a'));
    store.create('pods', pod('d', 'b'));
    store.compact();
    expect(() => store.watch({ resource: 'pods', onEvent: () => undefined }, 1)).toThrow(
      /too old resource version: 1/,
    );
    expect(() => store.watch({ resource: 'pods', onEvent: () => undefined }, 2)).not.toThrow();
  });
});
