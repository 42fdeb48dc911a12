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
    `- **Command:** \`${report.command}\` — ${report.warmup} warm-up + up to ${report.runs} timed runs per operation ` +
      `(fewer when the runs of one operation exceed ${report.budgetS} s; see *runs*), one at a time.`,
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
    operationsTable(report),
    "",
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
