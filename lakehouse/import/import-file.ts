/**
 * Imports an NDJSON or Parquet file of macro rows or raw samples into the embedded lakehouse.
 *
 * All or nothing: every row is validated first (problems are reported with line/row number and field); then the
 * rows are loaded, rows with the same key replaced (re-importing a file is idempotent), and the derived tables
 * refreshed for the touched experiments — in one transaction. Rows for an experiment that does not exist are
 * refused unless `createExperiments` is set (it then creates them private and active).
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { type MaintenanceResult, runMaintenanceOn } from "../duckdb/centrum-maintenance.js";
import type { DuckDbLakehouse } from "../duckdb/duckdb-lakehouse.js";
import type { Row } from "../lakehouse.js";
import { ident, join, param, type Sql, sql, table } from "../sql.js";
import { CentrumLoader } from "./centrum-loader.js";
import {
  detectKind,
  IMPORT_COLUMNS,
  type ImportKind,
  isDerivedColumn,
  type RowProblem,
  RowValidator,
} from "./validate-rows.js";

export type ImportFormat = "ndjson" | "parquet";

export interface ImportOptions {
  /** Rows without `experiment_id` go to this experiment; rows naming another one are errors. */
  readonly experimentId?: string;
  /** Create experiments that do not exist (private, active, named after their id). */
  readonly createExperiments?: boolean;
  /** Default: `.parquet`/`.pq` or the Parquet magic bytes → parquet, otherwise NDJSON. */
  readonly format?: ImportFormat;
  /**
   * Runs after validation, before anything is written (and before unknown experiments are reported), with the
   * experiments the rows name, those the import would create, and a read on the import's own connection:
   * throwing refuses the import (nothing written). A gateway checks who may import here.
   */
  readonly beforeWrite?: (
    experimentIds: readonly string[],
    created: readonly string[],
    read: (statement: Sql) => Promise<Row[]>,
  ) => Promise<void>;
}

export interface ImportResult {
  readonly kind: ImportKind;
  readonly format: ImportFormat;
  readonly rows: number;
  /** Rows that replaced an existing row with the same key. */
  readonly replaced: number;
  readonly experimentIds: readonly string[];
  readonly createdExperiments: readonly string[];
  /** Fields present in the file that the import does not store. */
  readonly ignoredFields: readonly string[];
  readonly maintenance: MaintenanceResult;
  readonly ms: number;
}

export class ImportValidationError extends Error {
  constructor(readonly problems: readonly RowProblem[]) {
    const rows = new Set(problems.map((p) => p.line)).size;
    super(`${problems.length} problem(s) in ${rows} row(s); nothing was imported`);
  }
}

export class UnknownExperimentError extends Error {
  constructor(readonly experimentIds: readonly string[]) {
    super(
      `experiment(s) ${experimentIds.join(", ")} do not exist; create them first, or pass --create-experiment ` +
        "to create them (private, active). Nothing was imported.",
    );
  }
}

export async function detectFormat(path: string): Promise<ImportFormat> {
  if (/\.(parquet|pq)$/i.test(path)) return "parquet";
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(4);
    await handle.read(buffer, 0, 4, 0);
    return buffer.toString("latin1") === "PAR1" ? "parquet" : "ndjson";
  } finally {
    await handle.close();
  }
}

async function validateNdjson(path: string, validator: RowValidator): Promise<void> {
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    validator.addLine(line === 1 ? text.replace(/^\uFEFF/, "") : text, line);
  }
}

/** Renders each Parquet row as JSON in DuckDB (VARIANT columns as JSON), then validates it like an NDJSON line. */
async function validateParquet(
  lakehouse: DuckDbLakehouse,
  path: string,
  validator: RowValidator,
): Promise<void> {
  const columns = await lakehouse.query<{ column_name: string; column_type: string }>(
    sql`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${path}))`,
  );
  const types = new Map(columns.map((c) => [c.column_name, c.column_type]));
  const kind = detectKind(new Map(columns.map((c) => [c.column_name, ""])));
  if (!kind) {
    validator.addFields(new Map(), 1);
    return;
  }
  const selected: Sql[] = IMPORT_COLUMNS[kind]
    .filter((name) => types.has(name))
    .map((name) =>
      types.get(name) === "VARIANT" ? sql`CAST(${ident(name)} AS JSON) AS ${ident(name)}` : ident(name),
    );
  for (const name of types.keys())
    if (!IMPORT_COLUMNS[kind].includes(name) && !isDerivedColumn(name)) validator.ignoredFields.add(name);
  // Single-file scans keep the file's row order (DuckDB preserves insertion order), so row numbers match.
  const rows = await lakehouse.query<{ line: string }>(
    sql`SELECT CAST(to_json(t) AS VARCHAR) AS line FROM (SELECT ${join(selected)} FROM read_parquet(${path})) t`,
  );
  rows.forEach((r, i) => {
    validator.addLine(r.line, i + 1);
  });
}

export async function importFile(
  lakehouse: DuckDbLakehouse,
  path: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const started = performance.now();
  const format = options.format ?? (await detectFormat(path));
  const validator = new RowValidator({ experimentId: options.experimentId });
  if (format === "parquet") await validateParquet(lakehouse, path, validator);
  else await validateNdjson(path, validator);
  if (validator.problems.length > 0) throw new ImportValidationError(validator.problems);
  if (validator.rowCount === 0 || !validator.kind) {
    throw new ImportValidationError([{ line: 1, message: "the file has no rows" }]);
  }
  const kind = validator.kind;
  const experimentIds = [...validator.experimentIds].sort();

  // Stamped at commit like every ingest: imported rows get the import's processed time, so subscribers resuming
  // by cursor see them as new (the file's own processed_timestamp is not kept).
  return lakehouse.ingest(async (connection, stamp) => {
    const processedMicros = BigInt(stamp.getTime()) * 1000n;
    const { rows: found } = await lakehouse.runOn(
      connection,
      sql`SELECT experiment_id FROM ${table("experiments")}
WHERE experiment_id IN (${join(experimentIds.map((id) => sql`${id}`))})`,
      "read",
    );
    const existing = new Set(found.map((r) => String(r.experiment_id)));
    const missing = experimentIds.filter((id) => !existing.has(id));
    await options.beforeWrite?.(
      experimentIds,
      missing,
      async (statement) => (await lakehouse.runOn(connection, statement, "read")).rows,
    );
    if (missing.length > 0 && !options.createExperiments) throw new UnknownExperimentError(missing);
    if (missing.length > 0) {
      const now = param(new Date(), "timestamp");
      await lakehouse.runOn(
        connection,
        sql`INSERT INTO ${table("experiments")}
  (experiment_id, name, description, visibility, status, anonymize_contributors, created_at)
VALUES ${join(missing.map((id) => sql`(${id}, ${id}, 'Created by import', 'private', 'active', false, ${now})`))}`,
      );
    }

    const loader = await CentrumLoader.open(connection, lakehouse);
    for (const row of validator.samples) loader.addSample({ ...row, processedMicros });
    for (const row of validator.macroRows) loader.addMacroRow({ ...row, processedMicros });
    const flushed = await loader.flush({ replaceExisting: true });
    await loader.close();
    const maintenance = await runMaintenanceOn(connection, lakehouse, { experimentIds });
    return {
      kind,
      format,
      rows: flushed.samples + flushed.macroRows,
      replaced: flushed.replaced,
      experimentIds,
      createdExperiments: missing,
      ignoredFields: [...validator.ignoredFields].sort(),
      maintenance,
      ms: performance.now() - started,
    };
  });
}
