/**
 * A scripted stand-in for the `@databricks/sql` driver boundary (client → session → operation) — the only fake in
 * this project. It records what the connector sends and answers each `executeStatement` from a script, failing
 * with the driver's own error classes so error mapping is tested against the real shapes.
 */
import { createRequire } from "node:module";
import { thrift } from "@databricks/sql";
import type {
  ConnectionOptions,
  DatabricksClient,
  DatabricksExecuteOptions,
  DatabricksOperation,
  DatabricksResultSchema,
  DatabricksSession,
  OpenSessionRequest,
} from "../../lakehouse/databricks/databricks-driver.js";

const require = createRequire(import.meta.url);
const { TTypeId, TStatusCode } = thrift.TCLIService_types;

type ErrorClass<A extends unknown[]> = new (...args: A) => Error;
const OperationStateError: ErrorClass<[string, { errorMessage?: string; displayMessage?: string }?]> =
  require("@databricks/sql/dist/errors/OperationStateError").default;
const StatusError: ErrorClass<[{ statusCode: number; errorMessage?: string }]> =
  require("@databricks/sql/dist/errors/StatusError").default;
const AuthenticationError: ErrorClass<[string?]> =
  require("@databricks/sql/dist/errors/AuthenticationError").default;
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
        const outcome = this.script.shift() ?? this.defaultOutcome;
        if ("submitError" in outcome) throw outcome.submitError;
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
