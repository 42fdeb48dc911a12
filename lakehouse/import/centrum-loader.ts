/**
 * Bulk loading of samples and macro rows into the embedded lakehouse.
 *
 * Rows go through the DuckDB appender (in data chunks) into connection-local staging tables of plain columns —
 * JSON as text, timestamps as epoch microseconds — and then into the centrum tables with ONE
 * `INSERT … SELECT` per table that casts `macro_output` text to JSON and then to VARIANT. Appending VARIANT
 * values directly is about ten times slower, and a staging table keeps every value out of SQL text.
 *
 * Use it on a connection held inside `lakehouse.transaction(...)` so a load commits or rolls back as a whole.
 */
import {
  BIGINT,
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBTimestampValue,
  type DuckDBValue,
  VARCHAR,
} from "@duckdb/node-api";
import { CENTRUM_SCHEMA } from "../duckdb/centrum-ddl.js";
import type { DuckDbLakehouse } from "../duckdb/duckdb-lakehouse.js";
import { type Sql, sql, table } from "../sql.js";

/** A sample (`experiment_raw_data` row). JSON-typed columns are JSON text. */
export interface RawSampleRow {
  readonly experimentId: string;
  readonly id: bigint;
  readonly deviceId: string | null;
  readonly deviceName: string | null;
  readonly timestampMicros: bigint;
  /** The sample as JSON text. */
  readonly sample: string | null;
  /** JSON array of strings. */
  readonly measurementSetsJson: string | null;
  /** JSON array of `{question_label, question_text, question_answer}`. */
  readonly questionsJson: string | null;
  /** JSON array of `{id, name, filename}`. */
  readonly macrosJson: string | null;
  readonly userId: string | null;
  readonly processedMicros: bigint | null;
}

/** A macro row (`experiment_macro_data`); its key is (experimentId, macroFilename, id). */
export interface MacroDataRow {
  readonly experimentId: string;
  readonly macroId: string;
  readonly macroName: string;
  readonly macroFilename: string;
  readonly id: bigint;
  readonly deviceId: string | null;
  readonly deviceName: string | null;
  readonly timestampMicros: bigint;
  readonly userId: string | null;
  readonly questionsJson: string | null;
  /** The output object as JSON text; NULL for a failed run. */
  readonly outputJson: string | null;
  readonly error: string | null;
  readonly processedMicros: bigint | null;
}

export interface FlushResult {
  readonly samples: number;
  readonly macroRows: number;
  /** Existing rows with the same key that were replaced (only with `replaceExisting`). */
  readonly replaced: number;
}

const CHUNK_ROWS = 2048;

const STAGING_DDL = `
CREATE OR REPLACE TEMP TABLE centrum_stage_raw (
  experiment_id VARCHAR, id BIGINT, device_id VARCHAR, device_name VARCHAR, ts BIGINT, sample VARCHAR,
  measurement_sets VARCHAR, questions VARCHAR, macros VARCHAR, user_id VARCHAR, processed BIGINT
);
CREATE OR REPLACE TEMP TABLE centrum_stage_macro (
  experiment_id VARCHAR, macro_id VARCHAR, macro_name VARCHAR, macro_filename VARCHAR, id BIGINT,
  device_id VARCHAR, device_name VARCHAR, ts BIGINT, user_id VARCHAR, questions VARCHAR, macro_output VARCHAR,
  macro_error VARCHAR, processed BIGINT
);`;

const RAW_TYPES = [
  VARCHAR,
  BIGINT,
  VARCHAR,
  VARCHAR,
  BIGINT,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  BIGINT,
];
const MACRO_TYPES = [
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  BIGINT,
  VARCHAR,
  VARCHAR,
  BIGINT,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  BIGINT,
];

/** Column-wise buffer of one staging table, appended as a data chunk when full. */
class ChunkBuffer {
  #columns: DuckDBValue[][];
  constructor(private readonly types: typeof RAW_TYPES) {
    this.#columns = types.map(() => []);
  }
  get length(): number {
    return this.#columns[0]?.length ?? 0;
  }
  push(values: readonly DuckDBValue[]): void {
    values.forEach((v, i) => {
      this.#columns[i]!.push(v);
    });
  }
  appendTo(appender: DuckDBAppender): void {
    if (this.length === 0) return;
    const chunk = DuckDBDataChunk.create(this.types, this.length);
    chunk.setColumns(this.#columns);
    appender.appendDataChunk(chunk);
    this.#columns = this.types.map(() => []);
  }
}

export class CentrumLoader {
  #raw: DuckDBAppender;
  #macro: DuckDBAppender;
  readonly #rawBuffer = new ChunkBuffer(RAW_TYPES);
  readonly #macroBuffer = new ChunkBuffer(MACRO_TYPES);
  #pendingSamples = 0;
  #pendingMacroRows = 0;

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly lakehouse: DuckDbLakehouse,
    raw: DuckDBAppender,
    macro: DuckDBAppender,
  ) {
    this.#raw = raw;
    this.#macro = macro;
  }

  /** Creates the staging tables on `connection` (temp tables: private to it, gone with it). */
  static async open(connection: DuckDBConnection, lakehouse: DuckDbLakehouse): Promise<CentrumLoader> {
    await connection.run(STAGING_DDL);
    const [raw, macro] = await CentrumLoader.#appenders(connection);
    return new CentrumLoader(connection, lakehouse, raw, macro);
  }

  static async #appenders(connection: DuckDBConnection): Promise<[DuckDBAppender, DuckDBAppender]> {
    return [
      await connection.createAppender("centrum_stage_raw", "main", "temp"),
      await connection.createAppender("centrum_stage_macro", "main", "temp"),
    ];
  }

  get pendingSamples(): number {
    return this.#pendingSamples;
  }

  get pendingMacroRows(): number {
    return this.#pendingMacroRows;
  }

  addSample(r: RawSampleRow): void {
    this.#rawBuffer.push([
      r.experimentId,
      r.id,
      r.deviceId,
      r.deviceName,
      r.timestampMicros,
      r.sample,
      r.measurementSetsJson,
      r.questionsJson,
      r.macrosJson,
      r.userId,
      r.processedMicros,
    ]);
    this.#pendingSamples++;
    if (this.#rawBuffer.length >= CHUNK_ROWS) this.#rawBuffer.appendTo(this.#raw);
  }

  addMacroRow(r: MacroDataRow): void {
    this.#macroBuffer.push([
      r.experimentId,
      r.macroId,
      r.macroName,
      r.macroFilename,
      r.id,
      r.deviceId,
      r.deviceName,
      r.timestampMicros,
      r.userId,
      r.questionsJson,
      r.outputJson,
      r.error,
      r.processedMicros,
    ]);
    this.#pendingMacroRows++;
    if (this.#macroBuffer.length >= CHUNK_ROWS) this.#macroBuffer.appendTo(this.#macro);
  }

  /**
   * Moves the staged rows into the centrum tables (one INSERT … SELECT per table) and empties the staging.
   * With `replaceExisting`, rows of the centrum tables with the same key are deleted first (re-imports are
   * idempotent).
   */
  async flush(options: { replaceExisting?: boolean } = {}): Promise<FlushResult> {
    this.#rawBuffer.appendTo(this.#raw);
    this.#macroBuffer.appendTo(this.#macro);
    this.#raw.closeSync();
    this.#macro.closeSync();
    const samples = this.#pendingSamples;
    const macroRows = this.#pendingMacroRows;
    let replaced = 0;
    const run = (s: Sql) => this.lakehouse.runOn(this.connection, s);
    if (samples > 0) {
      if (options.replaceExisting) replaced += await this.#count(DELETE_RAW);
      await run(INSERT_RAW);
    }
    if (macroRows > 0) {
      if (options.replaceExisting) replaced += await this.#count(DELETE_MACRO);
      await run(INSERT_MACRO);
    }
    await this.connection.run(
      "DELETE FROM temp.main.centrum_stage_raw; DELETE FROM temp.main.centrum_stage_macro;",
    );
    [this.#raw, this.#macro] = await CentrumLoader.#appenders(this.connection);
    this.#pendingSamples = 0;
    this.#pendingMacroRows = 0;
    return { samples, macroRows, replaced };
  }

  async #count(statement: Sql): Promise<number> {
    const { rows } = await this.lakehouse.runOn(this.connection, statement, "read");
    return Number(Object.values(rows[0] ?? {})[0] ?? 0);
  }

  /** Drops the staging tables (call after the last flush). */
  async close(): Promise<void> {
    this.#raw.closeSync();
    this.#macro.closeSync();
    await this.connection.run(
      "DROP TABLE IF EXISTS temp.main.centrum_stage_raw; DROP TABLE IF EXISTS temp.main.centrum_stage_macro;",
    );
  }
}

const INSERT_RAW = sql`INSERT INTO ${table("experiment_raw_data")}
  (experiment_id, id, device_id, device_name, timestamp, sample, measurement_sets, questions, macros, user_id,
   processed_timestamp, date)
SELECT experiment_id, id, device_id, device_name, make_timestamp(ts), sample,
  from_json(measurement_sets, '["VARCHAR"]'),
  from_json(questions, '[{"question_label":"VARCHAR","question_text":"VARCHAR","question_answer":"VARCHAR"}]'),
  from_json(macros, '[{"id":"VARCHAR","name":"VARCHAR","filename":"VARCHAR"}]'),
  user_id, make_timestamp(processed), CAST(make_timestamp(ts) AS DATE)
FROM temp.main.centrum_stage_raw`;

const INSERT_MACRO = sql`INSERT INTO ${table("experiment_macro_data")}
  (experiment_id, macro_id, macro_name, macro_filename, id, device_id, device_name, timestamp, user_id, questions,
   macro_output, macro_error, processed_timestamp, date)
SELECT experiment_id, macro_id, macro_name, macro_filename, id, device_id, device_name, make_timestamp(ts), user_id,
  from_json(questions, '[{"question_label":"VARCHAR","question_text":"VARCHAR","question_answer":"VARCHAR"}]'),
  CAST(CAST(macro_output AS JSON) AS VARIANT), macro_error, make_timestamp(processed), CAST(make_timestamp(ts) AS DATE)
FROM temp.main.centrum_stage_macro`;

const DELETE_RAW = sql`DELETE FROM ${table("experiment_raw_data")} t USING temp.main.centrum_stage_raw s
WHERE t.experiment_id = s.experiment_id AND t.id = s.id`;

const DELETE_MACRO = sql`DELETE FROM ${table("experiment_macro_data")} t USING temp.main.centrum_stage_macro s
WHERE t.experiment_id = s.experiment_id AND t.macro_filename = s.macro_filename AND t.id = s.id`;

/** Plain centrum tables (no VARIANT) small enough to append row by row. */
export type PlainCentrumTable = "experiments" | "experiment_members" | "users" | "experiment_annotations";

/** Epoch microseconds as a DuckDB TIMESTAMP value for `appendRows`. */
export function timestampValue(micros: bigint): DuckDBTimestampValue {
  return new DuckDBTimestampValue(micros);
}

/**
 * Appends rows (values in the table's column order; timestamps as `timestampValue`) to a plain centrum table.
 * Returns the number of rows.
 */
export async function appendRows(
  connection: DuckDBConnection,
  tableName: PlainCentrumTable,
  rows: readonly (readonly DuckDBValue[])[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const appender = await connection.createAppender(tableName, CENTRUM_SCHEMA);
  try {
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    for (const row of rows) {
      if (row.length !== types.length) {
        throw new Error(`appendRows(${tableName}): ${row.length} values for ${types.length} columns`);
      }
      row.forEach((value, i) => {
        appender.appendValue(value, types[i]);
      });
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return rows.length;
}
