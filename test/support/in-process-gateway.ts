/**
 * The real server (runtime + Yoga over HTTP) started inside the test process, for tests that must also write to
 * the embedded lakehouse while the server runs (DuckDB admits one writing process per file).
 */
import { join } from "node:path";
import type { Plugin } from "graphql-yoga";
import { loadConfig } from "../../gateway/config.js";
import { createRuntime, type GatewayRuntime } from "../../gateway/runtime.js";
import { createGatewayServer } from "../../gateway/server/create-server.js";
import type { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import { type GraphQLResponse, postGraphQL, TEST_JWT_SECRET, tempDir } from "./gateway-process.js";

export interface InProcessGateway {
  /** Stops accepting requests and waits for in-flight ones (the server's graceful shutdown). */
  shutdown(): Promise<void>;
  readonly url: string;
  readonly runtime: GatewayRuntime;
  readonly lakehouse: DuckDbLakehouse;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string },
  ): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

export async function startInProcessGateway(
  env: Record<string, string> = {},
  plugins: Plugin[] = [],
): Promise<InProcessGateway> {
  const dir = tempDir();
  const config = loadConfig({
    PORT: "0",
    NODE_ENV: "test",
    DUCKDB_PATH: join(dir, "centrum.duckdb"),
    DEMO_PRESET: "ci",
    SIMULATE: "false",
    JWT_SECRET: TEST_JWT_SECRET,
    EXPOSE_STATEMENTS: "true",
    ...env,
  });
  const runtime = await createRuntime(config, () => undefined);
  const server = createGatewayServer({ ...runtime, log: () => undefined, plugins });
  const url = await server.listen();
  return {
    url,
    runtime,
    lakehouse: runtime.raw as DuckDbLakehouse,
    gql: (query, variables, opts) => postGraphQL(`${url}/graphql`, query, variables, opts),
    shutdown: () => server.shutdown(),
    async stop() {
      await server.shutdown();
      await runtime.close();
    },
  };
}
