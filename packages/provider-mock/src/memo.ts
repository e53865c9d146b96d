/**
 * A pure function's last results, kept so that equal inputs give the same string object: the
 * mock rebuilds every pod's status on each change, and 10,000 pods started within the same few
 * seconds held 60,000 copies of a handful of timestamps and one image digest per container
 * (3.5 MB), each also costing a Date or a SHA-256 to make. Starts over when full.
 */
export function memoize<K, V>(fn: (key: K) => V, capacity = 1024): (key: K) => V {
  const results = new Map<K, V>();
  return key => {
    let value = results.get(key);
    if (value === undefined) {
      value = fn(key);
      if (results.size >= capacity) results.clear();
      results.set(key, value);
    }
    return value;
  };
}
