/**
 * The federated entry point (`npm run federated`): Hive Gateway — an existing federation router, MIT-licensed —
 * serving the supergraph composed (with `@theguild/federation-composition`) from this lakehouse subgraph
 * (`FEDERATION=true npm start`) and the subgraphs named in `FEDERATION_SUBGRAPHS`. The composition is written to
 * `FEDERATION_SUPERGRAPH_FILE`, which Hive Gateway watches: it is recomposed when a subgraph's `schemaChanged`
 * subscription fires (the lakehouse's does on every catalog change) and every `FEDERATION_POLL_MS`, so a new
 * macro's typed fields reach the router without a restart, and operations in flight finish on the supergraph they
 * started on. Each client's `Authorization` header goes on to every subgraph, which checks access per request.
 */
import { defineConfig } from "@graphql-hive/gateway";
import { loadFederatedConfig } from "./gateway/config.js";
import { parseSubgraphList } from "./gateway/federation/supergraph.js";
import { SupergraphFile } from "./gateway/federation/supergraph-file.js";

const config = loadFederatedConfig();
const log = {
  info: (message: string) => console.info(`[federation] ${message}`),
  warn: (message: string) => console.warn(`[federation] ${message}`),
};
const supergraph = new SupergraphFile({
  path: config.supergraphFile,
  sources: parseSubgraphList(config.subgraphs),
  pollMs: config.pollMs,
  log,
});
await supergraph.start();

export const gatewayConfig = defineConfig({
  port: config.port,
  host: config.host,
  supergraph: config.supergraphFile,
  plugins: (ctx) => [
    {
      // One line per supergraph put in service (at start and after each change of the file).
      onSchemaChange({ schema }) {
        ctx.log.info(`Serving a supergraph of ${Object.keys(schema.getTypeMap()).length} types`);
      },
      onDispose() {
        supergraph.stop();
      },
    },
  ],
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({
      authorization: request.headers.get("authorization") ?? undefined,
    }),
  },
});
