/**
 * The driver boundary: the part of `@databricks/sql` the connector uses, as interfaces, so contract tests can pass
 * a fake (the only fake in this project) and everything above this file runs unchanged.
 */
import { DBSQLClient, type DBSQLParameter, LogLevel } from "@databricks/sql";

/** What `DBSQLClient.connect` accepts (host, path, auth, driver options). */
export type ConnectionOptions = Parameters<DBSQLClient["connect"]>[0];
/** What `DBSQLClient.openSession` accepts (initial catalog/schema, session configuration). */
export type OpenSessionRequest = NonNullable<Parameters<DBSQLClient["openSession"]>[0]>;

/** Column metadata as the Thrift backend reports it (`TTableSchema`); only the fields we read. */
export interface DatabricksResultSchema {
  readonly columns: ReadonlyArray<{
    readonly columnName: string;
    readonly position?: number;
    readonly typeDesc: {
      readonly types: ReadonlyArray<{ readonly primitiveEntry?: { readonly type: number } }>;
    };
  }>;
}

export interface DatabricksOperation {
  fetchAll(): Promise<object[]>;
  getSchema(): Promise<DatabricksResultSchema | null>;
  cancel(): Promise<unknown>;
  close(): Promise<unknown>;
}

export interface DatabricksExecuteOptions {
  readonly namedParameters?: Record<string, DBSQLParameter>;
}

export interface DatabricksSession {
  executeStatement(statement: string, options?: DatabricksExecuteOptions): Promise<DatabricksOperation>;
  close(): Promise<unknown>;
}

export interface DatabricksClient {
  connect(options: ConnectionOptions): Promise<unknown>;
  openSession(request?: OpenSessionRequest): Promise<DatabricksSession>;
  close(): Promise<unknown>;
}

/** Returns a new, unconnected client; called once per (re)connection. */
export type DatabricksDriverFactory = () => DatabricksClient;

const QUIET_LOGGER = {
  // The driver's default logger writes info lines to stdout and installs an uncaught-exception handler.
  log(level: LogLevel, message: string): void {
    if (level === LogLevel.error) console.error(`[databricks-sql] ${message}`);
  },
};

/**
 * The real driver. Timestamps are requested as text rather than Arrow-native values: the driver turns native
 * TIMESTAMPs into JS `Date`s (milliseconds), which would drop the microseconds our cursors depend on. The switch
 * (`useArrowNativeTypes`) is a client config value with no connect option, hence the write to `getConfig()`; it
 * also makes DECIMALs arrive as exact text and complex types as JSON (see README.md for the consequences).
 */
export const createDatabricksDriverClient: DatabricksDriverFactory = () => {
  const client = new DBSQLClient({ logger: QUIET_LOGGER });
  client.getConfig().useArrowNativeTypes = false;
  return client;
};
