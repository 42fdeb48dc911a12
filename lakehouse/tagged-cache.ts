/**
 * An LRU (lru-cache, bounded by entries and bytes, with a TTL) whose entries carry tags — the experiments they were
 * read from, or `ACROSS_EXPERIMENTS` for a read across experiments — so one experiment's change drops exactly the
 * entries that depend on it. The result cache (`cached-lakehouse.ts`) and the response cache
 * (`gateway/server/response-cache.ts`) are both one.
 */
import { LRUCache } from "lru-cache";

/** The tag of an entry read across experiments: dropped on any experiment's change. */
export const ACROSS_EXPERIMENTS = "*";

export interface TaggedCacheOptions<V> {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly ttlMs: number;
  /** An estimate of an entry's size in bytes. */
  readonly sizeOf: (value: V) => number;
}

export class TaggedCache<V extends object> {
  readonly #entries: LRUCache<string, { readonly value: V; readonly tags: readonly string[] }>;
  readonly #byTag = new Map<string, Set<string>>();

  constructor(options: TaggedCacheOptions<V>) {
    this.#entries = new LRUCache({
      max: Math.max(1, options.maxEntries),
      maxSize: Math.max(1, options.maxBytes),
      sizeCalculation: (entry) => Math.max(1, options.sizeOf(entry.value)),
      ttl: options.ttlMs,
      dispose: (entry, key) => {
        for (const tag of entry.tags) this.#byTag.get(tag)?.delete(key);
      },
    });
  }

  get(key: string): V | undefined {
    return this.#entries.get(key)?.value;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  set(key: string, value: V, tags: Iterable<string>, ttlMs?: number): void {
    const list = [...new Set(tags)];
    this.#entries.set(key, { value, tags: list }, ttlMs === undefined ? undefined : { ttl: ttlMs });
    for (const tag of list) {
      const keys = this.#byTag.get(tag) ?? new Set<string>();
      keys.add(key);
      this.#byTag.set(tag, keys);
    }
  }

  /** Drops every entry tagged with the experiment, and every entry read across experiments. */
  invalidate(experimentId: string): void {
    for (const tag of [experimentId, ACROSS_EXPERIMENTS]) {
      for (const key of [...(this.#byTag.get(tag) ?? [])]) this.#entries.delete(key);
      this.#byTag.delete(tag);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#byTag.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#entries.calculatedSize;
  }
}

/** JSON size of a value (64-bit integers as text), doubled for UTF-16, plus a little for the entry. */
export function estimateJsonBytes(value: unknown): number {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)).length * 2 + 64;
}
