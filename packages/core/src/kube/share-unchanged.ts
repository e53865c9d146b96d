/**
 * Keeps one copy of what a watch event did not change. Every event is a fresh JSON.parse of the
 * whole object, so a pod's status update would otherwise bring a second spec, metadata and
 * volume list, while the first stays alive in whatever kept the earlier version (the provider,
 * the pod controller's last applied pod): about 1 KB per pod held twice.
 */

/**
 * `next`, with each subtree that equals the one at the same place in `previous` replaced by
 * that one; `previous` itself when the whole of `next` equals it. Writes into `next`, which must
 * be the caller's own (a freshly parsed object); a frozen `next` is returned as it is.
 */
export function shareUnchanged<T>(next: T, previous: T | undefined): T {
  return previous === undefined ? next : (share(next, previous) as T);
}

function share(next: unknown, previous: unknown): unknown {
  // Equal strings, numbers and booleans are ===; so are subtrees shared by an earlier event.
  if (next === previous) return previous;
  if (typeof next !== 'object' || next === null || Object.isFrozen(next)) return next;
  if (typeof previous !== 'object' || previous === null) return next;
  if (Array.isArray(next)) return Array.isArray(previous) ? shareArray(next, previous) : next;
  if (Array.isArray(previous)) return next;
  return shareRecord(next as Record<string, unknown>, previous as Record<string, unknown>);
}

function shareArray(next: unknown[], previous: readonly unknown[]): unknown[] | readonly unknown[] {
  let same = next.length === previous.length;
  for (let i = 0; i < next.length; i++) {
    const shared = share(next[i], previous[i]);
    next[i] = shared;
    if (shared !== previous[i]) same = false;
  }
  return same ? previous : next;
}

function shareRecord(
  next: Record<string, unknown>,
  previous: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  let same = true;
  let keys = 0;
  for (const key in next) {
    keys += 1;
    const before = previous[key];
    const shared = share(next[key], before);
    next[key] = shared;
    if (shared !== before || (before === undefined && !(key in previous))) same = false;
  }
  if (same && keys !== Object.keys(previous).length) same = false;
  return same ? previous : next;
}
