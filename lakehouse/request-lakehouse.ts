/**
 * The lakehouse as one request sees it: identical reads (same statement text and parameters) inside one operation
 * run once and share their rows — ten thousand aliases of one aggregate cost one statement, with or without the
 * shared result cache. A write drops what the request has read so far.
 */
import type { Lakehouse, QueryOptions, Row } from "./lakehouse.js";
import { LakehouseWrapper } from "./lakehouse-wrapper.js";
import { type Sql, statementKey } from "./sql.js";
import type { StatementScope } from "./statement-log.js";

/** What a request's answer depends on: the cache tags of every read, and whether every read had tags. */
export interface ReadDependencies {
  /** Experiment ids, and "*" for a read across experiments. */
  readonly tags: ReadonlySet<string>;
  /** False when a read had no tags (nothing would invalidate an answer built on it) or the request wrote. */
  readonly complete: boolean;
}

export class RequestLakehouse extends LakehouseWrapper {
  #reads = new Map<string, Promise<unknown[]>>();
  readonly #tags = new Set<string>();
  #complete = true;

  /** `scopes`: the request's statement scopes, which record every statement it sends (read when it sends). */
  constructor(
    inner: Lakehouse,
    private readonly scopes: readonly StatementScope[] = [],
  ) {
    super(inner);
  }

  #withScopes(options: QueryOptions | undefined): QueryOptions | undefined {
    if (this.scopes.length === 0) return options;
    return { ...options, scopes: [...(options?.scopes ?? []), ...this.scopes] };
  }

  /** The experiments this request's reads depend on (the response cache tags its entries with them). */
  get dependencies(): ReadDependencies {
    return { tags: this.#tags, complete: this.#complete };
  }

  override query<R extends object = Row>(statement: Sql, options?: QueryOptions): Promise<R[]> {
    const tags = options?.cacheTags;
    if (!tags) this.#complete = false;
    else if (tags === "all") this.#tags.add("*");
    else for (const tag of tags) this.#tags.add(tag);
    const key = statementKey(statement, this.inner.dialect);
    let rows = this.#reads.get(key);
    if (!rows) {
      rows = this.inner.query<R>(statement, this.#withScopes(options));
      this.#reads.set(key, rows);
      // A failed read is not remembered: a retry in the same request may succeed.
      rows.catch(() => this.#reads.delete(key));
    }
    // Each caller gets its own array (resolvers may sort or extend what they receive).
    return rows.then((r) => [...r] as R[]);
  }

  override async execute(statement: Sql, options?: QueryOptions): Promise<number | undefined> {
    this.#reads = new Map();
    this.#complete = false;
    return this.inner.execute(statement, this.#withScopes(options));
  }

  /** The shared lakehouse outlives the request. */
  override close(): Promise<void> {
    return Promise.resolve();
  }
}
