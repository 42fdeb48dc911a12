/**
 * Exports on Databricks, through the connector over the driver boundary (`fake-databricks-driver.ts`): the standing
 * and keyset page statements a warehouse accepts (the fake applies the warehouse's rules to each), the cursor of a
 * page's last row bound exactly as the next page's BIGINT parameter, and the rows written as Parquet by the JS
 * writer — read back by DuckDB's own Parquet reader with INT64 ids beyond 2^53 and microsecond timestamps intact.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { MacroTypeModelBuilder } from "../../codegen/macro-type-model.js";
import { EXPORT_FORMAT_SPECS } from "../../gateway/exports/export-encoder.js";
import { createDatabricksLakehouse } from "../../lakehouse/databricks/databricks-lakehouse.js";
import { ExperimentAccess } from "../../resolvers/access/experiment-access.js";
import { openExport } from "../../resolvers/exports/export-pages.js";
import { tempDir } from "../support/gateway-process.js";
import { type FakeColumn, FakeWarehouse } from "./fake-databricks-driver.js";

const EXPERIMENT = "00000000-0000-4000-8000-0000000000e1";
const [MODEL] = new MacroTypeModelBuilder().build([
  {
    experimentId: EXPERIMENT,
    macroName: "Photosynthesis RIDES",
    macroFilename: "macro_photosynthesis",
    outputSchema: "OBJECT<Phi2: DOUBLE, counter: BIGINT, messages: OBJECT<info: ARRAY<STRING>>>",
  },
]).macros;

const BASE_COLUMNS: FakeColumn[] = [
  { name: "experiment_id", type: "STRING_TYPE" },
  { name: "macro_filename", type: "STRING_TYPE" },
  { name: "macro_name", type: "STRING_TYPE" },
  { name: "id", type: "BIGINT_TYPE" },
  { name: "timestamp", type: "TIMESTAMP_TYPE" },
  { name: "device_id", type: "STRING_TYPE" },
  { name: "device_name", type: "STRING_TYPE" },
  { name: "user_id", type: "STRING_TYPE" },
  { name: "questions", type: "STRING_TYPE" },
  { name: "macro_error", type: "STRING_TYPE" },
  { name: "processed_timestamp", type: "TIMESTAMP_TYPE" },
  { name: "v0", type: "DOUBLE_TYPE" },
  { name: "v1", type: "BIGINT_TYPE" },
  { name: "v2", type: "ARRAY_TYPE" },
  { name: "__k_ts", type: "TIMESTAMP_TYPE" },
  { name: "__k_id", type: "BIGINT_TYPE" },
  { name: "__k_exp", type: "STRING_TYPE" },
];

function row(id: bigint, ts: string, phi2: number) {
  return {
    experiment_id: EXPERIMENT,
    macro_filename: "macro_photosynthesis",
    macro_name: "Photosynthesis RIDES",
    id,
    timestamp: ts,
    device_id: "dev-1",
    device_name: "Device 1",
    user_id: "user-1",
    // Selected as to_json(…): a STRING the connector parses.
    questions: '[{"question_label":"plot","question_text":"Plot","question_answer":"A1"}]',
    macro_error: null,
    processed_timestamp: ts,
    v0: phi2,
    v1: id,
    v2: ["ok"],
    __k_ts: ts,
    __k_id: id,
    __k_exp: EXPERIMENT,
  };
}

describe("Databricks: an export of a macro table", () => {
  it("pages with keyset statements the warehouse accepts and writes exact Parquet", async () => {
    const warehouse = new FakeWarehouse();
    const lakehouse = createDatabricksLakehouse(
      {
        host: "https://dbc-1234.cloud.databricks.com/",
        httpPath: "/sql/1.0/warehouses/abc123",
        token: "dapi-secret-token-0123456789",
        catalog: "main",
        schema: "centrum",
        statementTimeoutSeconds: 120,
        maxRetries: 0,
        sessionPoolSize: 1,
        retryBaseDelayMs: 1,
      },
      warehouse.factory,
    );
    const ids = [9_223_372_036_854_775_807n, 9_007_199_254_740_993n, 42n];
    warehouse.script.push(
      {
        rows: [
          { experiment_id: EXPERIMENT, visibility: "public", anonymize_contributors: false, role: null },
        ],
        columns: [
          { name: "experiment_id", type: "STRING_TYPE" },
          { name: "visibility", type: "STRING_TYPE" },
          { name: "anonymize_contributors", type: "BOOLEAN_TYPE" },
          { name: "role", type: "STRING_TYPE" },
        ],
      },
      // Page size 2: the first page statement returns 3 rows (the third only says another page exists).
      {
        rows: [
          row(ids[0]!, "2026-02-03 09:15:42.123456", 0.5),
          row(ids[1]!, "2026-02-03 09:15:42.123455", 0.25),
          row(ids[2]!, "2026-02-03 09:15:41", 0.125),
        ],
        columns: BASE_COLUMNS,
      },
      { rows: [row(ids[2]!, "2026-02-03 09:15:41", 0.125)], columns: BASE_COLUMNS },
    );

    const opened = await openExport(
      lakehouse,
      new ExperimentAccess({ userId: null, name: null }),
      { experimentId: EXPERIMENT, table: { kind: "measurements", model: MODEL! } },
      { pageSize: 2 },
    );
    const encoder = EXPORT_FORMAT_SPECS.parquet.create(opened.columns, opened.context);
    const chunks: Uint8Array[] = [];
    for await (const page of opened.pages()) chunks.push(...encoder.rows(page));
    chunks.push(...encoder.finish());
    await lakehouse.close();

    // The standing, then two pages; the second continues after the first page's last row, bound exactly.
    expect(warehouse.executed).toHaveLength(3);
    const second = warehouse.executed[2]!;
    expect(second.text).toMatch(/try_variant_get/);
    const bound = Object.values(
      (second.options?.namedParameters ?? {}) as Record<string, { type?: string; value?: unknown }>,
    );
    expect(bound).toContainEqual(expect.objectContaining({ type: "BIGINT", value: ids[1] }));

    const path = join(tempDir("centrum-dbx-export-"), "export.parquet");
    writeFileSync(path, Buffer.concat(chunks));
    const duckdb = await (await DuckDBInstance.create(":memory:")).connect();
    const read = await duckdb.runAndReadAll(
      `SELECT "rowId", strftime("timestamp" AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') AS ts, "Phi2", counter,
              "messages.info" AS info, questions FROM read_parquet($path)`,
      { path },
    );
    expect(read.getRowObjects()).toEqual([
      {
        rowId: ids[0],
        ts: "2026-02-03 09:15:42.123456",
        Phi2: 0.5,
        counter: ids[0],
        info: '["ok"]',
        questions: '[{"label":"plot","text":"Plot","answer":"A1"}]',
      },
      expect.objectContaining({ rowId: ids[1], ts: "2026-02-03 09:15:42.123455", counter: ids[1] }),
      expect.objectContaining({ rowId: 42n, ts: "2026-02-03 09:15:41.000000", Phi2: 0.125 }),
    ]);
  });
});
