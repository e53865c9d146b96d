/**
 * Background cascading deletion: when an owner is removed, dependents whose every owner is gone
 * are deleted too (a virtual node's Lease goes with its Node, as in a real cluster).
 */
import { ApiError } from '../api-error.ts';
import { RESOURCES, storageResource, type ResourceDescriptor } from '../resources/registry.ts';
import type { Rest } from '../server/rest.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { react, type Report } from './controller-kit.ts';

const STORED = RESOURCES.filter(d => !d.virtual && d.storageOf === undefined);

interface Dependent {
  readonly d: ResourceDescriptor;
  readonly namespace: string | undefined;
  readonly name: string;
}

export function startGarbageCollector(store: ObjectStore, rest: Rest, report: Report): () => void {
  /** owner uid → dependents (by storage key). */
  const dependents = new Map<string, Map<string, Dependent>>();
  const liveUids = new Set<string>();

  const index = (
    d: ResourceDescriptor,
    namespace: string | undefined,
    name: string,
    owners: readonly string[],
    add: boolean,
  ): void => {
    const key = `${d.resource}/${namespace ?? ''}/${name}`;
    for (const uid of owners) {
      let set = dependents.get(uid);
      if (add) {
        if (!set) {
          set = new Map<string, Dependent>();
          dependents.set(uid, set);
        }
        set.set(key, { d, namespace, name });
      } else {
        set?.delete(key);
        if (set?.size === 0) dependents.delete(uid);
      }
    }
  };

  const stops = STORED.map(d =>
    react(store, storageResource(d), 'garbage-collector', report, event => {
      const meta = event.object.metadata;
      const uid = meta.uid ?? '';
      const owners = (meta.ownerReferences ?? []).map(o => o.uid);
      const before = (event.previous?.metadata.ownerReferences ?? []).map(o => o.uid);
      index(d, meta.namespace, meta.name ?? '', before, false);
      if (event.type === 'DELETED') {
        liveUids.delete(uid);
        for (const dep of [...(dependents.get(uid)?.values() ?? [])]) collect(dep);
        return;
      }
      liveUids.add(uid);
      index(d, meta.namespace, meta.name ?? '', owners, true);
      // An object created already orphaned (its owner gone) is collected as well.
      if (owners.length > 0 && owners.every(o => !liveUids.has(o))) {
        collect({ d, namespace: meta.namespace, name: meta.name ?? '' });
      }
    }),
  );

  const collect = (dep: Dependent): void => {
    const object = store.get(storageResource(dep.d), dep.namespace, dep.name);
    if (!object) return;
    const owners = (object.metadata.ownerReferences ?? []).map(o => o.uid);
    if (owners.some(o => liveUids.has(o))) return;
    try {
      rest.delete(dep.d, dep.namespace, dep.name, {});
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  };

  for (const d of STORED) {
    for (const [, object] of store.iterate(storageResource(d))) {
      liveUids.add(object.metadata.uid ?? '');
      index(
        d,
        object.metadata.namespace,
        object.metadata.name ?? '',
        (object.metadata.ownerReferences ?? []).map(o => o.uid),
        true,
      );
    }
  }
  return () => {
    for (const stop of stops) stop();
  };
}
