/**
 * The production lakehouse: a Databricks SQL warehouse through `@databricks/sql`.
 *
 * One driver client per lakehouse, a small pool of sessions opened on the configured catalog and schema (with
 * `STATEMENT_TIMEOUT` and `TIMEZONE=UTC` as session configuration), named parameters bound with explicit types.
 * Reads are retried with exponential backoff on transient failures (connection resets, 429/503, a warehouse that
 * is starting); writes never are. A failure that means the connection is gone drops the client and its sessions,
 * so the next statement reconnects: the gateway recovers when the warehouse comes back, without a restart.
 */
import { DBSQLParameter, DBSQLParameterType } from "@databricks/sql";
import { LakehouseError, LakehouseTimeoutError, LakehouseUnavailableError } from "../errors.js";
import type { Lakehouse, LakehouseHealth, QueryOptions, Row } from "../lakehouse.js";
import { ResourcePool } from "../resource-pool.js";
import { type BoundParam, type ParamType, render, type Sql } from "../sql.js";
import { StatementLog } from "../statement-log.js";
import type { TableShape } from "../table-shapes.js";
import { DatabricksDialect } from "./databricks-dialect.js";
import {
  type ConnectionOptions,
  createDatabricksDriverClient,
  type DatabricksClient,
  type DatabricksDriverFactory,
  type DatabricksOperation,
  type DatabricksSession,
  type OpenSessionRequest,
} from "./databricks-driver.js";
import { classifyDatabricksError, toLakehouseError } from "./databricks-errors.js";
import { decodeComplexColumns, normalizeDatabricksRows } from "./databricks-values.js";

export interface DatabricksConfig {
  /** Workspace host, e.g. `dbc-1234.cloud.databricks.com` (a leading `https://` is accepted). */
  readonly host: string;
  /** The warehouse's HTTP path, e.g. `/sql/1.0/warehouses/abc123`. */
  readonly httpPath: string;
  /** Personal access token; or use `clientId` + `clientSecret` (OAuth M2M for a service principal). */
  readonly token?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly catalog: string;
  readonly schema: string;
  /** The shape of the deployment's tables (default `centrum`; `lakehouse/table-shapes.ts`). */
  readonly shape?: TableShape;
  /** Sent as the session's `STATEMENT_TIMEOUT`. */
  readonly statementTimeoutSeconds: number;
  /** Extra attempts for a read after a transient failure (default 3). Writes are never retried. */
  readonly maxRetries?: number;
  /** Sessions kept open for parallel statements (default 4). */
  readonly sessionPoolSize?: number;
  /** First backoff delay; doubles each attempt, plus jitter, capped at 10 s (default 500 ms). */
  readonly retryBaseDelayMs?: number;
}

const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_SESSION_POOL_SIZE = 4;
const DEFAULT_RETRY_BASE_DELAY_MS = 500;
const MAX_RETRY_DELAY_MS = 10_000;

const PARAM_TYPES: Record<ParamType, DBSQLParameterType> = {
  string: DBSQLParameterType.STRING,
  bigint: DBSQLParameterType.BIGINT,
  // `int` is decided per value (`intParameterType`): INTEGER within int32, else BIGINT.
  int: DBSQLParameterType.INTEGER,
  double: DBSQLParameterType.DOUBLE,
  // Exact decimal text; the dialect casts it to DECIMAL(38, s) where it is compared.
  decimal: DBSQLParameterType.STRING,
  boolean: DBSQLParameterType.BOOLEAN,
  timestamp: DBSQLParameterType.TIMESTAMP,
  date: DBSQLParameterType.DATE,
};

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * An `int` (a JS integer: page sizes, offsets, counts, numeric filters) as Spark's `INT` when it fits, else
 * `BIGINT`. Databricks refuses a `LIMIT`/`OFFSET` of any type but INT (`INVALID_LIMIT_LIKE_EXPRESSION.DATA_TYPE`;
 * Catalyst does not narrow a BIGINT there), and page sizes and offsets are capped far below 2^31, so they are
 * always INTEGER; a wider value compared with a column widens as usual.
 */
function intParameterType(value: number | bigint): DBSQLParameterType {
  return value >= INT32_MIN && value <= INT32_MAX ? DBSQLParameterType.INTEGER : DBSQLParameterType.BIGINT;
}

/**
 * Named parameters for the driver: every value with its explicit SQL type. 64-bit ids (`bigint`) stay `bigint`
 * and go on the wire as their exact decimal text; `int` values that fit int32 are INTEGER (see above); timestamps
 * pass through as the validated ISO text they are, microseconds included (never through a JS `Date`).
 */
export function toNamedParameters(params: readonly BoundParam[]): Record<string, DBSQLParameter> {
  const out: Record<string, DBSQLParameter> = {};
  for (const p of params) {
    let value = p.value;
    let type = PARAM_TYPES[p.type];
    if (p.type === "bigint" && typeof value === "number" && Number.isInteger(value)) value = BigInt(value);
    if (p.type === "int" && (typeof value === "number" || typeof value === "bigint")) {
      type = intParameterType(value);
      // A BIGINT-sized int travels as exact text, like an id.
      if (type === DBSQLParameterType.BIGINT && typeof value === "number") value = BigInt(value);
    }
    if (p.type === "date" && typeof value === "string") value = value.slice(0, 10);
    // (The driver sends a NULL without its type, as VOID.)
    out[p.name] = new DBSQLParameter({ type, value });
  }
  return out;
}

export function databricksConnectionOptions(config: DatabricksConfig): ConnectionOptions {
  const common = {
    host: config.host.replace(/^https?:\/\//, "").replace(/\/+$/, ""),
    path: config.httpPath,
    userAgentEntry: "centrum-gateway",
    telemetryEnabled: false,
    // BIGINT as exact `bigint`, DECIMAL as exact text (converted to number by us).
    preserveBigNumericPrecision: true,
    // HTTP-level retries inside the driver cover only idempotent calls (status polls, fetches of metadata);
    // keep their budget short so our own read retries and the request's deadline stay in charge.
    retryMaxAttempts: 3,
    retriesTimeout: 30_000,
    socketTimeout: (config.statementTimeoutSeconds + 30) * 1000,
  };
  if (config.token) return { ...common, authType: "access-token", token: config.token };
  if (config.clientId && config.clientSecret) {
    return {
      ...common,
      authType: "databricks-oauth",
      oauthClientId: config.clientId,
      oauthClientSecret: config.clientSecret,
      // A Databricks-managed service principal secret, also on Azure workspaces.
      useDatabricksOAuthInAzure: true,
    };
  }
  throw new Error("Databricks needs a token, or a client id and client secret (OAuth M2M).");
}

export function databricksSessionRequest(config: DatabricksConfig): OpenSessionRequest {
  return {
    initialCatalog: config.catalog,
    initialSchema: config.schema,
    configuration: {
      STATEMENT_TIMEOUT: String(config.statementTimeoutSeconds),
      // Timestamps arrive as session-zone text; UTC makes them instants (see databricks-values.ts).
      TIMEZONE: "UTC",
    },
  };
}

/** A pooled session (the pool retires the sessions of a dropped client when they come back). */
interface PooledSession {
  readonly session: DatabricksSession;
}

class AbortedError extends Error {}

/** A failed execution; `accepted` tells whether the warehouse had accepted the statement (an operation existed). */
class StatementFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly accepted: boolean,
  ) {
    super("statement failed");
  }
}

function abortError(): LakehouseTimeoutError {
  return new LakehouseTimeoutError("The statement was cancelled because the request was aborted.");
}

/** Resolves with `promise`, or rejects as soon as `signal` aborts (the promise keeps running). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AbortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function quietly(promise: Promise<unknown> | undefined): void {
  promise?.catch(() => undefined);
}

export class DatabricksLakehouse implements Lakehouse {
  readonly kind = "databricks" as const;
  readonly dialect: DatabricksDialect;
  readonly statements = new StatementLog();

  readonly #config: DatabricksConfig;
  readonly #factory: DatabricksDriverFactory;
  readonly #connectOptions: ConnectionOptions;
  readonly #maxRetries: number;
  readonly #retryBaseDelayMs: number;

  #client: Promise<DatabricksClient> | undefined;
  readonly #pool: ResourcePool<PooledSession>;
  /** Session closes still under way (awaited by `close`). */
  readonly #closing = new Set<Promise<unknown>>();

  constructor(
    config: DatabricksConfig,
    driverFactory: DatabricksDriverFactory = createDatabricksDriverClient,
  ) {
    this.#config = config;
    this.#factory = driverFactory;
    this.#connectOptions = databricksConnectionOptions(config);
    this.#pool = new ResourcePool<PooledSession>({
      size: config.sessionPoolSize ?? DEFAULT_SESSION_POOL_SIZE,
      open: async () => {
        const client = await this.#connectedClient();
        return { session: await client.openSession(databricksSessionRequest(this.#config)) };
      },
      close: ({ session }) => {
        const closing = session.close().catch(() => undefined);
        this.#closing.add(closing);
        void closing.finally(() => this.#closing.delete(closing));
      },
      closedError: () => new LakehouseUnavailableError("The lakehouse is closed."),
    });
    this.#maxRetries = Math.max(0, config.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.#retryBaseDelayMs = Math.max(0, config.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS);
    this.dialect = new DatabricksDialect({
      catalog: config.catalog,
      schema: config.schema,
      shape: config.shape,
    });
  }

  // ---- client and session pool -------------------------------------------------------------------------------

  #connectedClient(): Promise<DatabricksClient> {
    if (!this.#client) {
      const client = this.#factory();
      const connecting = client.connect(this.#connectOptions).then(() => client);
      this.#client = connecting;
      connecting.catch(() => {
        if (this.#client === connecting) this.#client = undefined;
        quietly(client.close());
      });
    }
    return this.#client;
  }

  /** Drops the client and every idle session; sessions in use are discarded when released. */
  #resetClient(): void {
    const client = this.#client;
    this.#client = undefined;
    this.#pool.drain();
    void client?.then(
      (c) => quietly(c.close()),
      () => undefined,
    );
  }

  #acquire(): Promise<PooledSession> {
    return this.#pool.acquire();
  }

  #release(pooled: PooledSession): void {
    this.#pool.release(pooled);
  }

  #discard(pooled: PooledSession): void {
    this.#pool.discard(pooled);
  }

  // ---- statements --------------------------------------------------------------------------------------------

  /** Takes a session from the pool; a failure to connect or open one may also drop the client. */
  async #acquireFor(signal: AbortSignal | undefined): Promise<PooledSession> {
    const acquiring = this.#acquire();
    try {
      return await untilAborted(acquiring, signal);
    } catch (error) {
      if (error instanceof AbortedError) {
        acquiring.then(
          (p) => this.#release(p),
          () => undefined,
        );
      } else if (!(error instanceof LakehouseError) && classifyDatabricksError(error).resetClient) {
        this.#resetClient();
      }
      throw new StatementFailure(error, false);
    }
  }

  /** One execution on one session. Failures come as `StatementFailure` (whose cause may be an `AbortedError`). */
  async #executeOnce(
    text: string,
    params: readonly BoundParam[],
    signal: AbortSignal | undefined,
  ): Promise<Row[]> {
    const pooled = await this.#acquireFor(signal);
    let healthy = true;
    let operation: DatabricksOperation | undefined;
    const onAbort = () => quietly(operation?.cancel());
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      operation = await pooled.session.executeStatement(text, { namedParameters: toNamedParameters(params) });
      if (signal?.aborted) {
        onAbort();
        throw new AbortedError();
      }
      const rows = await untilAborted(operation.fetchAll(), signal);
      const schema = await untilAborted(operation.getSchema(), signal);
      return normalizeDatabricksRows(rows, schema);
    } catch (error) {
      if (!(error instanceof AbortedError)) {
        const failure = classifyDatabricksError(error);
        if (failure.kind === "session" || failure.resetClient) healthy = false;
        if (failure.resetClient) this.#resetClient();
      }
      throw new StatementFailure(error, operation !== undefined);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      quietly(operation?.close());
      if (healthy) this.#release(pooled);
      else this.#discard(pooled);
    }
  }

  /**
   * Runs a statement with the retry policy. A dead session is replaced and the statement sent again once, for a
   * write only when the warehouse had not accepted it; reads also retry transient failures with backoff.
   */
  async #run(statement: Sql, kind: "read" | "write", options?: QueryOptions): Promise<Row[]> {
    const { text, params, complexColumns } = render(statement, this.dialect);
    const signal = options?.signal;
    let retries = 0;
    let sessionRenewed = false;
    for (;;) {
      if (signal?.aborted) throw abortError();
      try {
        return await this.statements.timed(
          { text, paramCount: params.length, kind, scopes: options?.scopes },
          // Complex values arrive as to_json text (Dialect.complexColumn); an unreadable one fails, unretried.
          () =>
            this.#executeOnce(text, params, signal).then((rows) =>
              decodeComplexColumns(rows, complexColumns),
            ),
          (rows) => (kind === "read" ? rows.length : 0),
          (thrown) => {
            const error = thrown instanceof StatementFailure ? thrown.cause : thrown;
            return error instanceof AbortedError || signal?.aborted
              ? "aborted"
              : String((error as Error)?.message ?? error);
          },
        );
      } catch (thrown) {
        const { cause: error, accepted } =
          thrown instanceof StatementFailure ? thrown : new StatementFailure(thrown, true);
        const aborted = error instanceof AbortedError || signal?.aborted === true;
        if (aborted) throw abortError();
        if (error instanceof LakehouseError) throw error;
        const failure = classifyDatabricksError(error);
        if (failure.kind === "session" && !sessionRenewed && (kind === "read" || !accepted)) {
          sessionRenewed = true;
          continue;
        }
        if (kind === "read" && failure.retryable && retries < this.#maxRetries) {
          await this.#backoff(retries++, signal);
          continue;
        }
        throw toLakehouseError(error, failure, this.#config.statementTimeoutSeconds);
      }
    }
  }

  async #backoff(attempt: number, signal: AbortSignal | undefined): Promise<void> {
    const exp = this.#retryBaseDelayMs * 2 ** attempt;
    const delay = Math.min(MAX_RETRY_DELAY_MS, exp + Math.random() * this.#retryBaseDelayMs);
    try {
      await sleep(delay, signal);
    } catch {
      throw abortError();
    }
  }

  async query<R extends object = Row>(statement: Sql, options?: QueryOptions): Promise<R[]> {
    return (await this.#run(statement, "read", options)) as unknown as R[];
  }

  /** Returns `num_affected_rows` when the warehouse reports it (INSERT/UPDATE/DELETE/MERGE on Delta). */
  async execute(statement: Sql, options?: QueryOptions): Promise<number | undefined> {
    const rows = await this.#run(statement, "write", options);
    const affected = rows[0]?.num_affected_rows;
    return typeof affected === "bigint" || typeof affected === "number" ? Number(affected) : undefined;
  }

  async health(): Promise<LakehouseHealth> {
    if (this.#pool.closed) return { ok: false, detail: "closed", code: "LAKEHOUSE_UNAVAILABLE" };
    try {
      await this.#executeOnce("SELECT 1 AS ok", [], AbortSignal.timeout(30_000));
      return { ok: true, detail: "databricks ok" };
    } catch (thrown) {
      const error = thrown instanceof StatementFailure ? thrown.cause : thrown;
      const mapped =
        error instanceof LakehouseError
          ? error
          : error instanceof AbortedError
            ? new LakehouseTimeoutError("The health check timed out.")
            : toLakehouseError(error, classifyDatabricksError(error), this.#config.statementTimeoutSeconds);
      return { ok: false, detail: mapped.message, code: mapped.code };
    }
  }

  async close(): Promise<void> {
    if (this.#pool.closed) return;
    this.#pool.close();
    await Promise.allSettled([...this.#closing]);
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.then((c) => c.close()).catch(() => undefined);
  }
}

export function createDatabricksLakehouse(
  config: DatabricksConfig,
  driverFactory?: DatabricksDriverFactory,
): DatabricksLakehouse {
  return new DatabricksLakehouse(config, driverFactory);
}
