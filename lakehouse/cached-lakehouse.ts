/**
 * A shared result cache in front of a lakehouse (lru-cache): bounded by entries and bytes, with a TTL. Keys are the
 * rendered statement text and its parameters, so the access predicate (which binds the viewer's id) is part of
 * the key and viewers never share results they may not see.
 *
 * Entries are tagged with the experiments a read depends on; `invalidate(experimentId)` drops them (called on
 * the gateway's own writes and when the freshness watch sees an experiment's watermark move). Reads across
 * experiments are tagged "all" and dropped on any change. Untagged reads bypass the cache.
 *
 * A cache hit is not a statement: it is not recorded in the statement log.
 */

import { LRUCache } from "lru-cache";
import type { Lakehouse, QueryOptions, Row } from "./lakehouse.js";
import { LakehouseWrapper } from "./lakehouse-wrapper.js";
import { type Sql, statementKey } from "./sql.js";

export interface ResultCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export interface ResultCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
  readonly bytes: number;
  readonly invalidations: number;
}

const ALL = "*";

function estimateBytes(rows: readonly unknown[]): number {
  return JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? v.toString() : v)).length * 2 + 64;
}

export class CachedLakehouse extends LakehouseWrapper {
  readonly #cache: LRUCache<string, { rows: unknown[]; tags: readonly string[] }>;
  readonly #byTag = new Map<string, Set<string>>();
  readonly #listeners = new Set<(experimentId: string | null) => void>();
  #hits = 0;
  #misses = 0;
  #invalidations = 0;

  constructor(inner: Lakehouse, options: ResultCacheOptions) {
    super(inner);
    this.#cache = new LRUCache({
      max: Math.max(1, options.maxEntries),
      maxSize: Math.max(1, options.maxBytes),
      sizeCalculation: (value) => estimateBytes(value.rows),
      ttl: options.ttlMs,
      dispose: (value, key) => {
        for (const tag of value.tags) this.#byTag.get(tag)?.delete(key);
      },
    });
  }

  override async query<R extends object = Row>(statement: Sql, options?: QueryOptions): Promise<R[]> {
    const tags = options?.cacheTags;
    if (!tags) return this.inner.query<R>(statement, options);
    const key = statementKey(statement, this.inner.dialect);
    const hit = this.#cache.get(key);
    if (hit) {
      this.#hits++;
      return structuredClone(hit.rows) as R[];
    }
    this.#misses++;
    const rows = await this.inner.query<R>(statement, options);
    const tagList = tags === "all" ? [ALL] : [...new Set(tags)];
    this.#cache.set(key, { rows: structuredClone(rows), tags: tagList });
    for (const tag of tagList) {
      const keys = this.#byTag.get(tag) ?? new Set<string>();
      keys.add(key);
      this.#byTag.set(tag, keys);
    }
    return rows;
  }

  override async execute(statement: Sql, options?: QueryOptions): Promise<number | undefined> {
    try {
      return await this.inner.execute(statement, options);
    } finally {
      const tags = options?.cacheTags;
      if (tags === "all") this.clear();
      else for (const id of tags ?? []) this.invalidate(id);
    }
  }

  /** Drops every entry that depends on the experiment (and every cross-experiment entry). */
  invalidate(experimentId: string): void {
    this.#invalidations++;
    for (const tag of [experimentId, ALL]) {
      for (const key of [...(this.#byTag.get(tag) ?? [])]) this.#cache.delete(key);
      this.#byTag.delete(tag);
    }
    for (const listener of this.#listeners) listener(experimentId);
  }

  clear(): void {
    this.#invalidations++;
    this.#cache.clear();
    this.#byTag.clear();
    for (const listener of this.#listeners) listener(null);
  }

  /**
   * Called, synchronously, with every invalidation (an experiment id, or null for everything): the one place where
   * the gateway's writes and the freshness watch's changes meet, for caches built on top of this one.
   */
  onInvalidate(listener: (experimentId: string | null) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stats(): ResultCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      entries: this.#cache.size,
      bytes: this.#cache.calculatedSize,
      invalidations: this.#invalidations,
    };
  }

  override close(): Promise<void> {
    this.#cache.clear();
    return this.inner.close();
  }
}
