/**
 * The one interface every lakehouse access goes through. Two implementations: embedded DuckDB
 * (`duckdb/duckdb-lakehouse.ts`) and Databricks SQL (`databricks/databricks-lakehouse.ts`).
 *
 * Row values are normalized identically by both connectors, so resolvers never see a driver type:
 * | SQL type                          | JS value                                                       |
 * | --------------------------------- | -------------------------------------------------------------- |
 * | BIGINT, HUGEINT, UBIGINT          | `bigint` (64-bit ids never pass through `number`)              |
 * | INTEGER, SMALLINT, TINYINT        | `number`                                                       |
 * | DOUBLE, FLOAT, DECIMAL            | `number`                                                       |
 * | VARCHAR / STRING                  | `string`                                                       |
 * | BOOLEAN                           | `boolean`                                                      |
 * | TIMESTAMP                         | `string`, ISO 8601 UTC with microseconds `2026-01-02T03:04:05.123456Z` |
 * | DATE                              | `string`, `YYYY-MM-DD`                                         |
 * | LIST / ARRAY, STRUCT              | array, plain object                                            |
 * | VARIANT                           | never selected raw: select `dialect.variantJson(...)` (JSON text) |
 */
import type { Dialect } from "./dialect.js";
import type { Sql } from "./sql.js";
import type { StatementLog, StatementScope } from "./statement-log.js";

export type RowValue = string | number | bigint | boolean | null | RowValue[] | { [key: string]: RowValue };
export type Row = Record<string, RowValue>;

export interface QueryOptions {
  /** Aborts the statement (cancels it on the warehouse) when the GraphQL request goes away. */
  readonly signal?: AbortSignal;
  /**
   * The experiments a read depends on, or "all" for reads across experiments. Only tagged reads are cached
   * (see cached-lakehouse.ts); a write or a moved freshness watermark of an experiment drops its entries.
   */
  readonly cacheTags?: readonly string[] | "all";
  /** Scopes that record the statement too (a request's: what its operation cost, `extensions.cost.actual`). */
  readonly scopes?: readonly StatementScope[];
}

export interface LakehouseHealth {
  readonly ok: boolean;
  /** Safe to show on /readyz: no credentials, no SQL. */
  readonly detail: string;
  readonly code?: string;
}

export interface Lakehouse {
  readonly kind: "duckdb" | "databricks";
  readonly dialect: Dialect;
  readonly statements: StatementLog;
  /** Runs a read. Connectors may retry reads on transient failures; a failure is a `LakehouseError`. */
  query<R extends object = Row>(statement: Sql, options?: QueryOptions): Promise<R[]>;
  /** Runs a write. Never retried. Returns the affected row count when the lakehouse reports it. */
  execute(statement: Sql, options?: QueryOptions): Promise<number | undefined>;
  /** A cheap round trip for /readyz. Never throws. */
  health(): Promise<LakehouseHealth>;
  close(): Promise<void>;
}
