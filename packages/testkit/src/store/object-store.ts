/**
 * The API server's storage: objects by resource and key, one global resourceVersion counter (as
 * etcd's revision), a bounded event history so watches can resume from a resourceVersion, and
 * a fan-out to live watchers. Stored objects are never mutated after they are written: readers
 * get shared references and must copy before changing anything.
 */
import { ApiError } from '../api-error.ts';
import type { KubeObject } from '../kube-object.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly resourceVersion: number;
  readonly resource: string;
  readonly type: WatchEventType;
  /** The object after the change; for DELETED, the last state stamped with the deletion's version. */
  readonly object: KubeObject;
  /** The object before the change (MODIFIED and DELETED), for selector transitions. */
  readonly previous: KubeObject | undefined;
}

export interface StoreWatcher {
  readonly resource: string;
  /** Called synchronously, in resourceVersion order. */
  readonly onEvent: (event: StoreEvent) => void;
}

export interface ObjectStoreOptions {
  /** How many events are kept for watches that resume from a resourceVersion. */
  readonly historyLimit?: number;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

class ResourceTable {
  readonly objects = new Map<string, KubeObject>();
  private sortedKeys: string[] | undefined;

  set(key: string, object: KubeObject): void {
    if (!this.objects.has(key)) this.sortedKeys = undefined;
    this.objects.set(key, object);
  }

  delete(key: string): void {
    if (this.objects.delete(key)) this.sortedKeys = undefined;
  }

  /** Keys in the order lists return them (the storage key order, as etcd does). */
  keys(): readonly string[] {
    this.sortedKeys ??= [...this.objects.keys()].sort();
    return this.sortedKeys;
  }
}

export class ObjectStore {
  private revision = 0;
  /** Events at or below this revision are gone: resuming from them answers 410 Gone. */
  private compactedRevision = 0;
  private readonly tables = new Map<string, ResourceTable>();
  private readonly history: StoreEvent[] = [];
  private readonly historyLimit: number;
  private readonly watchers = new Set<StoreWatcher>();

  constructor(options: ObjectStoreOptions = {}) {
    this.historyLimit = options.historyLimit ?? 250_000;
  }

  get resourceVersion(): number {
    return this.revision;
  }

  get oldestResumableVersion(): number {
    return this.compactedRevision;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.tables.get(resource)?.objects.get(objectKey(namespace, name));
  }

  /** Objects in key order, optionally only one namespace's, starting after `afterKey`. */
  *iterate(
    resource: string,
    namespace?: string,
    afterKey?: string,
  ): Generator<[string, KubeObject]> {
    const table = this.tables.get(resource);
    if (!table) return;
    const keys = table.keys();
    let index = afterKey === undefined ? 0 : upperBound(keys, afterKey);
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    if (prefix !== undefined && afterKey === undefined)
      index = upperBound(keys, prefix.slice(0, -1));
    for (; index < keys.length; index++) {
      const key = keys[index] as string;
      if (prefix !== undefined && !key.startsWith(prefix)) {
        if (key > prefix) break;
        continue;
      }
      const object = table.objects.get(key);
      if (object) yield [key, object];
    }
  }

  count(resource: string): number {
    return this.tables.get(resource)?.objects.size ?? 0;
  }

  /** Stores a new object; the caller has checked it does not exist. Returns the stored copy. */
  create(resource: string, object: KubeObject): KubeObject {
    const stored = this.stamp(object);
    this.table(resource).set(keyOf(stored), stored);
    this.emit({ resource, type: 'ADDED', object: stored, previous: undefined });
    return stored;
  }

  /** Replaces an existing object; the caller has done the optimistic-concurrency check. */
  update(resource: string, object: KubeObject): KubeObject {
    const key = keyOf(object);
    const previous = this.table(resource).objects.get(key);
    if (!previous) throw ApiError.internal(`update of missing ${resource} ${key}`);
    const stored = this.stamp(object);
    this.table(resource).set(key, stored);
    this.emit({ resource, type: 'MODIFIED', object: stored, previous });
    return stored;
  }

  /** Removes an object; the DELETED event carries it stamped with the deletion's version. */
  remove(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const table = this.tables.get(resource);
    const key = objectKey(namespace, name);
    const previous = table?.objects.get(key);
    if (!table || !previous) return undefined;
    table.delete(key);
    const stamped = this.stamp(previous);
    this.emit({ resource, type: 'DELETED', object: stamped, previous });
    return stamped;
  }

  /**
   * Starts a watcher. With `fromVersion` the events after it are replayed first, or 410 Gone is
   * thrown when they are no longer kept; without it the watcher sees only what happens next.
   */
  watch(watcher: StoreWatcher, fromVersion?: number): () => void {
    if (fromVersion !== undefined) {
      if (fromVersion < this.compactedRevision) {
        throw ApiError.gone(
          `too old resource version: ${fromVersion} (${this.compactedRevision + 1})`,
        );
      }
      for (const event of this.eventsAfter(fromVersion)) {
        if (event.resource === watcher.resource) watcher.onEvent(event);
      }
    }
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Forgets all history up to now, as an etcd compaction does (fault injection and tests). */
  compact(): void {
    this.history.length = 0;
    this.compactedRevision = this.revision;
  }

  private *eventsAfter(version: number): Generator<StoreEvent> {
    // History is ordered by resourceVersion: binary search the first newer event.
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.history[mid] as StoreEvent).resourceVersion <= version) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.history.length; i++) yield this.history[i] as StoreEvent;
  }

  private stamp(object: KubeObject): KubeObject {
    this.revision += 1;
    return { ...object, metadata: { ...object.metadata, resourceVersion: String(this.revision) } };
  }

  private emit(event: Omit<StoreEvent, 'resourceVersion'>): void {
    const full: StoreEvent = { ...event, resourceVersion: this.revision };
    this.history.push(full);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRevision = (dropped.at(-1) as StoreEvent).resourceVersion;
    }
    for (const watcher of this.watchers) {
      if (watcher.resource === full.resource) watcher.onEvent(full);
    }
  }

  private table(resource: string): ResourceTable {
    let table = this.tables.get(resource);
    if (!table) {
      table = new ResourceTable();
      this.tables.set(resource, table);
    }
    return table;
  }
}

function keyOf(object: KubeObject): string {
  const name = object.metadata.name;
  if (!name) throw ApiError.internal('object without a name reached storage');
  return objectKey(object.metadata.namespace, name);
}

/** Index of the first key greater than `key`. */
function upperBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
