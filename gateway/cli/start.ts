/**
 * `npm start`: runs the gateway. On the embedded lakehouse it creates and seeds `data/centrum.duckdb` when empty,
 * runs the ingest simulation, and prints the GraphiQL URL with ready-to-use tokens for a few demo users.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DEMO_USERS } from "../../lakehouse/demo/demo-users.js";
import { isCodedError } from "../../lakehouse/errors.js";
import { signToken } from "../auth/jwt.js";
import { ConfigError, loadConfig } from "../config.js";
import { createRuntime } from "../runtime.js";
import { createGatewayServer } from "../server/create-server.js";

async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfig();
  if (config.lakehouse === "duckdb" && config.duckdb.path !== ":memory:") {
    mkdirSync(dirname(config.duckdb.path), { recursive: true });
  }
  const runtime = await createRuntime(config);
  const server = createGatewayServer({ ...runtime });
  const url = await server.listen();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight requests…`);
    // A shutdown that cannot finish (a stuck statement, a peer that never closes) must not keep the process alive.
    setTimeout(() => {
      console.error("shutdown did not finish in time; exiting");
      process.exit(1);
    }, config.shutdownGraceMs + 10_000).unref();
    await server.shutdown();
    console.log("server closed; closing the lakehouse…");
    await runtime.close();
    console.log("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  const lines = [`centrum-gateway listening on ${url}/graphql (GraphiQL in a browser)`];
  if (config.lakehouse === "duckdb" && config.env !== "production") {
    lines.push("", "Demo tokens (send as 'Authorization: Bearer <token>'):");
    for (const user of DEMO_USERS.slice(0, 4)) {
      const token = await signToken(config.jwt, user.id, { name: `${user.firstName} ${user.lastName}` });
      lines.push(`  ${user.firstName} ${user.lastName} (${user.description}): ${token}`);
    }
  }
  lines.push(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(lines.join("\n"));
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else if (isCodedError(error)) console.error(`cannot start: ${error.message} (${error.code})`);
  else console.error("cannot start:", error);
  process.exit(1);
});
