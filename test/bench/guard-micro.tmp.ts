import { loadConfig } from "../../gateway/config.js";
import { createRuntime } from "../../gateway/runtime.js";
import { createGatewayServer } from "../../gateway/server/create-server.js";
import { join } from "node:path";
import { tempDir } from "../support/gateway-process.js";
const dir = tempDir();
const config = loadConfig({ PORT: "0", NODE_ENV: "test", DUCKDB_PATH: join(dir, "c.duckdb"), DEMO_PRESET: "ci", SIMULATE: "false", JWT_SECRET: "integration-test-secret-0123456789", RATE_LIMIT_POINTS: "1000000000", RATE_LIMIT_DRAIN_PER_S: "1000000", LOG_LEVEL: "warn", FRESHNESS_POLL_MS: "600000" });
const runtime = await createRuntime(config, () => undefined);
const guarded = createGatewayServer({ ...runtime, log: () => undefined });
const unguarded = createGatewayServer({ ...runtime, guard: false, log: () => undefined });
const body = JSON.stringify({ query: "{ experiments(first: 10) { totalCount edges { node { id name visibility status } } } }" });
const run = async (s: typeof guarded, n: number) => {
  const t = performance.now();
  await Promise.all(Array.from({ length: 50 }, async () => {
    for (let i = 0; i < n / 50; i++) {
      const res = await s.yoga.fetch("http://localhost/graphql", { method: "POST", headers: { "content-type": "application/json" }, body });
      await res.text();
    }
  }));
  return ((performance.now() - t) / n) * 1000;
};
const which = process.env.WHICH === "unguarded" ? unguarded : guarded;
await run(which, 1000);
console.log(`${process.env.WHICH ?? "guarded"} ${(await run(which, 20000)).toFixed(0)} µs`);
await runtime.close();
process.exit(0);
