/**
 * The gateway without its guard (document limits, static cost, rate limits), for `guard-throughput-bench.ts` only:
 * the same runtime and server as `npm start` otherwise. Not reachable from any configuration.
 */
import { loadConfig } from "../../gateway/config.js";
import { createRuntime } from "../../gateway/runtime.js";
import { createGatewayServer } from "../../gateway/server/create-server.js";

const config = loadConfig();
const runtime = await createRuntime(config, () => undefined);
const server = createGatewayServer({ ...runtime, guard: false, log: () => undefined });
const url = await server.listen();
console.log(`listening on ${url}/graphql (without the guard)`);
process.on("SIGTERM", async () => {
  await server.shutdown();
  await runtime.close();
  process.exit(0);
});
