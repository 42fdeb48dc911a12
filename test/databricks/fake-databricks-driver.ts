/**
 * A scripted stand-in for the `@databricks/sql` driver boundary (client → session → operation) — the only fake in
 * this project. It records what the connector sends and answers each `executeStatement` from a script, failing
 * with the driver's own error classes so error mapping is tested against the real shapes.
 *
 * It is as strict as a warehouse where the gateway has been caught out before:
 * - a statement a warehouse refuses before running it is refused the same way (`warehouseRejection`: syntax, an
 *   unbound marker, a `LIMIT`/`OFFSET` parameter not typed INTEGER, IN/EXISTS subqueries in ORDER BY, …);
 * - scripted rows are what the warehouse holds, and complex columns (ARRAY/STRUCT/MAP) come back the way driver
 *   2.1.0 returns them with `useArrowNativeTypes = false`: the server renders them as Hive-style JSON text
 *   (strings quoted without escaping, TIMESTAMPs unquoted, databricks-sql-nodejs #103/#124) and the driver's own
 *   `convertThriftValue` parses that, answering `[]`/`{}` when the parse fails. A column the statement selects as
 *   `to_json(…) AS <name>` is a STRING rendered as Spark's `to_json` renders it (with its `timestampFormat`).
 */
import { createRequire } from "node:module";
import { type DBSQLParameter, thrift } from "@databricks/sql";
import { init, parse } from "@guanmingchiu/sqlparser-ts";
import type {
  ConnectionOptions,
  DatabricksClient,
  DatabricksExecuteOptions,
  DatabricksOperation,
  DatabricksResultSchema,
  DatabricksSession,
  OpenSessionRequest,
} from "../../lakehouse/databricks/databricks-driver.js";
import { warehouseRejection } from "../support/spark-analysis.js";

await init();

const require = createRequire(import.meta.url);
const { TTypeId, TStatusCode } = thrift.TCLIService_types;

type ErrorClass<A extends unknown[]> = new (...args: A) => Error;
const OperationStateError: ErrorClass<[string, { errorMessage?: string; displayMessage?: string }?]> =
  require("@databricks/sql/dist/errors/OperationStateError").default;
const StatusError: ErrorClass<[{ statusCode: number; errorMessage?: string }]> =
  require("@databricks/sql/dist/errors/StatusError").default;
const AuthenticationError: ErrorClass<[string?]> =
  require("@databricks/sql/dist/errors/AuthenticationError").default;
const { convertThriftValue } = require("@databricks/sql/dist/result/utils") as {
  convertThriftValue: (typeDescriptor: { type: number }, value: unknown) => unknown;
};
const { THTTPException } = require("@databricks/sql/dist/connection/connections/ThriftHttpConnection") as {
  THTTPException: ErrorClass<[{ status: number; headers: Map<string, string> }]>;
};

/** Errors shaped exactly as the driver raises them. */
export const driverErrors = {
  invalidSession: () =>
    new StatusError({
      statusCode: TStatusCode.INVALID_HANDLE_STATUS,
      errorMessage: "Invalid SessionHandle: SessionHandle [0b1c…] is Closed",
    }),
  http: (status: number) => new THTTPException({ status, headers: new Map() }),
  network: (code: string) =>
    Object.assign(new Error(`request to https://dbc.example/sql/1.0 failed, reason: ${code}`), {
      type: "system",
      code,
      errno: code,
    }),
  oauth: () => new AuthenticationError("Failed to fetch access token"),
  operation: (state: "CANCELED" | "ERROR" | "TIMEOUT", errorMessage?: string) =>
    new OperationStateError(state, errorMessage ? { errorMessage, displayMessage: errorMessage } : undefined),
  warehouseStarting: () =>
    new StatusError({
      statusCode: TStatusCode.ERROR_STATUS,
      errorMessage: "TEMPORARILY_UNAVAILABLE: The SQL warehouse is starting. Please retry.",
    }),
};

/** A TIMESTAMP as the warehouse holds it, in session-zone (UTC) wall-clock text: `2026-01-02 03:04:05.123456`. */
export class WarehouseTimestamp {
  constructor(readonly text: string) {}
}

/** A value the warehouse holds: scalars, `bigint` for BIGINT, timestamps, and arrays/objects for complex types. */
export type WarehouseValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | WarehouseTimestamp
  | WarehouseValue[]
  | { [key: string]: WarehouseValue };

/** How the Thrift server renders a complex value when Arrow native complex types are off (Spark's `toHiveString`). */
export function hiveText(value: WarehouseValue): string {
  if (value === null) return "null";
  if (value instanceof WarehouseTimestamp) return value.text;
  if (typeof value === "string") return `"${value}"`;
  if (Array.isArray(value)) return `[${value.map(hiveText).join(",")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `"${k}":${hiveText(v)}`)
      .join(",")}}`;
  }
  return String(value);
}

/** The `timestampFormat` option the gateway passes to `to_json` (microseconds, UTC offset as `Z`). */
const MICROS_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX";

/** Spark's `to_json` text of a value; timestamps in `timestampFormat` (default: milliseconds, as Spark's). */
export function toJsonText(value: WarehouseValue, timestampFormat: string | null): string {
  if (value === null) return "null";
  if (value instanceof WarehouseTimestamp) {
    const [date, time = "00:00:00"] = value.text.split(" ");
    const [whole, fraction = ""] = time.split(".");
    if (timestampFormat === null) return `"${date}T${whole}.${fraction.padEnd(3, "0").slice(0, 3)}Z"`;
    if (timestampFormat === MICROS_FORMAT) return `"${date}T${whole}.${fraction.padEnd(6, "0")}Z"`;
    throw new Error(`the fake warehouse does not render timestampFormat ${timestampFormat}`);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => toJsonText(v, timestampFormat)).join(",")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v, timestampFormat)}`)
      .join(",")}}`;
  }
  return String(value);
}

type AstNode = Record<string, unknown>;

/** String literals anywhere under `node`, with Spark's `\u0027` read back as `'`. */
function stringLiterals(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) stringLiterals(n, out);
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "SingleQuotedString" && typeof value === "string")
        out.push(value.replaceAll("\\u0027", "'"));
      else stringLiterals(value, out);
    }
  }
  return out;
}

/**
 * Columns the statement selects as `to_json(…) AS <name>`: name → the `timestampFormat` option (null: default).
 * Found anywhere in the statement, so a column passed up through `SELECT *` or `k.<name>` counts too.
 */
function toJsonColumns(text: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) for (const n of node) visit(n);
    else if (node && typeof node === "object") {
      const o = node as AstNode;
      const aliased = o.ExprWithAlias as AstNode | undefined;
      const fn = (aliased?.expr as AstNode | undefined)?.Function as AstNode | undefined;
      const fnName = ((fn?.name as AstNode[] | undefined)?.at(-1)?.Identifier as AstNode | undefined)?.value;
      if (aliased && typeof fnName === "string" && fnName.toLowerCase() === "to_json") {
        const args = ((fn!.args as AstNode).List as AstNode).args as unknown[];
        const options = stringLiterals(args.slice(1));
        const at = options.indexOf("timestampFormat");
        out.set((aliased.alias as AstNode).value as string, at >= 0 ? options[at + 1]! : null);
      }
      for (const value of Object.values(o)) visit(value);
    }
  };
  visit(parse(text, "databricks"));
  return out;
}

const COMPLEX_TYPES = new Set(["ARRAY_TYPE", "STRUCT_TYPE", "MAP_TYPE"]);

/** The warehouse's answer to a statement, as driver 2.1.0 hands it over (see the header). */
function asDriverReturns(
  text: string,
  rows: readonly object[],
  columns: readonly FakeColumn[],
): { rows: object[]; columns: FakeColumn[] } {
  const complex = columns.filter((c) => COMPLEX_TYPES.has(c.type));
  const toJson = complex.length ? toJsonColumns(text) : new Map<string, string | null>();
  const outColumns = columns.map((c) =>
    COMPLEX_TYPES.has(c.type) && toJson.has(c.name) ? { name: c.name, type: "STRING_TYPE" as const } : c,
  );
  const outRows = rows.map((row) => {
    const out: Record<string, unknown> = { ...row };
    for (const c of complex) {
      const value = (row as Record<string, WarehouseValue>)[c.name];
      if (value === null || value === undefined) continue;
      out[c.name] = toJson.has(c.name)
        ? toJsonText(value, toJson.get(c.name)!)
        : convertThriftValue({ type: TTypeId[c.type] }, hiveText(value));
    }
    for (const [k, v] of Object.entries(out)) if (v instanceof WarehouseTimestamp) out[k] = v.text;
    return out;
  });
  return { rows: outRows, columns: outColumns };
}

/** The parameter types a statement was sent with, by marker name. */
function boundTypes(options: DatabricksExecuteOptions | undefined): Record<string, string> {
  const named = (options?.namedParameters ?? {}) as Record<string, DBSQLParameter>;
  return Object.fromEntries(Object.entries(named).map(([name, p]) => [name, String(p.type)]));
}

export interface FakeColumn {
  readonly name: string;
  readonly type: keyof typeof TTypeId;
}

/** What one `executeStatement` does: return rows, fail at submit or at fetch, or run until cancelled. */
export type FakeOutcome =
  | { readonly rows: object[]; readonly columns?: readonly FakeColumn[] }
  | { readonly submitError: unknown }
  | { readonly fetchError: unknown }
  | { readonly hang: true };

export interface ExecutedStatement {
  readonly text: string;
  readonly options: DatabricksExecuteOptions | undefined;
  readonly sessionId: number;
}

function schemaOf(columns: readonly FakeColumn[]): DatabricksResultSchema {
  return {
    columns: columns.map((c, i) => ({
      columnName: c.name,
      position: i + 1,
      typeDesc: { types: [{ primitiveEntry: { type: TTypeId[c.type] } }] },
    })),
  };
}

class FakeOperation implements DatabricksOperation {
  cancelled = 0;
  closed = 0;
  #rejectHang: ((error: unknown) => void) | undefined;

  constructor(private readonly outcome: FakeOutcome) {}

  async fetchAll(): Promise<object[]> {
    if ("fetchError" in this.outcome) throw this.outcome.fetchError;
    if ("hang" in this.outcome) {
      return new Promise((_, reject) => {
        this.#rejectHang = reject;
      });
    }
    return "rows" in this.outcome ? this.outcome.rows : [];
  }

  async getSchema(): Promise<DatabricksResultSchema | null> {
    return "rows" in this.outcome && this.outcome.columns ? schemaOf(this.outcome.columns) : null;
  }

  async cancel(): Promise<unknown> {
    this.cancelled++;
    this.#rejectHang?.(driverErrors.operation("CANCELED"));
    return {};
  }

  async close(): Promise<unknown> {
    this.closed++;
    return {};
  }
}

/** The warehouse side: shared by every client the factory creates, so reconnects keep the script and records. */
export class FakeWarehouse {
  readonly connects: ConnectionOptions[] = [];
  readonly sessionRequests: OpenSessionRequest[] = [];
  readonly executed: ExecutedStatement[] = [];
  readonly operations: FakeOperation[] = [];
  readonly closedSessions: number[] = [];
  clientsCreated = 0;
  clientsClosed = 0;
  /** Thrown by the next `connect` / `openSession` calls (shift per call) before the script runs. */
  readonly connectFailures: unknown[] = [];
  readonly openSessionFailures: unknown[] = [];
  /** Outcomes of the next `executeStatement` calls; when empty, `defaultOutcome`. */
  readonly script: FakeOutcome[] = [];
  defaultOutcome: FakeOutcome = { rows: [{ ok: 1 }], columns: [{ name: "ok", type: "INT_TYPE" }] };
  #sessionIds = 0;

  factory = (): DatabricksClient => {
    this.clientsCreated++;
    return this.#client();
  };

  #client(): DatabricksClient {
    return {
      connect: async (options) => {
        this.connects.push(options);
        const failure = this.connectFailures.shift();
        if (failure) throw failure;
        return {};
      },
      openSession: async (request) => {
        this.sessionRequests.push(request ?? {});
        const failure = this.openSessionFailures.shift();
        if (failure) throw failure;
        return this.#session(++this.#sessionIds);
      },
      close: async () => {
        this.clientsClosed++;
      },
    };
  }

  #session(id: number): DatabricksSession {
    return {
      executeStatement: async (text, options) => {
        this.executed.push({ text, options, sessionId: id });
        const scripted = this.script.shift() ?? this.defaultOutcome;
        if ("submitError" in scripted) throw scripted.submitError;
        const rejection = warehouseRejection(text, boundTypes(options));
        if (rejection) throw driverErrors.operation("ERROR", rejection);
        const outcome =
          "rows" in scripted && scripted.columns
            ? asDriverReturns(text, scripted.rows, scripted.columns)
            : scripted;
        const operation = new FakeOperation(outcome);
        this.operations.push(operation);
        return operation;
      },
      close: async () => {
        this.closedSessions.push(id);
        return {};
      },
    };
  }
}
