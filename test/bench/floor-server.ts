/**
 * The floor as a server, for the throughput phase (`throughput-phase.ts`): a bare `node:http` server in its own
 * process that answers `GET /floor/<operation id>` by running that operation's hand-written statement
 * (`floor-statements.ts`) through the same `@duckdb/node-api` driver and pool as the gateway (DUCKDB_CONNECTIONS,
 * default 4) on the same file opened read-only, and returns the rows as JSON. So the floor pays HTTP and JSON
 * too, and autocannon measures both sides the same way. Nothing else: no GraphQL, no auth, no access check
 * beyond the one inside the statement, no cache.
 *
 * Configured by environment: DUCKDB_PATH, DUCKDB_CONNECTIONS, FLOOR_SPEC (JSON, `FloorSpec` below).
 */
import { createServer } from "node:http";
import { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import { dashboardFloor, type FloorStatement, measurementPageFloor, runFloor } from "./floor-statements.js";
import type { CatalogField } from "./schema-discovery.js";

/** What the floor server needs to build the statements: the same inputs as the reference operations. */
export interface FloorSpec {
  readonly experimentId: string;
  readonly userId: string;
  readonly macroFilename: string;
  readonly typedFields: readonly CatalogField[];
  /** Operation id → the floor statement it serves. */
  readonly operations: Readonly<Record<string, { kind: "page" | "dashboard"; size: number }>>;
}

const path = process.env.DUCKDB_PATH;
const spec = JSON.parse(process.env.FLOOR_SPEC ?? "null") as FloorSpec | null;
if (!path || !spec) throw new Error("floor-server needs DUCKDB_PATH and FLOOR_SPEC");

const statements = new Map<string, FloorStatement>();
for (const [id, op] of Object.entries(spec.operations)) {
  const { experimentId, userId, macroFilename, typedFields } = spec;
  statements.set(
    id,
    op.kind === "page"
      ? measurementPageFloor(experimentId, userId, macroFilename, typedFields, op.size)
      : dashboardFloor(experimentId, userId, macroFilename, typedFields, op.size),
  );
}

const lakehouse = await DuckDbLakehouse.open({
  path,
  readOnly: true,
  connections: Number(process.env.DUCKDB_CONNECTIONS ?? 4),
});
const json = (_key: string, value: unknown) => (typeof value === "bigint" ? value.toString() : value);

const server = createServer((req, res) => {
  const statement = statements.get((req.url ?? "").replace(/^\/floor\//, ""));
  if (!statement) {
    res.writeHead(404).end();
    return;
  }
  runFloor(lakehouse, statement).then(
    (rows) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(rows, json));
    },
    (error: Error) => {
      res.writeHead(500, { "content-type": "text/plain" }).end(error.message);
    },
  );
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  // The same line the gateway prints, so `startGateway` can run this script.
  console.log(`listening on http://127.0.0.1:${port}/graphql (floor server)`);
});
// Read-only and stateless: nothing to flush, and statements still queued from an abandoned load need not finish.
process.on("SIGTERM", () => process.exit(0));
