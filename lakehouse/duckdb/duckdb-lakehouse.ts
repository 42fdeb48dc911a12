/**
 * The embedded lakehouse: one DuckDB instance (a file, or in-memory for tests) and a small pool of connections so
 * independent statements of one GraphQL operation run in parallel.
 */
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBArrayValue,
  type DuckDBConnection,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampValue,
  type DuckDBType,
  type DuckDBValue,
  VARCHAR,
} from "@duckdb/node-api";
import {
  type LakehouseError,
  LakehouseStatementError,
  LakehouseTimeoutError,
  LakehouseUnavailableError,
} from "../errors.js";
import type { Lakehouse, LakehouseHealth, QueryOptions, Row, RowValue } from "../lakehouse.js";
import { ResourcePool } from "../resource-pool.js";
import { type ParamType, render, type Sql, sql, table } from "../sql.js";
import { StatementLog } from "../statement-log.js";
import type { TableShape } from "../table-shapes.js";
import { DuckDbDialect } from "./duckdb-dialect.js";

export interface DuckDbLakehouseOptions {
  /** File path, or ":memory:". */
  readonly path: string;
  /** Connections in the pool (parallel statements). */
  readonly connections?: number;
  readonly readOnly?: boolean;
  /** DuckDB threads for the instance. */
  readonly threads?: number;
  /** The schema holding the centrum tables (default `centrum`). */
  readonly schema?: string;
  /** The shape of the tables (`lakehouse/table-shapes.ts`; default `centrum`). */
  readonly shape?: TableShape;
}

/** The catalog alias the lakehouse file is attached under. */
const LAKE_ALIAS = "centrum_lakehouse";
/** The storage version that supports VARIANT (used when the file is created). */
const VARIANT_STORAGE = "v1.5.0";

const PARAM_TYPES: Record<ParamType, DuckDBType> = {
  string: VARCHAR,
  bigint: BIGINT,
  int: BIGINT,
  double: DOUBLE,
  // Exact decimal text; the dialect casts it to DECIMAL(38, s) where it is compared.
  decimal: VARCHAR,
  boolean: BOOLEAN,
  // Timestamps and dates are bound as ISO text and cast by the dialect's marker.
  timestamp: VARCHAR,
  date: VARCHAR,
};

export class DuckDbLakehouse implements Lakehouse {
  readonly kind = "duckdb" as const;
  readonly dialect: DuckDbDialect;
  readonly statements = new StatementLog();
  #pool!: ResourcePool<DuckDBConnection>;
  /** Ingest transactions, one at a time (`ingest`). */
  #ingests: Promise<unknown> = Promise.resolve();
  /** The last commit stamp given out (ms since the epoch); null until the first ingest reads the stored maximum. */
  #lastStampMs: number | null = null;

  private constructor(
    readonly instance: DuckDBInstance,
    readonly path: string,
    options: Pick<DuckDbLakehouseOptions, "schema" | "shape"> = {},
  ) {
    this.dialect = new DuckDbDialect(options.schema, options.shape);
  }

  static async open(options: DuckDbLakehouseOptions): Promise<DuckDbLakehouse> {
    let instance: DuckDBInstance;
    const inMemory = options.path === ":memory:";
    try {
      // VARIANT shredding off: checkpointed, shredded VARIANT read 5–17× slower here (lakehouse/demo/README.md),
      // for files 1.3–1.6× smaller.
      const config: Record<string, string> = { variant_minimum_shredding_size: "-1" };
      if (options.threads) config.threads = String(options.threads);
      instance = await DuckDBInstance.create(":memory:", config);
    } catch (error) {
      throw mapDuckDbError(error);
    }
    const lakehouse = new DuckDbLakehouse(instance, options.path, options);
    try {
      const first = await instance.connect();
      if (!inMemory) {
        // The file is attached under a fixed alias: DuckDB names a catalog after its file, and a file called
        // `centrum.duckdb` would make every `centrum.<table>` ambiguous. ATTACH takes no parameters; the path
        // is operator configuration, quoted as a string literal.
        const readOnly = options.readOnly ? ", READ_ONLY" : "";
        await first.run(
          `ATTACH ${lakehouse.dialect.quoteString(options.path)} AS ${LAKE_ALIAS} (STORAGE_VERSION '${VARIANT_STORAGE}'${readOnly})`,
        );
        await first.run(`USE ${LAKE_ALIAS}`);
      }
      let spare: DuckDBConnection | undefined = first;
      const pool = new ResourcePool<DuckDBConnection>({
        size: options.connections ?? 4,
        open: async () => {
          if (spare) {
            const c = spare;
            spare = undefined;
            return c;
          }
          const c = await instance.connect();
          if (!inMemory) await c.run(`USE ${LAKE_ALIAS}`);
          return c;
        },
        close: (c) => c.closeSync(),
        closedError: () => new LakehouseUnavailableError("The lakehouse is closed."),
      });
      lakehouse.#pool = pool;
      // Open every connection now, so a file that cannot be used fails here rather than on a request.
      const held: DuckDBConnection[] = [];
      try {
        for (let i = 0; i < Math.max(1, options.connections ?? 4); i++) held.push(await pool.acquire());
      } finally {
        for (const c of held) pool.release(c);
      }
    } catch (error) {
      lakehouse.#pool?.close({ inUse: true });
      instance.closeSync();
      throw mapDuckDbError(error);
    }
    return lakehouse;
  }

  /** Runs `fn` with one pooled connection held for its whole duration. */
  withConnection<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.#pool.use(fn);
  }

  /**
   * Runs one statement on a connection the caller holds (inside `transaction`, or for the appender): the same
   * rendering, binding, normalization, statement log and error mapping as `query`/`execute`.
   */
  async runOn(
    connection: DuckDBConnection,
    statement: Sql,
    kind: "read" | "write" = "write",
    options: Pick<QueryOptions, "signal" | "scopes"> = {},
  ): Promise<{ rows: Row[]; changed: DuckDBValue | undefined }> {
    const { signal, scopes } = options;
    const { text, params } = render(statement, this.dialect);
    const values: Record<string, DuckDBValue> = {};
    const types: Record<string, DuckDBType> = {};
    for (const p of params) {
      values[p.name] = p.type === "int" && typeof p.value === "number" ? BigInt(p.value) : p.value;
      types[p.name] = PARAM_TYPES[p.type];
    }
    signal?.throwIfAborted();
    const onAbort = () => connection.interrupt();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await this.statements.timed(
        { text, paramCount: params.length, kind, scopes },
        async () => {
          const reader = await connection.runAndReadAll(text, values, types);
          const rows = kind === "read" ? toRows(reader.columnNames(), reader.getRows()) : [];
          const changed = kind === "write" ? reader.getRows()[0]?.[0] : undefined;
          return { rows, changed };
        },
        (result) => result.rows.length,
      );
    } catch (error) {
      throw signal?.aborted
        ? new LakehouseTimeoutError("The statement was cancelled.", error)
        : mapDuckDbError(error);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  #run(statement: Sql, kind: "read" | "write", options?: QueryOptions) {
    return this.withConnection((c) => this.runOn(c, statement, kind, options));
  }

  async query<R extends object = Row>(statement: Sql, options?: QueryOptions): Promise<R[]> {
    return (await this.#run(statement, "read", options)).rows as unknown as R[];
  }

  async execute(statement: Sql, options?: QueryOptions): Promise<number | undefined> {
    const { changed } = await this.#run(statement, "write", options);
    return typeof changed === "bigint" ? Number(changed) : typeof changed === "number" ? changed : undefined;
  }

  /** Runs raw DDL/maintenance text of our own (no parameters); used by the schema bootstrap and loaders. */
  async runScript(text: string): Promise<void> {
    await this.withConnection(async (c) => {
      try {
        await c.run(text);
      } catch (error) {
        throw mapDuckDbError(error);
      }
    });
  }

  /** All or nothing: `fn` runs on one connection inside BEGIN … COMMIT, rolled back on any error. */
  async transaction<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.withConnection(async (c) => {
      await c.run("BEGIN TRANSACTION");
      try {
        const result = await fn(c);
        await c.run("COMMIT");
        return result;
      } catch (error) {
        await c.run("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * A transaction that adds data rows (samples, macro rows) stamped with one processed time, `stamp`, that is later
   * than every processed time already stored. Ingests run one at a time and commit in stamp order, so the processed
   * time plus the row key orders rows in commit order (`Dialect.commitPosition`): a reader's snapshot never misses a
   * row whose position is below one it saw. Every writer of data rows in this process goes through here.
   */
  ingest<T>(fn: (connection: DuckDBConnection, stamp: Date) => Promise<T>): Promise<T> {
    const run = this.#ingests.then(() => this.statements.withOrigin("ingest", () => this.#stamped(fn)));
    this.#ingests = run.catch(() => undefined);
    return run;
  }

  async #stamped<T>(fn: (connection: DuckDBConnection, stamp: Date) => Promise<T>): Promise<T> {
    if (this.#lastStampMs === null) {
      const [row] = await this.query<{ last: bigint | null }>(
        sql`SELECT max(p) AS last FROM (
          SELECT max(epoch_ms(processed_timestamp)) AS p FROM ${table("experiment_raw_data")}
          UNION ALL SELECT max(epoch_ms(processed_timestamp)) FROM ${table("experiment_macro_data")})`,
      );
      this.#lastStampMs = row?.last == null ? 0 : Number(row.last);
    }
    const stampMs = Math.max(Date.now(), this.#lastStampMs + 1);
    this.#lastStampMs = stampMs;
    return this.transaction((c) => fn(c, new Date(stampMs)));
  }

  async health(): Promise<LakehouseHealth> {
    if (this.#pool.closed) return { ok: false, detail: "closed", code: "LAKEHOUSE_UNAVAILABLE" };
    try {
      await this.withConnection((c) => c.run("SELECT 1"));
      return { ok: true, detail: "duckdb ok" };
    } catch (error) {
      const mapped = mapDuckDbError(error);
      return { ok: false, detail: mapped.message, code: mapped.code };
    }
  }

  async close(): Promise<void> {
    if (this.#pool.closed) return;
    this.#pool.close({ inUse: true });
    this.instance.closeSync();
  }
}

export function mapDuckDbError(error: unknown): LakehouseError {
  if (error instanceof LakehouseStatementError || error instanceof LakehouseUnavailableError) return error;
  const message = String((error as Error)?.message ?? error);
  if (/Could not set lock|Conflicting lock/i.test(message)) {
    return new LakehouseUnavailableError("The lakehouse file is locked by another process.", error);
  }
  if (/IO Error|Corrupt|not a valid DuckDB database|Serialization Error|database file/i.test(message)) {
    return new LakehouseUnavailableError("The lakehouse file cannot be opened or read.", error);
  }
  if (/INTERRUPT/i.test(message)) return new LakehouseTimeoutError("The statement was interrupted.", error);
  return new LakehouseStatementError(undefined, error);
}

const MICROS_PER_MS = 1000n;

function timestampIso(micros: bigint): string {
  const ms = micros / MICROS_PER_MS;
  const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const iso = new Date(Number(ms - (micros < 0n && micros % MICROS_PER_MS !== 0n ? 1n : 0n))).toISOString();
  return `${iso.slice(0, 19)}.${frac.toString().padStart(6, "0")}Z`;
}

function dateIso(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

export function normalizeDuckDbValue(value: DuckDBValue): RowValue {
  if (value === null || typeof value !== "object") return value as RowValue;
  if (value instanceof DuckDBTimestampValue) return timestampIso(value.micros);
  if (value instanceof DuckDBDateValue) return dateIso(value.days);
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) {
    return value.items.map(normalizeDuckDbValue);
  }
  if (value instanceof DuckDBStructValue) {
    const out: Record<string, RowValue> = {};
    for (const [k, v] of Object.entries(value.entries)) out[k] = normalizeDuckDbValue(v);
    return out;
  }
  return String(value);
}

function toRows(columns: string[], rows: DuckDBValue[][]): Row[] {
  return rows.map((r) => {
    const row: Row = {};
    columns.forEach((name, i) => {
      row[name] = normalizeDuckDbValue(r[i] as DuckDBValue);
    });
    return row;
  });
}
