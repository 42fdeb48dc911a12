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

import type { Lakehouse, QueryOptions, Row } from "./lakehouse.js";
import { LakehouseWrapper } from "./lakehouse-wrapper.js";
import { type Sql, statementKey } from "./sql.js";
import { ACROSS_EXPERIMENTS, estimateJsonBytes, TaggedCache } from "./tagged-cache.js";

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

export class CachedLakehouse extends LakehouseWrapper {
  readonly #cache: TaggedCache<{ rows: unknown[] }>;
  readonly #listeners = new Set<(experimentId: string | null) => void>();
  #hits = 0;
  #misses = 0;
  #invalidations = 0;

  constructor(inner: Lakehouse, options: ResultCacheOptions) {
    super(inner);
    this.#cache = new TaggedCache({ ...options, sizeOf: (value) => estimateJsonBytes(value.rows) });
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
    const before = this.#invalidations;
    const rows = await this.inner.query<R>(statement, options);
    // Rows read while an invalidation ran may be from before the write behind it: served, not kept.
    if (this.#invalidations === before) {
      this.#cache.set(key, { rows: structuredClone(rows) }, tags === "all" ? [ACROSS_EXPERIMENTS] : tags);
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
    this.#cache.invalidate(experimentId);
    for (const listener of this.#listeners) listener(experimentId);
  }

  clear(): void {
    this.#invalidations++;
    this.#cache.clear();
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
      bytes: this.#cache.bytes,
      invalidations: this.#invalidations,
    };
  }

  override close(): Promise<void> {
    this.#cache.clear();
    return this.inner.close();
  }
}
