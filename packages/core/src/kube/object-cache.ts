/**
 * The reflector's store: objects by `namespace/name`, and the transitions each change makes.
 * Applying a watch event or a whole relist yields exactly the transitions a handler should see:
 * nothing for a version already held, a delete plus an add when the name now belongs to a
 * different object (a new uid), and deletes for everything a relist no longer contains.
 */
import type { KubeObject } from './types.ts';

export type Transition<T> =
  | { readonly type: 'add'; readonly object: T }
  | { readonly type: 'update'; readonly old: T; readonly object: T }
  | { readonly type: 'delete'; readonly object: T };

/** `namespace/name`, or `name` for cluster-scoped objects; undefined without a name. */
export function objectKey(object: KubeObject): string | undefined {
  const name = object.metadata?.name;
  if (!name) return undefined;
  const namespace = object.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

/** What callers may do with the cache: read. */
export interface ReadonlyObjectCache<T> {
  get(namespace: string | undefined, name: string): T | undefined;
  list(): T[];
  readonly size: number;
}

export class ObjectCache<T extends KubeObject> implements ReadonlyObjectCache<T> {
  private readonly items = new Map<string, T>();

  get(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  /** The object under `key` (as objectKey makes it). */
  peek(key: string): T | undefined {
    return this.items.get(key);
  }

  get size(): number {
    return this.items.size;
  }

  /** An ADDED or MODIFIED event (or one item of a relist). */
  upsert(key: string, object: T): Transition<T>[] {
    const old = this.items.get(key);
    this.items.set(key, object);
    if (old === undefined) return [{ type: 'add', object }];
    if (old.metadata?.uid !== object.metadata?.uid) {
      // Same name, another object: the old one was deleted and this one created.
      return [
        { type: 'delete', object: old },
        { type: 'add', object },
      ];
    }
    // resourceVersions are opaque: equal means "already seen", anything else is a change.
    if (old.metadata?.resourceVersion === object.metadata?.resourceVersion) return [];
    return [{ type: 'update', old, object }];
  }

  /** A DELETED event: the final state from the event is what handlers see. */
  remove(key: string, finalState: T): Transition<T>[] {
    if (!this.items.delete(key)) return [];
    return [{ type: 'delete', object: finalState }];
  }

  /**
   * A complete list replaces the contents: deletions first (objects gone from the list, in
   * their cached state), then adds and updates in list order.
   */
  replace(entries: readonly (readonly [string, T])[]): Transition<T>[] {
    const listed = new Set(entries.map(([key]) => key));
    const transitions: Transition<T>[] = [];
    for (const [key, old] of this.items) {
      if (!listed.has(key)) {
        this.items.delete(key);
        transitions.push({ type: 'delete', object: old });
      }
    }
    for (const [key, object] of entries) transitions.push(...this.upsert(key, object));
    return transitions;
  }
}
