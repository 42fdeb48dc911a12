/**
 * `npm run bench -- [--runs 20] [--warmup 2] [--budget-s 240] [--fresh] [--write] [--db data/bench.duckdb]
 *                   [--only id,id] [--skip-schema-build] [--skip-first-start] [--schema-runs 3]
 *                   [--schema-cold-runs 5] [--skip-latency] [--skip-throughput] [--throughput-seconds 10]
 *                   [--throughput-rounds 3] [--throughput-warmup-s 2] [--concurrency 1,10,50] [--peer]
 *                   [--peer-prefix /tmp/pg-peer]`
 *
 * Performance is measured, not asserted with timers: the reference operations run through the REAL server on the
 * `bench` data preset, beside their floor (the same result from one hand-written SQL statement), with the
 * statements each operation cost. Steps:
 *   1. the bench data (seeded once into `data/bench.duckdb` by the seed CLI, reused unless `--fresh`);
 *   2. the server on that file with the result cache off: every uncached operation, timed over HTTP;
 *   3. the server again with the default cache: the repeated dashboard;
 *   4. the servers stopped (DuckDB allows one writer process), the floors in-process on the file read-only;
 *   4b. the throughput phase (`throughput-phase.ts`, unless `--skip-throughput`): autocannon at each concurrency
 *      against the gateway with its caches off and the floor server, interleaved rounds, one process at a time;
 *      the repeated answers against bare Yoga; with `--peer`, PostGraphile + PostgreSQL on the typed page;
 *   5. schema build time for a generated 1,000 × 50 catalog, cold (the first build, each in a fresh process) and
 *      warm (rebuilds in one process); first start of `npm start` on an empty folder;
 *   6. a table on stdout, the raw figures in `data/bench-results.json`, and with `--write` BENCHMARKS.md.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { signToken } from "../../gateway/auth/jwt.js";
import { loadConfig } from "../../gateway/config.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import { type GatewayProcess, startGateway, TEST_JWT_SECRET } from "../support/gateway-process.js";
import { type BenchDatabase, ensureBenchDatabase } from "./bench-database.js";
import {
  type BenchReport,
  machineInfo,
  type OperationResult,
  operationsTable,
  renderReport,
  throughputTable,
  withResults,
} from "./bench-report.js";
import { benchFirstStart, type FirstStartResult } from "./first-start-bench.js";
import { runFloor } from "./floor-statements.js";
import { summarize, timeRuns } from "./latency-stats.js";
import { PEER_PREFIX } from "./postgraphile-peer.js";
import type { OperationCheck, ReferenceOperation, SkippedOperation } from "./reference-operations.js";
import { referenceOperations } from "./reference-operations.js";
import {
  benchColdSchemaBuild,
  benchSchemaBuild,
  type ColdSchemaBuildResult,
  type SchemaBuildResult,
} from "./schema-build-bench.js";
import { type Discovery, discover } from "./schema-discovery.js";
import { runThroughputPhase, type ThroughputReport } from "./throughput-phase.js";

const USAGE =
  "usage: npm run bench -- [--runs 20] [--warmup 2] [--budget-s 240] [--fresh] [--write] [--db data/bench.duckdb]\n" +
  "                        [--only id,id] [--skip-schema-build] [--skip-first-start] [--schema-runs 3]\n" +
  "                        [--schema-cold-runs 5] [--skip-latency] [--skip-throughput] [--throughput-seconds 10]\n" +
  "                        [--throughput-rounds 3] [--throughput-warmup-s 2] [--concurrency 1,10,50] [--peer]\n" +
  "                        [--peer-prefix /tmp/pg-peer]";

interface Options {
  readonly runs: number;
  readonly warmup: number;
  readonly budgetS: number;
  readonly fresh: boolean;
  readonly write: boolean;
  readonly db: string;
  readonly only: ReadonlySet<string> | null;
  readonly schemaBuild: boolean;
  readonly firstStart: boolean;
  readonly schemaRuns: number;
  readonly schemaColdRuns: number;
  readonly latency: boolean;
  readonly throughput: boolean;
  readonly throughputSeconds: number;
  readonly throughputRounds: number;
  readonly throughputWarmupS: number;
  readonly concurrency: readonly number[];
  readonly peer: boolean;
  readonly peerPrefix: string;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "20" },
      warmup: { type: "string", default: "2" },
      "budget-s": { type: "string", default: "240" },
      fresh: { type: "boolean", default: false },
      write: { type: "boolean", default: false },
      db: { type: "string", default: "data/bench.duckdb" },
      only: { type: "string" },
      "skip-schema-build": { type: "boolean", default: false },
      "skip-first-start": { type: "boolean", default: false },
      "schema-runs": { type: "string", default: "3" },
      "schema-cold-runs": { type: "string", default: "5" },
      "skip-latency": { type: "boolean", default: false },
      "skip-throughput": { type: "boolean", default: false },
      "throughput-seconds": { type: "string", default: "10" },
      "throughput-rounds": { type: "string", default: "3" },
      "throughput-warmup-s": { type: "string", default: "2" },
      concurrency: { type: "string", default: "1,10,50" },
      peer: { type: "boolean", default: false },
      "peer-prefix": { type: "string", default: PEER_PREFIX },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}\n${USAGE}`);
    return n;
  };
  return {
    runs: int("runs", values.runs, 1),
    warmup: int("warmup", values.warmup, 0),
    budgetS: int("budget-s", values["budget-s"], 1),
    fresh: values.fresh,
    write: values.write,
    db: values.db,
    only: values.only ? new Set(values.only.split(",").map((s) => s.trim())) : null,
    schemaBuild: !values["skip-schema-build"],
    firstStart: !values["skip-first-start"],
    schemaRuns: int("schema-runs", values["schema-runs"], 1),
    schemaColdRuns: int("schema-cold-runs", values["schema-cold-runs"], 1),
    latency: !values["skip-latency"],
    throughput: !values["skip-throughput"],
    throughputSeconds: int("throughput-seconds", values["throughput-seconds"], 1),
    throughputRounds: int("throughput-rounds", values["throughput-rounds"], 1),
    throughputWarmupS: int("throughput-warmup-s", values["throughput-warmup-s"], 0),
    concurrency: values.concurrency.split(",").map((c) => int("concurrency", c.trim(), 1)),
    peer: values.peer,
    peerPrefix: values["peer-prefix"],
  };
}

/** What the gateway side of one operation produced, before the floor runs. */
interface GatewayOutcome {
  readonly op: ReferenceOperation;
  readonly timings: number[];
  readonly statements: number[];
  /** Call index and check of the last timed run (the floor is checked against the same call). */
  readonly last: { call: number; check: OperationCheck } | null;
  readonly error?: string;
}

async function runOnGateway(
  gateway: GatewayProcess,
  op: ReferenceOperation,
  token: string,
  options: Options,
): Promise<GatewayOutcome> {
  const statements: number[] = [];
  let last: GatewayOutcome["last"] = null;
  try {
    const runs = await timeRuns(
      { runs: options.runs, warmup: options.warmup, budgetMs: options.budgetS * 1000, minRuns: 5 },
      async (call) => {
        const res = await gateway.gql(op.document, op.variables(call), { token });
        if (res.errors?.length || !res.data) {
          const e = res.errors?.[0];
          throw new Error(
            `${e?.extensions?.code ?? "ERROR"}: ${e?.message ?? "no data"}${e?.path ? ` at ${e.path.join(".")}` : ""}`,
          );
        }
        if (call >= options.warmup) {
          statements.push(res.extensions?.statements?.count ?? Number.NaN);
          last = { call, check: op.check(res.data) };
        }
        return null;
      },
    );
    return { op, timings: runs.map((r) => r.ms), statements, last };
  } catch (error) {
    return { op, timings: [], statements, last, error: (error as Error).message };
  }
}

async function gatewayPhase(
  db: BenchDatabase,
  cache: boolean,
  run: (gateway: GatewayProcess) => Promise<void>,
): Promise<void> {
  log(`starting the gateway on ${db.path} (result cache ${cache ? "default" : "off"})…`);
  const gateway = await startGateway({
    dbFile: db.path,
    timeoutMs: 300_000,
    env: {
      SEED_IF_EMPTY: "false",
      DEMO_PRESET: "bench",
      SIMULATE: "false",
      EXPOSE_STATEMENTS: "true",
      // The bench measures the engine, not the throttle.
      RATE_LIMIT_POINTS: "100000000",
      ...(cache ? {} : { CACHE_TTL_MS: "0" }),
    },
  });
  try {
    await run(gateway);
  } finally {
    const code = await gateway.stop();
    if (code !== 0) log(`gateway exited with ${code}:\n${gateway.output().slice(-2000)}`);
  }
}

function describeMismatch(gateway: OperationCheck, floor: OperationCheck): string {
  const parts: string[] = [];
  if (gateway.total !== floor.total) parts.push(`total ${gateway.total} vs ${floor.total}`);
  if (gateway.extra !== floor.extra) parts.push(`${gateway.extra} vs ${floor.extra}`);
  if (!isDeepStrictEqual(gateway.keys, floor.keys)) {
    const at = gateway.keys.findIndex((k, i) => k !== floor.keys[i]);
    parts.push(
      `${gateway.keys.length} vs ${floor.keys.length} rows, first difference at #${at}: ` +
        `${gateway.keys[at] ?? "–"} vs ${floor.keys[at] ?? "–"}`,
    );
  }
  return parts.join("; ");
}

async function floorPhase(
  db: BenchDatabase,
  outcomes: readonly GatewayOutcome[],
  options: Options,
): Promise<OperationResult[]> {
  const lakehouse = await DuckDbLakehouse.open({ path: db.path, readOnly: true, connections: 1 });
  const results: OperationResult[] = [];
  try {
    for (const outcome of outcomes) {
      const { op } = outcome;
      // The same number of runs as the gateway managed (its budget may have cut it short).
      const runs = outcome.timings.length || options.runs;
      log(`floor   ${op.id}: ${runs} runs…`);
      const floorRuns = await timeRuns({ runs, warmup: options.warmup }, (call) =>
        runFloor(lakehouse, op.floor(call)),
      );
      let sameRows: boolean | null = null;
      let mismatch: string | undefined;
      if (outcome.last) {
        const floorCheck = op.floorCheck(await runFloor(lakehouse, op.floor(outcome.last.call)));
        sameRows = isDeepStrictEqual(outcome.last.check, floorCheck);
        if (!sameRows) mismatch = describeMismatch(outcome.last.check, floorCheck);
      }
      const alternatives = [];
      for (const alt of op.alternativeFloors ?? []) {
        const altRuns = await timeRuns(
          { runs: Math.min(runs, 5), warmup: 1, budgetMs: options.budgetS * 1000, minRuns: 3 },
          (call) => runFloor(lakehouse, alt.statement(call)),
        );
        alternatives.push({ label: alt.label, latency: summarize(altRuns.map((r) => r.ms)) });
      }
      const counts = outcome.statements.filter((n) => !Number.isNaN(n));
      results.push({
        id: op.id,
        title: op.title,
        phase: op.phase,
        goalStatements: op.goalStatements,
        gateway: outcome.timings.length ? summarize(outcome.timings) : null,
        statements: counts.length ? { min: Math.min(...counts), max: Math.max(...counts) } : null,
        floor: summarize(floorRuns.map((r) => r.ms)),
        sameRows,
        mismatch,
        error: outcome.error,
        note: op.note,
        alternatives,
      });
    }
  } finally {
    await lakehouse.close();
  }
  return results;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const started = new Date();
  const db = await ensureBenchDatabase({ path: options.db, fresh: options.fresh, log });
  const machine = machineInfo(db.duckdbVersion);
  const jwt = loadConfig({ JWT_SECRET: TEST_JWT_SECRET }).jwt;
  const adminId = DEMO_PERSONAS.admin.id;
  const token = await signToken(jwt, adminId, { name: "bench" });

  let discovery: Discovery | null = null;
  let operations: ReferenceOperation[] = [];
  let skipped: SkippedOperation[] = [];
  const outcomes: GatewayOutcome[] = [];
  const selected = (op: ReferenceOperation) => options.latency && (!options.only || options.only.has(op.id));
  const runPhase = async (phase: ReferenceOperation["phase"], gateway: GatewayProcess) => {
    for (const op of operations.filter((o) => o.phase === phase && selected(o))) {
      log(`gateway ${op.id}: ${options.warmup} warm-up + up to ${options.runs} runs…`);
      const outcome = await runOnGateway(gateway, op, token, options);
      if (outcome.error) log(`  error: ${outcome.error}`);
      else {
        const s = summarize(outcome.timings);
        log(`  median ${s.medianMs.toFixed(1)} ms, statements ${[...new Set(outcome.statements)].join("/")}`);
      }
      outcomes.push(outcome);
    }
  };

  await gatewayPhase(db, false, async (gateway) => {
    discovery = await discover(gateway, token);
    ({ operations, skipped } = referenceOperations(discovery, adminId, {
      pageSize: 100,
      dashboardSizes: [10, 100, 1000],
    }));
    for (const s of skipped) log(`skipping ${s.id}: ${s.reason}`);
    await runPhase("uncached", gateway);
  });
  if (operations.some((o) => o.phase === "cached" && selected(o))) {
    await gatewayPhase(db, true, (gateway) => runPhase("cached", gateway));
  }
  const results = await floorPhase(db, outcomes, options);

  let throughput: ThroughputReport | null = null;
  const d0 = discovery as Discovery | null;
  if (options.throughput && d0) {
    log(
      `throughput: ${options.throughputRounds} rounds × ${options.throughputSeconds} s at c=${options.concurrency.join(",")}` +
        `${options.peer ? ", with the PostGraphile peer" : ""}…`,
    );
    throughput = await runThroughputPhase({
      dbPath: db.path,
      token,
      userId: adminId,
      discovery: d0,
      operations,
      only: options.only,
      seconds: options.throughputSeconds,
      rounds: options.throughputRounds,
      warmupS: options.throughputWarmupS,
      concurrency: options.concurrency,
      peer: options.peer,
      peerPrefix: options.peerPrefix,
      log,
    });
  }

  let schemaBuild: SchemaBuildResult | null = null;
  let schemaBuildCold: ColdSchemaBuildResult | null = null;
  if (options.schemaBuild) {
    log(`schema build: 1,000 macros × 50 fields, cold, ${options.schemaColdRuns} fresh processes…`);
    schemaBuildCold = await benchColdSchemaBuild({ processes: options.schemaColdRuns });
    log(`schema build: 1,000 macros × 50 fields, ${options.schemaRuns} builds after a warm-up…`);
    schemaBuild = benchSchemaBuild({ runs: options.schemaRuns });
  }
  let firstStart: FirstStartResult | { error: string } | null = null;
  if (options.firstStart) {
    log("first start: npm start on an empty data folder (demo preset)…");
    try {
      firstStart = await benchFirstStart();
    } catch (error) {
      firstStart = { error: (error as Error).message.split("\n")[0]! };
    }
  }

  const d = discovery as Discovery | null;
  const report: BenchReport = {
    date: started,
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
    machine,
    runs: options.runs,
    warmup: options.warmup,
    budgetS: options.budgetS,
    data: {
      path: db.path,
      experiments: db.experiments,
      samples: db.samples,
      macroRows: db.macroRows,
      annotations: db.annotations,
      seedS: db.seedMs == null ? null : db.seedMs / 1000,
      mainExperiment: d?.main.name ?? "–",
      mainRows: d?.main.photosynthesisSamples ?? 0,
    },
    operations: results,
    skipped,
    schemaBuild,
    schemaBuildCold,
    firstStart,
    throughput,
  };
  writeFileSync(
    "data/bench-results.json",
    JSON.stringify(report, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2),
  );
  if (report.operations.length) console.log(`\n${operationsTable(report)}\n`);
  if (throughput) console.log(`${throughputTable(throughput)}\n`);
  const section = renderReport(report);
  if (options.write) {
    const path = "BENCHMARKS.md";
    let current = "";
    try {
      current = readFileSync(path, "utf8");
    } catch {
      current = "# Benchmarks\n";
    }
    writeFileSync(path, withResults(current, section));
    log(`wrote the results section of ${path}`);
  } else {
    console.log(section);
  }
}

main().catch((error) => {
  console.error("bench failed:", error);
  process.exit(1);
});
