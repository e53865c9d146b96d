/**
 * A small time-bounded cache for authentication and authorization answers: each entry keeps
 * its own time to live, the oldest entries go first when the cache is full.
 */

export interface TtlCacheOptions {
  /** @default 4096 */
  readonly maxEntries?: number;
  /** Milliseconds clock; tests pass a fake one. @default Date.now */
  readonly now?: () => number;
}

export class TtlCache<V> {
  readonly #entries = new Map<string, { readonly value: V; readonly expiresAt: number }>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: TtlCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 4096;
    this.#now = options.now ?? Date.now;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.#entries.delete(key);
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMs });
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}
