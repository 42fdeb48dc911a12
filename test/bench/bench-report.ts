/**
 * The results as a Markdown section: machine, data, command, one table row per reference operation (gateway and
 * floor latency, their ratio, statements per operation against the goal, whether both returned the same rows),
 * then schema build and first start. `--write` replaces the section between the markers in BENCHMARKS.md and
 * leaves the hand-written text around it alone.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import type { FirstStartResult } from "./first-start-bench.js";
import type { LatencySummary } from "./latency-stats.js";
import type { ColdSchemaBuildResult, SchemaBuildResult } from "./schema-build-bench.js";
import {
  BARE_YOGA,
  THROUGHPUT_CACHED,
  THROUGHPUT_UNCACHED,
  type ThroughputReport,
  type ThroughputSample,
  type ThroughputSide,
} from "./throughput-phase.js";

export const RESULTS_START = "<!-- bench:results:start -->";
export const RESULTS_END = "<!-- bench:results:end -->";

export interface MachineInfo {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly duckdb: string;
  readonly duckdbNodeApi: string;
  readonly loadAverage: readonly number[];
}

export function machineInfo(duckdbVersion: string): MachineInfo {
  let cpuModel = cpus()[0]?.model ?? "unknown";
  try {
    cpuModel = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: keep os.cpus()
  }
  let duckdbNodeApi = "unknown";
  try {
    duckdbNodeApi = JSON.parse(readFileSync("node_modules/@duckdb/node-api/package.json", "utf8")).version;
  } catch {
    // keep unknown
  }
  return {
    nproc: cpus().length,
    cpuModel,
    memoryGiB: totalmem() / 2 ** 30,
    os: `${process.platform} ${release()}`,
    node: process.version,
    duckdb: duckdbVersion,
    duckdbNodeApi,
    loadAverage: loadavg(),
  };
}

export interface OperationResult {
  readonly id: string;
  readonly title: string;
  readonly phase: "uncached" | "cached";
  readonly goalStatements: number | null;
  readonly gateway: LatencySummary | null;
  /** Statements per operation over the timed runs (min and max; equal when stable). */
  readonly statements: { readonly min: number; readonly max: number } | null;
  readonly floor: LatencySummary | null;
  readonly sameRows: boolean | null;
  readonly mismatch?: string;
  readonly error?: string;
  readonly note?: string;
  readonly alternatives?: readonly { label: string; latency: LatencySummary }[];
}

export interface BenchReport {
  readonly date: Date;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly runs: number;
  readonly warmup: number;
  readonly budgetS: number;
  readonly data: {
    readonly path: string;
    readonly experiments: number;
    readonly samples: number;
    readonly macroRows: number;
    readonly annotations: number;
    readonly seedS: number | null;
    readonly mainExperiment: string;
    readonly mainRows: number;
  };
  readonly operations: readonly OperationResult[];
  readonly skipped: readonly { id: string; title: string; reason: string }[];
  readonly schemaBuild: SchemaBuildResult | null;
  readonly schemaBuildCold?: ColdSchemaBuildResult | null;
  readonly firstStart: FirstStartResult | { error: string } | null;
  /** The throughput phase (`throughput-phase.ts`), unless skipped. */
  readonly throughput?: ThroughputReport | null;
}

const ms = (v: number | undefined | null) =>
  v == null || Number.isNaN(v)
    ? "–"
    : v >= 1000
      ? `${(v / 1000).toFixed(2)} s`
      : `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const num = (v: number) => v.toLocaleString("en");

export function ratio(op: OperationResult): number | null {
  if (!op.gateway || !op.floor || op.floor.medianMs <= 0) return null;
  return op.gateway.medianMs / op.floor.medianMs;
}

function statementsCell(op: OperationResult): string {
  if (!op.statements) return "–";
  const { min, max } = op.statements;
  const count = min === max ? `${min}` : `${min}–${max}`;
  if (op.goalStatements == null) return count;
  return `${count} (goal ≤ ${op.goalStatements}) ${max <= op.goalStatements ? "✓" : "✗"}`;
}

export function operationsTable(report: BenchReport): string {
  const lines = [
    "| operation | gateway median | gateway p95 | floor median | floor p95 | gateway / floor | statements per operation | same rows | runs |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |",
  ];
  for (const op of report.operations) {
    const r = ratio(op);
    lines.push(
      `| ${op.title.replaceAll("|", "\\|")} | ${op.error ? "error" : ms(op.gateway?.medianMs)} | ${ms(op.gateway?.p95Ms)} | ${ms(
        op.floor?.medianMs,
      )} | ${ms(op.floor?.p95Ms)} | ${r == null ? "–" : `**${r.toFixed(1)}×**`} | ${statementsCell(op)} | ${
        op.sameRows == null ? "–" : op.sameRows ? "yes" : "**no**"
      } | ${op.gateway?.runs ?? 0} |`,
    );
  }
  return lines.join("\n");
}

/** One row of the throughput table: the gateway against a baseline at one concurrency, over the rounds. */
export interface ThroughputComparison {
  readonly operation: string;
  readonly title: string;
  readonly connections: number;
  readonly gatewaySide: ThroughputSide;
  readonly baselineSide: ThroughputSide;
  readonly baselineOperation: string;
  readonly gateway: ThroughputSummary | null;
  readonly baseline: ThroughputSummary | null;
  /** Mean gateway req/s over mean baseline req/s. */
  readonly ratio: number | null;
  /** Gateway / baseline req/s of each round (rounds where both sides ran). */
  readonly perRound: readonly number[];
  /** The issue's bar at c=50, if there is one for this row. */
  readonly goal: { readonly label: string; readonly met: boolean } | null;
}

export interface ThroughputSummary {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rounds: number;
  readonly errors: number;
  /** Loads that never reached their steady window (counted over the whole run). */
  readonly unsteady: number;
}

const BASELINES: Record<ThroughputSide, string> = {
  gateway: "gateway",
  "gateway-cached": "gateway",
  floor: "floor (same statement, node:http + JSON)",
  peer: "PostGraphile + PostgreSQL",
  "bare-yoga": "bare Yoga `{ hello }`",
};

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function summarizeSamples(samples: readonly ThroughputSample[]): ThroughputSummary | null {
  if (!samples.length) return null;
  return {
    rps: mean(samples.map((s) => s.rps)),
    p50Ms: mean(samples.map((s) => s.p50Ms)),
    p99Ms: mean(samples.map((s) => s.p99Ms)),
    rounds: samples.length,
    errors: samples.reduce((a, s) => a + s.errors, 0),
    unsteady: samples.filter((s) => s.steady === false).length,
  };
}

export function throughputComparisons(t: ThroughputReport): ThroughputComparison[] {
  const pick = (side: ThroughputSide, operation: string, connections: number) =>
    t.samples.filter((s) => s.side === side && s.operation === operation && s.connections === connections);
  const row = (
    operation: string,
    connections: number,
    gatewaySide: ThroughputSide,
    baselineSide: ThroughputSide,
    baselineOperation: string,
    goal: (g: ThroughputSummary, ratio: number) => ThroughputComparison["goal"],
  ): ThroughputComparison | null => {
    const g = pick(gatewaySide, operation, connections);
    const b = pick(baselineSide, baselineOperation, connections);
    if (!g.length && !b.length) return null;
    const gateway = summarizeSamples(g);
    const baseline = summarizeSamples(b);
    const ratio = gateway && baseline && baseline.rps > 0 ? gateway.rps / baseline.rps : null;
    const perRound = g.flatMap((s) => {
      const other = b.find((x) => x.round === s.round);
      return other && other.rps > 0 ? [s.rps / other.rps] : [];
    });
    return {
      operation,
      title: t.titles[operation] ?? operation,
      connections,
      gatewaySide,
      baselineSide,
      baselineOperation,
      gateway,
      baseline,
      ratio,
      perRound,
      goal: connections === 50 && gateway && ratio != null ? goal(gateway, ratio) : null,
    };
  };
  const rows: (ThroughputComparison | null)[] = [];
  for (const op of THROUGHPUT_UNCACHED) {
    for (const c of t.concurrency) {
      rows.push(row(op, c, "gateway", "floor", op, (_g, r) => ({ label: "≥ 0.8", met: r >= 0.8 })));
    }
  }
  for (const c of t.concurrency) {
    rows.push(
      row("macro-page", c, "gateway", "peer", "macro-page", (_g, r) => ({ label: "> 1", met: r > 1 })),
    );
  }
  const top = t.concurrency.at(-1) ?? 50;
  for (const op of THROUGHPUT_CACHED) {
    rows.push(
      row(op, top, "gateway-cached", "bare-yoga", BARE_YOGA, (g, r) =>
        op.startsWith("dashboard")
          ? { label: "≥ 0.8, p99 < 50 ms", met: r >= 0.8 && g.p99Ms < 50 }
          : { label: "≥ 0.8", met: r >= 0.8 },
      ),
    );
  }
  // A peer or bare Yoga that did not run has no row; a floor that failed shows as "–" beside the gateway.
  return rows.filter(
    (r): r is ThroughputComparison =>
      r !== null && (r.baseline !== null || (r.baselineSide === "floor" && r.gateway !== null)),
  );
}

const rps = (v: number | undefined) =>
  v == null || Number.isNaN(v) ? "–" : v >= 100 ? num(Math.round(v)) : v.toFixed(1);

export function throughputTable(t: ThroughputReport): string {
  const lines = [
    "| operation | c | gateway req/s | gateway p50 | gateway p99 | against | req/s | p50 | p99 | gateway / against | per round | goal at c=50 |",
    "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | --- |",
  ];
  for (const r of throughputComparisons(t)) {
    const errors = (r.gateway?.errors ?? 0) + (r.baseline?.errors ?? 0);
    const unsteady = (r.gateway?.unsteady ?? 0) + (r.baseline?.unsteady ?? 0);
    lines.push(
      `| ${r.title.replaceAll("|", "\\|")} | ${r.connections} | ${rps(r.gateway?.rps)} | ${ms(r.gateway?.p50Ms)} | ${ms(
        r.gateway?.p99Ms,
      )} | ${BASELINES[r.baselineSide]} | ${rps(r.baseline?.rps)} | ${ms(r.baseline?.p50Ms)} | ${ms(r.baseline?.p99Ms)} | ${
        r.ratio == null ? "–" : `**${r.ratio.toFixed(2)}**`
      } | ${r.perRound.map((x) => x.toFixed(2)).join(" ") || "–"}${errors ? ` (${errors} errors)` : ""}${
        unsteady ? ` (${unsteady} loads never steady)` : ""
      } | ${r.goal ? `${r.goal.label} ${r.goal.met ? "✓" : "✗"}` : ""} |`,
    );
  }
  return lines.join("\n");
}

function throughputSection(t: ThroughputReport): string[] {
  const load = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(" / ");
  const out = [
    `**Throughput** (autocannon from the bench process, ${t.rounds} interleaved round${t.rounds === 1 ? "" : "s"}; ` +
      `per round each server once, one process at a time, in this order: the gateway with the result and ` +
      "response caches off (CACHE_TTL_MS=0, RESPONSE_CACHE=false), the floor (`test/bench/floor-server.ts`: the " +
      "same statements through the same driver and pool size behind a bare `node:http` server returning the rows " +
      "as JSON, the file read-only)" +
      (t.peer && !("error" in t.peer) ? ", PostGraphile" : "") +
      ", the gateway with its default caches, bare Yoga; all NODE_ENV=production; " +
      `one load per c = ${t.concurrency.join(", ")} (repeated answers at c=${t.concurrency.at(-1)} only), measured ` +
      `over a window that opens once ${t.warmupS} s passed and every connection got an answer, and lasts at ` +
      `least ${t.seconds} s and one answer per connection; ` +
      `*p50*/*p99*: latency of the answers in the window. Load average ${load(t.loadAverage.start)} at the ` +
      `start of the phase, ${load(t.loadAverage.end)} at its end; the load generator shares the cores with the ` +
      "servers, so compare ratios, not req/s):",
    "",
    throughputTable(t),
    "",
  ];
  const peer = t.peer;
  if (peer && "error" in peer) out.push(`- *PostGraphile peer*: not run — ${peer.error}.`);
  else if (peer) {
    out.push(
      `- *PostGraphile peer*: PostGraphile ${peer.postgraphile} (amber preset) on PostgreSQL ${peer.postgres}, ` +
        `${num(peer.rows)} photosynthesis rows of the bench file loaded as JSONB, indexed on (experiment_id, ` +
        "timestamp DESC, id DESC), the typed fields as computed columns (SQL functions); the page " +
        "`allPhotosynthesisRows(condition: { experimentId }, orderBy: [TIMESTAMP_DESC, PRIMARY_KEY_DESC], first: " +
        "100)` — without the gateway's experiment lookup and access rule (see `test/bench/postgraphile-peer.ts`). " +
        `Set up in ${peer.setupS.toFixed(0)} s.`,
    );
  }
  const differ = t.checks.filter((c) => !c.sameRows);
  const compared = t.checks.length;
  if (compared) {
    out.push(
      differ.length
        ? `- *Same rows*: **${differ.length} of ${compared} answers differ** from the gateway's: ${differ
            .map((c) => `${c.side} ${c.operation} (round ${c.round}): ${c.mismatch}`)
            .join("; ")}.`
        : `- *Same rows*: each side's answer before its load matched the gateway's (${compared} checks: row ids in ` +
            "order, totals, relation counts).",
    );
  }
  for (const e of t.errors) out.push(`- *Error*: ${e}.`);
  out.push("");
  return out;
}

export function renderReport(report: BenchReport): string {
  const m = report.machine;
  const d = report.data;
  const out: string[] = [
    `### Run of ${report.date.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `- **Machine:** ${m.nproc} × ${m.cpuModel} (nproc ${m.nproc}), ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.os}; ` +
      `Node ${m.node}; DuckDB ${m.duckdb} (@duckdb/node-api ${m.duckdbNodeApi}). Load average at start ` +
      `${m.loadAverage.map((l) => l.toFixed(2)).join(" / ")} — the cores are shared with other engineers' processes, ` +
      "so absolute times are noisy; compare ratios.",
    `- **Command:** \`${report.command}\`` +
      (report.operations.length
        ? ` — latency: ${report.warmup} warm-up + up to ${report.runs} timed runs per operation ` +
          `(fewer when the runs of one operation exceed ${report.budgetS} s; see *runs*), one at a time.`
        : "."),
    `- **Data:** \`bench\` preset in \`${d.path}\`: ${num(d.experiments)} experiments, ${num(d.samples)} samples, ` +
      `${num(d.macroRows)} macro rows, ${num(d.annotations)} annotations` +
      (d.seedS == null ? " (cached file)" : `, seeded in ${d.seedS.toFixed(0)} s`) +
      `. Operations read the largest public experiment with photosynthesis data ("${d.mainExperiment}", ` +
      `${num(d.mainRows)} photosynthesis rows) as the admin demo user.`,
    "- **Gateway:** the real server process (`gateway/cli/start.ts`, SIMULATE=false, EXPOSE_STATEMENTS=true), " +
      "timed over HTTP from the client (request → parsed JSON). Unless marked *repeated*, the server runs with " +
      "the result cache off (CACHE_TTL_MS=0), so every run pays its statements.",
    "- **Floor:** one hand-written DuckDB statement returning the same rows (see `test/bench/floor-statements.ts`), " +
      "run in-process on the same file opened read-only, through the same driver, rows materialized. " +
      "*Same rows* compares row ids (in order), totals and relation counts of both answers.",
    "",
    ...(report.operations.length ? [operationsTable(report), ""] : ["(latency phase skipped)", ""]),
  ];
  for (const op of report.operations) {
    const notes: string[] = [];
    if (op.error) notes.push(`gateway error: ${op.error}`);
    if (op.mismatch) notes.push(`rows differ: ${op.mismatch}`);
    if (op.note) notes.push(op.note);
    for (const alt of op.alternatives ?? []) {
      notes.push(
        `floor written as ${alt.label}: median ${ms(alt.latency.medianMs)}, p95 ${ms(alt.latency.p95Ms)}`,
      );
    }
    if (notes.length) out.push(`- *${op.title}*: ${notes.join("; ")}.`);
  }
  for (const s of report.skipped) out.push(`- *${s.title}*: skipped — ${s.reason}.`);
  out.push("");
  if (report.throughput) out.push(...throughputSection(report.throughput));

  const sb = report.schemaBuild;
  if (sb) {
    out.push(
      `**Schema build** (in-process \`GatewaySchemaBuilder.build\`, generated catalog of ${num(sb.macros)} macros × ` +
        `${sb.fieldsPerMacro} fields, ${num(sb.catalogEntries)} catalog entries → ${num(sb.types)} GraphQL types, ` +
        `${sb.warnings} warnings): median ${ms(sb.latency.medianMs)}, p95 ${ms(sb.latency.p95Ms)} ` +
        `over ${sb.latency.runs} builds after one warm-up build (warm: the builder reuses every unchanged macro's ` +
        "types, so this is what a catalog change that touches no macro costs).",
      "",
    );
  }
  const cold = report.schemaBuildCold;
  if (cold) {
    out.push(
      `**Cold schema build** (the same catalog, each build the first in a fresh \`node --import tsx\` process; ` +
        "timed: the builder's static schema and its first `build` with validation; not timed: module loading and " +
        `generating the catalog): median ${ms(cold.total.medianMs)}, max ${ms(cold.total.maxMs)} over ` +
        `${cold.processes} processes (goal < 1 s ${cold.total.medianMs < 1000 ? "✓" : "✗"}); the static schema alone ` +
        `median ${ms(cold.static.medianMs)}.`,
      "",
    );
  }
  const fs = report.firstStart;
  if (fs && "error" in fs)
    out.push(`**First start** (\`npm start\`, empty data folder, \`demo\` preset): failed — ${fs.error}`, "");
  else if (fs) {
    out.push(
      `**First start** (\`npm start\`, empty data folder, default \`demo\` preset, simulation on): ` +
        `${(fs.listeningMs / 1000).toFixed(1)} s from spawning \`npm start\` to the \`listening\` line ` +
        `(goal < 15 s ${fs.listeningMs < 15_000 ? "✓" : "✗"}); the server reports seeding ${
          fs.seededS == null ? "–" : `${fs.seededS} s`
        } and ready in ${fs.readyS == null ? "–" : `${fs.readyS} s`}.`,
      "",
    );
  }
  return out.join("\n");
}

/** Replaces the results section of BENCHMARKS.md (or appends it when the markers are missing). */
export function withResults(markdown: string, section: string): string {
  const block = `${RESULTS_START}\n${section.trimEnd()}\n${RESULTS_END}`;
  const start = markdown.indexOf(RESULTS_START);
  const end = markdown.indexOf(RESULTS_END);
  if (start === -1 || end === -1 || end < start) return `${markdown.trimEnd()}\n\n${block}\n`;
  return markdown.slice(0, start) + block + markdown.slice(end + RESULTS_END.length);
}
