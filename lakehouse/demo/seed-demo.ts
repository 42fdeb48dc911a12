/**
 * Fills an embedded lakehouse with deterministic demo data: same preset + seed + anchor → the same rows, ids
 * included. Everything (users, experiments, members, samples, macro rows, annotations and the derived tables)
 * is written in ONE transaction: a failed seed leaves the lakehouse as it was.
 *
 * Presets: `ci` (4 experiments, 300 samples, for tests), `demo` (12 experiments, ~29k samples over 90 days, the
 * default), `bench` (24 experiments, ≥ 1,000,000 macro rows; loaded in slices of ~250k macro rows).
 */
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import { CENTRUM_TABLES } from "../dialect.js";
import { CENTRUM_SCHEMA } from "../duckdb/centrum-ddl.js";
import { type MaintenanceResult, runMaintenanceOn } from "../duckdb/centrum-maintenance.js";
import type { DuckDbLakehouse } from "../duckdb/duckdb-lakehouse.js";
import {
  appendRows,
  CentrumLoader,
  type MacroDataRow,
  type RawSampleRow,
  timestampValue,
} from "../import/centrum-loader.js";
import { ident, sql, table } from "../sql.js";
import { type DemoPlan, type DemoPreset, demoPlan } from "./demo-plan.js";
import { fullName } from "./demo-users.js";
import { type DemoAnnotation, generateExperiment, type SampleSink } from "./sample-generator.js";

export interface SeedProgress {
  readonly phase: "generate" | "load" | "maintenance" | "done";
  readonly samples: number;
  readonly macroRows: number;
  /** Planned samples in total (for a percentage). */
  readonly totalSamples: number;
}

export interface SeedOptions {
  readonly preset: DemoPreset;
  readonly seed: number;
  /**
   * The "now" of the demo data: measurements run up to it (default: the current time rounded down to the
   * hour). Pass a fixed date for byte-identical data across runs.
   */
  readonly anchor?: Date;
  /** Delete existing centrum data first (otherwise a non-empty lakehouse is refused). */
  readonly replace?: boolean;
  readonly onProgress?: (progress: SeedProgress) => void;
}

export interface SeedSummary {
  readonly preset: DemoPreset;
  readonly seed: number;
  readonly anchor: string;
  readonly experiments: number;
  readonly users: number;
  readonly members: number;
  readonly samples: number;
  readonly macroRows: number;
  readonly annotations: number;
  readonly maintenance: MaintenanceResult;
  readonly ms: number;
}

export class LakehouseNotEmptyError extends Error {
  constructor() {
    super("The lakehouse already has experiments; seed with `replace` (CLI: --force) to replace them.");
  }
}

/** Macro rows staged before a bulk INSERT (the bench preset loads in slices to bound memory). */
const SLICE_MACRO_ROWS = 250_000;

function defaultAnchor(): Date {
  const now = Date.now();
  return new Date(now - (now % 3_600_000));
}

const ms = (epochMs: number): DuckDBValue => timestampValue(BigInt(epochMs) * 1000n);

export async function seedDemo(lakehouse: DuckDbLakehouse, options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const anchor = options.anchor ?? defaultAnchor();
  const anchorMs = anchor.getTime();
  const plan = demoPlan(options.preset, options.seed);
  const totalSamples = plan.experiments.reduce((a, e) => a + e.samples, 0);
  const progress = options.onProgress ?? (() => undefined);

  return lakehouse.transaction(async (connection) => {
    if (options.replace) await clearCentrum(connection, lakehouse);
    else {
      const {
        rows: [row],
      } = await lakehouse.runOn(connection, sql`SELECT count(*) AS n FROM ${table("experiments")}`, "read");
      if (Number(row?.n ?? 0) > 0) throw new LakehouseNotEmptyError();
    }

    const members = await appendPlanTables(connection, plan, anchorMs);
    const userNames = new Map(plan.users.map((u) => [u.id, fullName(u)]));
    const usedIds = new Set<bigint>();
    const annotations: DemoAnnotation[] = [];
    const loader = await CentrumLoader.open(connection, lakehouse);
    let samples = 0;
    let macroRows = 0;
    const report = (phase: SeedProgress["phase"]) =>
      progress({
        phase,
        samples: samples + loader.pendingSamples,
        macroRows: macroRows + loader.pendingMacroRows,
        totalSamples,
      });
    const flush = async () => {
      report("load");
      const r = await loader.flush();
      samples += r.samples;
      macroRows += r.macroRows;
    };
    let lastReport = 0;
    const sink: SampleSink = {
      addSample: (row: RawSampleRow) => {
        loader.addSample(row);
        if (loader.pendingSamples - lastReport >= 5000) {
          lastReport = loader.pendingSamples;
          report("generate");
        }
      },
      addMacroRow: (row: MacroDataRow) => loader.addMacroRow(row),
      addAnnotation: (a) => annotations.push(a),
    };
    report("generate");
    for (const experiment of plan.experiments) {
      generateExperiment({ experiment, userNames, usedIds }, options.seed, anchorMs, sink);
      if (loader.pendingMacroRows >= SLICE_MACRO_ROWS) {
        await flush();
        lastReport = 0;
      }
    }
    await flush();
    await loader.close();
    await appendRows(
      connection,
      "experiment_annotations",
      annotations.map((a) => [
        a.experimentId,
        a.annotationId,
        a.tableName,
        a.rowId.toString(),
        a.type,
        a.contentText,
        a.flagType,
        a.createdBy,
        a.createdByName,
        ms(a.createdAtMs),
        ms(a.updatedAtMs),
      ]),
    );

    report("maintenance");
    const maintenance = await runMaintenanceOn(connection, lakehouse);
    report("done");
    return {
      preset: plan.preset,
      seed: plan.seed,
      anchor: anchor.toISOString(),
      experiments: plan.experiments.length,
      users: plan.users.length,
      members,
      samples,
      macroRows,
      annotations: annotations.length,
      maintenance,
      ms: performance.now() - started,
    };
  });
}

async function appendPlanTables(
  connection: DuckDBConnection,
  plan: DemoPlan,
  anchorMs: number,
): Promise<number> {
  const day = 86_400_000;
  await appendRows(
    connection,
    "users",
    plan.users.map((u) => [u.id, u.firstName, u.lastName, u.email, u.organization]),
  );
  await appendRows(
    connection,
    "experiments",
    plan.experiments.map((e) => [
      e.id,
      e.name,
      e.description,
      e.visibility,
      e.status,
      e.anonymizeContributors,
      ms(anchorMs - e.createdDaysAgo * day),
    ]),
  );
  return appendRows(
    connection,
    "experiment_members",
    plan.experiments.flatMap((e) => e.members.map((m) => [e.id, m.userId, m.role])),
  );
}

/** Deletes every row of every centrum table (and the local users), inside the caller's transaction. */
async function clearCentrum(connection: DuckDBConnection, lakehouse: DuckDbLakehouse): Promise<void> {
  for (const name of CENTRUM_TABLES) {
    if (name.startsWith("enriched_") || name === "experiment_table_metadata") continue;
    await lakehouse.runOn(connection, sql`DELETE FROM ${table(name)}`);
  }
  await lakehouse.runOn(connection, sql`DELETE FROM ${ident(CENTRUM_SCHEMA, "users")}`);
}
