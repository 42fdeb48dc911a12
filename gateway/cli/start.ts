/**
 * `npm start`: runs the gateway. On the embedded lakehouse it creates and seeds `data/centrum.duckdb` when empty,
 * runs the ingest simulation, and prints the GraphiQL URL with ready-to-use tokens for a few demo users.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DEMO_USERS } from "../../lakehouse/demo/demo-users.js";
import { isCodedError } from "../../lakehouse/errors.js";
import { newOperatorToken, removeRunFile, writeRunFile } from "../admin/run-file.js";
import { signToken } from "../auth/jwt.js";
import { ConfigError, loadConfig } from "../config.js";
import { createRuntime } from "../runtime.js";
import { createGatewayServer } from "../server/create-server.js";

/** The URL a CLI on this machine uses (a gateway listening on every interface is on loopback too). */
function loopbackUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === "0.0.0.0" || u.hostname === "[::]" || u.hostname === "::") u.hostname = "127.0.0.1";
  return u.origin;
}

async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfig();
  if (config.lakehouse === "duckdb" && config.duckdb.path !== ":memory:") {
    mkdirSync(dirname(config.duckdb.path), { recursive: true });
  }
  const runtime = await createRuntime(config);
  const operatorToken = newOperatorToken();
  const server = createGatewayServer({ ...runtime, operatorToken });
  const url = await server.listen();
  // The CLIs (`npm run import`, `schema:print`) find this gateway beside its file and go through it.
  const runFile =
    config.lakehouse === "duckdb" && config.duckdb.path !== ":memory:" ? config.duckdb.path : null;
  if (runFile) {
    writeRunFile(runFile, { pid: process.pid, url: loopbackUrl(url), token: operatorToken });
    process.on("exit", () => removeRunFile(runFile));
  }

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
