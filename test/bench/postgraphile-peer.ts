/**
 * The peer for issue 13's throughput bar: PostGraphile v5 over PostgreSQL, loaded with the same photosynthesis
 * rows as the bench file, serving the same 100-row typed page. `npm run bench -- --peer` measures it in the same
 * interleaved run as the gateway's uncached typed page (`throughput-phase.ts`); run on its own, this script sets
 * the peer up, checks one page and keeps serving it until Ctrl-C (to poke at it):
 *
 *   npx tsx test/bench/postgraphile-peer.ts [--db data/bench.duckdb] [--prefix /tmp/pg-peer]
 *
 * Recipe (nothing of it goes into the repository or its package.json):
 *
 *   apt-get install -y postgresql             # Debian: PostgreSQL 15 under /usr/lib/postgresql/15/bin
 *   mkdir -p /tmp/pg-peer && cd /tmp/pg-peer  # PostGraphile lives OUTSIDE the repository
 *   # 5.0.0-beta.49 runs on Node 20 (5.1 needs Node 22). Its dependencies are caret ranges on prereleases, which
 *   # npm resolves to the 1.0/5.0 release candidates (a second grafast, which breaks it), so pin them all:
 *   cat > package.json <<'EOF'
 *   { "name": "pg-peer", "private": true, "type": "module",
 *     "dependencies": { "postgraphile": "5.0.0-beta.49", "pg": "8.16.3" },
 *     "overrides": { "@dataplan/pg": "0.0.1-beta.39", "@dataplan/json": "0.0.1-beta.33",
 *       "grafast": "0.1.1-beta.27", "grafserv": "0.1.1-beta.29", "graphile-build": "5.0.0-beta.39",
 *       "graphile-build-pg": "5.0.0-beta.47", "graphile-config": "0.0.1-beta.18",
 *       "graphile-utils": "5.0.0-beta.45", "pg-sql2": "5.0.0-beta.9", "tamedevil": "0.0.0-beta.9",
 *       "@graphile/lru": "5.0.0-beta.4" } }
 *   EOF
 *   npm install
 *
 * What `setUpPeer` then does, in a throwaway folder (removed by `stop`):
 *   1. `initdb` (trust auth) and `pg_ctl start` on a free port on 127.0.0.1, as the current user — as `postgres`
 *      through `runuser` when running as root (PostgreSQL refuses to run as root); fsync off (a throwaway);
 *   2. the bench file's photosynthesis rows (every experiment, not only the measured one: the same table the
 *      gateway reads) exported by DuckDB to CSV — id BIGINT (exact), experiment_id, timestamp, device_id, the
 *      VARIANT macro output as JSON — and loaded with COPY into `photosynthesis_rows` (macro_output JSONB, primary
 *      key id), indexed on (experiment_id, timestamp DESC, id DESC), analyzed;
 *   3. one SQL function per typed field (`photosynthesis_rows_<field>(r photosynthesis_rows)`, STABLE), which
 *      PostGraphile exposes as a computed column: the same JSON path cast to the field's type (NULL when the
 *      value has another JSON type, as the gateway's TRY_CAST);
 *   4. a PostGraphile server (amber preset, NODE_ENV=production, default pg pool, index behaviours off so
 *      `condition`/`orderBy` are offered on every column) written into the prefix folder and started in its own
 *      process: `allPhotosynthesisRows(condition: { experimentId }, orderBy: [TIMESTAMP_DESC, ROW_ID_DESC],
 *      first: 100)` with id, rowId, timestamp, deviceId and the typed fields — the gateway's typed page without
 *      the experiment lookup and access rule in front (the peer has neither).
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import { type GatewayProcess, postGraphQL, startGateway } from "../support/gateway-process.js";
import type { CatalogField } from "./schema-discovery.js";

export const PEER_PREFIX = "/tmp/pg-peer";
const TABLE = "photosynthesis_rows";

export interface PeerSetup {
  readonly postgres: string;
  readonly postgraphile: string;
  readonly rows: number;
  readonly setupS: number;
  readonly port: number;
  /** The GraphQL document for the page and its variables. */
  readonly document: string;
  readonly variables: Record<string, unknown>;
  /** Starts the PostGraphile process (one at a time, like the other servers of the bench). */
  startServer(): Promise<GatewayProcess>;
  /** Row ids of one page, in order (to compare with the gateway's). */
  pageIds(url: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** Why the peer cannot run here, or null when it can. */
export function peerUnavailable(prefix = PEER_PREFIX): string | null {
  if (!pgBin("initdb") || !pgBin("pg_ctl") || !pgBin("postgres"))
    return "no PostgreSQL binaries (initdb, pg_ctl, postgres) on PATH or under /usr/lib/postgresql/*/bin: apt-get install -y postgresql";
  if (!existsSync(join(prefix, "node_modules/postgraphile/package.json")))
    return `no PostGraphile under ${prefix}/node_modules (see the recipe in test/bench/postgraphile-peer.ts)`;
  if (userInfo().uid === 0 && spawnSync("id", ["-u", "postgres"]).status !== 0)
    return "running as root and there is no `postgres` user to run PostgreSQL as";
  return null;
}

function pgBin(name: string): string | null {
  const onPath = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
  if (onPath) return onPath;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  for (const version of readdirSync(root).sort().reverse()) {
    const bin = join(root, version, "bin", name);
    if (existsSync(bin)) return bin;
  }
  return null;
}

/** Runs a PostgreSQL binary as the current user, or as `postgres` when we are root. */
function pg(name: string, args: string[], log: (line: string) => void): string {
  const bin = pgBin(name);
  if (!bin) throw new Error(`no ${name}`);
  const [cmd, argv] =
    userInfo().uid === 0 ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new Error(
      `${name} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`.slice(0, 4000),
    );
  }
  for (const line of r.stderr.split("\n"))
    if (line.trim() && !/^NOTICE/.test(line)) log(`  ${name}: ${line}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

const snake = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
const squash = (name: string) => name.replace(/_/g, "").toLowerCase();
const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The SQL type and JSON type of a catalog field's computed column. */
const COLUMN_TYPES: Record<string, { sql: string; json: string }> = {
  Float: { sql: "double precision", json: "number" },
  Int: { sql: "integer", json: "number" },
  String: { sql: "text", json: "string" },
  Boolean: { sql: "boolean", json: "boolean" },
};

function computedColumn(field: CatalogField, fn: string): string {
  const type = COLUMN_TYPES[field.type] ?? COLUMN_TYPES.String!;
  const path = sqlString(`{${field.path.map((k) => `"${k.replaceAll('"', '\\"')}"`).join(",")}}`);
  // Int: through numeric, so 3.0 is 3 (as DuckDB's TRY_CAST of a VARIANT number).
  const value =
    field.type === "Int"
      ? `(r.macro_output #>> ${path})::numeric::integer`
      : `(r.macro_output #>> ${path})::${type.sql}`;
  return `CREATE FUNCTION ${fn}(r ${TABLE}) RETURNS ${type.sql} LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(r.macro_output #> ${path}) = '${type.json}' THEN ${value} END
$$;`;
}

const SERVER_SOURCE = `// Written by test/bench/postgraphile-peer.ts: PostGraphile v5 (amber preset) over DATABASE_URL.
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const preset = {
  extends: [PostGraphileAmberPreset],
  // condition/orderBy on every column (the page orders by timestamp, the second column of its index).
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"] })],
  grafserv: { graphiql: false, watch: false },
};
const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.keepAliveTimeout = 60_000;
await serv.addTo(server);
await pgl.getSchema();
server.listen(0, "127.0.0.1", () => {
  console.log("listening on http://127.0.0.1:" + server.address().port + "/graphql (PostGraphile)");
});
process.on("SIGTERM", async () => {
  server.close();
  server.closeAllConnections();
  await pgl.release();
  process.exit(0);
});
`;

export async function setUpPeer(options: {
  dbPath: string;
  experimentId: string;
  macroFilename: string;
  typedFields: readonly CatalogField[];
  pageSize: number;
  prefix?: string;
  log: (line: string) => void;
}): Promise<PeerSetup> {
  const { log } = options;
  const prefix = resolve(options.prefix ?? PEER_PREFIX);
  const why = peerUnavailable(prefix);
  if (why) throw new Error(why);
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "centrum-pg-peer-"));
  chmodSync(dir, 0o777); // the postgres user writes its cluster and reads the CSV here
  const data = join(dir, "pgdata");
  const port = await freePort();
  let running = false;
  const stopSync = () => {
    if (running) {
      try {
        pg("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"], () => undefined);
      } catch (error) {
        log(`stopping PostgreSQL: ${(error as Error).message.split("\n")[0]}`);
      }
      running = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A throwaway cluster does not outlive the bench, even when it fails or is interrupted.
  // (Ctrl-C reaches the servers of the bench too, in the same process group; `exit` then stops PostgreSQL.)
  const onSignal = () => process.exit(130);
  process.once("exit", stopSync);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const stop = async () => {
    stopSync();
    process.off("exit", stopSync);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  try {
    log(`peer: initdb + pg_ctl start on port ${port} in ${dir}…`);
    pg(
      "initdb",
      ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync"],
      () => undefined,
    );
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
    ].join(" ");
    pg("pg_ctl", ["-D", data, "-o", settings, "-l", join(dir, "postgres.log"), "-w", "start"], log);
    running = true;
    const psql = (sql: string) => {
      const file = join(dir, `script-${Date.now()}.sql`);
      writeFileSync(file, sql);
      chmodSync(file, 0o644);
      return pg(
        "psql",
        [
          "-h",
          "127.0.0.1",
          "-p",
          String(port),
          "-U",
          "postgres",
          "-v",
          "ON_ERROR_STOP=1",
          "-qAt",
          "-f",
          file,
        ],
        log,
      );
    };
    const version = psql("SHOW server_version;").trim();

    const csv = join(dir, "rows.csv");
    log(`peer: exporting the ${options.macroFilename} rows of ${options.dbPath} to CSV…`);
    const lakehouse = await DuckDbLakehouse.open({ path: options.dbPath, readOnly: true, connections: 1 });
    try {
      await lakehouse.withConnection((c) =>
        c.run(`COPY (
          SELECT id, experiment_id, timestamp, device_id, CAST(macro_output AS JSON) AS macro_output
          FROM centrum.experiment_macro_data
          WHERE macro_filename = ${sqlString(options.macroFilename)} AND macro_error IS NULL
        ) TO ${sqlString(csv)} (FORMAT csv, HEADER false)`),
      );
    } finally {
      await lakehouse.close();
    }
    chmodSync(csv, 0o644);

    log("peer: loading into PostgreSQL (COPY, index, ANALYZE)…");
    const functions = options.typedFields.map((f) => ({ field: f, fn: `${TABLE}_${snake(f.name)}` }));
    psql(`CREATE TABLE ${TABLE} (
  id bigint PRIMARY KEY,
  experiment_id text NOT NULL,
  "timestamp" timestamp,
  device_id text,
  macro_output jsonb
);
COPY ${TABLE} FROM ${sqlString(csv)} WITH (FORMAT csv);
CREATE INDEX ${TABLE}_page ON ${TABLE} (experiment_id, "timestamp" DESC, id DESC);
${functions.map(({ field, fn }) => computedColumn(field, fn)).join("\n")}
VACUUM ANALYZE ${TABLE};`);
    const rows = Number(psql(`SELECT count(*) FROM ${TABLE};`).trim());
    const nullTimestamps = Number(psql(`SELECT count(*) FROM ${TABLE} WHERE "timestamp" IS NULL;`).trim());
    if (nullTimestamps > 0) {
      // PostgreSQL sorts NULLs first in DESC, the gateway last: the pages would differ.
      log(`peer: warning — ${nullTimestamps} rows without a timestamp; the pages may differ`);
    }
    rmSync(csv, { force: true });

    const serverScript = join(prefix, "centrum-peer-server.mjs");
    writeFileSync(serverScript, SERVER_SOURCE);
    const postgraphileVersion = JSON.parse(
      readFileSync(join(prefix, "node_modules/postgraphile/package.json"), "utf8"),
    ).version as string;
    const env = {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`,
      NODE_ENV: "production",
      GRAPHILE_ENV: "production",
    };
    const startServer = () => startGateway({ script: serverScript, env, timeoutMs: 120_000 });

    // Field names as PostGraphile inflects them, asked from its schema.
    const server = await startServer();
    let fieldNames: Map<string, string>;
    try {
      const res = await postGraphQL<{ __type: { fields: { name: string }[] } | null }>(
        `${server.url}/graphql`,
        `{ __type(name: "PhotosynthesisRow") { fields { name } } }`,
      );
      const names = res.data?.__type?.fields.map((f) => f.name) ?? [];
      if (!names.length)
        throw new Error(`PostGraphile has no PhotosynthesisRow type: ${JSON.stringify(res)}`);
      fieldNames = new Map(names.map((n) => [squash(n), n]));
    } finally {
      await server.stop();
    }
    const gql = (name: string) => {
      const found = fieldNames.get(squash(name));
      if (!found)
        throw new Error(`PostGraphile has no field for ${name} (has ${[...fieldNames.values()].join(", ")})`);
      return found;
    };
    const typed = functions.map(({ fn }) => gql(fn.slice(TABLE.length + 1))).join(" ");
    // The amber preset names the global object id \`id\` and the column \`id\` \`rowId\` (as the gateway does).
    const rowId = fieldNames.get("rowid") ?? gql("id");
    const document = `query PeerPage($experiment: String!, $first: Int!) {
  allPhotosynthesisRows(condition: { experimentId: $experiment }, orderBy: [TIMESTAMP_DESC, PRIMARY_KEY_DESC], first: $first) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id ${rowId} timestamp deviceId ${typed} } }
  }
}`;
    const variables = { experiment: options.experimentId, first: options.pageSize };
    const setupS = (performance.now() - started) / 1000;
    log(
      `peer: PostgreSQL ${version}, PostGraphile ${postgraphileVersion}, ${rows} rows, ready in ${setupS.toFixed(0)} s`,
    );
    return {
      postgres: version,
      postgraphile: postgraphileVersion,
      rows,
      setupS,
      port,
      document,
      variables,
      startServer,
      async pageIds(url) {
        const res = await postGraphQL<{
          allPhotosynthesisRows: { edges: { node: Record<string, unknown> }[] };
        }>(`${url}/graphql`, document, variables);
        if (res.errors?.length || !res.data)
          throw new Error(`PostGraphile page failed: ${JSON.stringify(res.errors)}`);
        return res.data.allPhotosynthesisRows.edges.map((e) => String(e.node[rowId]));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Standalone: set the peer up for the bench file's main experiment, check one page, serve until Ctrl-C. */
async function main(): Promise<void> {
  const { parseArgs } = await import("node:util");
  const { values } = parseArgs({
    options: {
      db: { type: "string", default: "data/bench.duckdb" },
      prefix: { type: "string", default: PEER_PREFIX },
    },
  });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // The main experiment and typed fields as the bench discovers them, without a gateway: the largest public
  // experiment with photosynthesis rows and the first ten scalar fields of the preferred list.
  const lakehouse = await DuckDbLakehouse.open({ path: values.db, readOnly: true, connections: 1 });
  const experimentId = await lakehouse.withConnection(async (c) => {
    const r = await c.runAndReadAll(`SELECT m.experiment_id FROM centrum.experiment_macro_data m
      JOIN centrum.experiments e USING (experiment_id)
      WHERE m.macro_filename = 'macro_photosynthesis' AND e.visibility = 'public'
      GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`);
    return String(r.getRows()[0]![0]);
  });
  await lakehouse.close();
  const keys = [
    "Phi2",
    "PhiNPQ",
    "PhiNO",
    "NPQt",
    "qL",
    "LEF",
    "FvP/FmP",
    "Light Intensity (PAR)",
    "Leaf Temperature",
    "Relative Chlorophyll",
  ];
  const typedFields = keys.map((key) => ({
    name: key.replace(/[^A-Za-z0-9]+/g, "_"),
    key,
    path: [key],
    type: "Float",
  }));
  const peer = await setUpPeer({
    dbPath: values.db,
    experimentId,
    macroFilename: "macro_photosynthesis",
    typedFields,
    pageSize: 100,
    prefix: values.prefix,
    log,
  });
  const server = await peer.startServer();
  const ids = await peer.pageIds(server.url);
  log(
    `${server.url}/graphql serves ${ids.length} rows, first ${ids[0]}; PostgreSQL on 127.0.0.1:${peer.port}`,
  );
  log(
    `document:\n${peer.document}\nvariables: ${JSON.stringify(peer.variables)}\nCtrl-C stops and removes it.`,
  );
  // Ctrl-C: the signal handler of setUpPeer exits, and the exit stops PostgreSQL and removes its folder.
  await new Promise<never>(() => undefined);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.dirname, "postgraphile-peer.ts")) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
