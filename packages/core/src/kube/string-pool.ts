/**
 * Shares equal strings between cached objects. JSON.parse makes every string value anew, so each
 * cached pod carries its own "Exists", "ClusterFirst", image names, volume paths, namespace...:
 * about a third of a parsed pod's heap. Interning the values on the way into the cache leaves
 * one copy of each.
 *
 * The pool forgets everything when it fills up: unique values (UIDs, names, timestamps) would
 * otherwise grow it forever, and repeated values are back in it within a few objects.
 */
export class StringPool {
  readonly #strings = new Map<string, string>();
  readonly #capacity: number;
  readonly #maxLength: number;

  /** @param options.capacity entries before the pool starts over; maxLength: longer strings are left alone. */
  constructor(options: { capacity?: number; maxLength?: number } = {}) {
    this.#capacity = options.capacity ?? 8192;
    this.#maxLength = options.maxLength ?? 256;
  }

  /** The pooled string equal to `value`. */
  intern(value: string): string {
    if (value.length > this.#maxLength) return value;
    const pooled = this.#strings.get(value);
    if (pooled !== undefined) return pooled;
    if (this.#strings.size >= this.#capacity) this.#strings.clear();
    this.#strings.set(value, value);
    return value;
  }

  /**
   * Interns every string in JSON-shaped `value`, in place, and returns it. Frozen objects and
   * arrays are left as they are (`===` cannot tell two equal strings apart, so "already pooled"
   * cannot be checked, and writing to them would throw).
   */
  internAll<T>(value: T): T {
    this.#walk(value);
    return value;
  }

  #walk(value: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    const writable = !Object.isFrozen(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item !== 'string') this.#walk(item);
        else if (writable) value[i] = this.intern(item);
      }
      return;
    }
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      if (typeof item !== 'string') this.#walk(item);
      else if (writable) record[key] = this.intern(item);
    }
  }

  /** Strings pooled now (tests and metrics). */
  get size(): number {
    return this.#strings.size;
  }
}
