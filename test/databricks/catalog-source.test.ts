/**
 * The catalog sources are dialect-neutral: they run on a real in-memory DuckDB lakehouse, and the statement they
 * send to Databricks (through the connector and its scripted driver) parses as Databricks SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabricksLakehouse } from "../../lakehouse/databricks/databricks-lakehouse.js";
import { CENTRUM_DDL } from "../../lakehouse/duckdb/centrum-ddl.js";
import { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import { param, sql, table } from "../../lakehouse/sql.js";
import {
  type CatalogEntry,
  type CatalogSource,
  catalogSourceByName,
} from "../../resolvers/catalog/catalog-source.js";
import { experimentMacrosCatalogSource } from "../../resolvers/catalog/experiment-macros-catalog-source.js";
import { tableMetadataCatalogSource } from "../../resolvers/catalog/table-metadata-catalog-source.js";
import { assertDatabricksSyntax } from "../support/databricks-syntax.js";
import { FakeWarehouse } from "./fake-databricks-driver.js";

/** openJII's `questions_schema`: the answers' schema, in the same format (a label that needs backticks). */
const QUESTIONS_SCHEMA = "OBJECT<`plant height`: DOUBLE, plot: STRING>";
const PHOTO_SCHEMA =
  "OBJECT<`Light Intensity (PAR)`: DECIMAL(23,3), Phi2: DOUBLE, messages: OBJECT<info: ARRAY<STRING>>>";
const BIG_COUNT = 2n ** 60n + 7n;
const PHOTO_ID = "5e1f2a3b-0000-4000-8000-00000000a001";
const SPAD_ID = "7f3a9c2d-0000-4000-8000-00000000b002";

let duck: DuckDbLakehouse;

beforeAll(async () => {
  duck = await DuckDbLakehouse.open({ path: ":memory:", connections: 1 });
  await duck.runScript(CENTRUM_DDL);
  const insertMacro = (
    experimentId: string,
    name: string,
    filename: string,
    count: bigint,
    firstSeen: string | null,
    lastSeen: string | null,
    schema: string | null,
  ) =>
    duck.execute(sql`INSERT INTO ${table("experiment_macros")}
  (experiment_id, macro_name, macro_filename, first_seen, last_seen, sample_count, output_schema)
VALUES (${experimentId}, ${name}, ${filename}, ${param(firstSeen, "timestamp")}, ${param(lastSeen, "timestamp")},
  ${count}, ${param(schema, "string")})`);
  await insertMacro(
    "exp-b",
    "Photosynthesis",
    "photosynthesis",
    BIG_COUNT,
    "2026-01-02T03:04:05.123456Z",
    "2026-02-03T04:05:06Z",
    PHOTO_SCHEMA,
  );
  await insertMacro(
    "exp-a",
    "SPAD",
    "spad",
    12n,
    "2026-01-01T00:00:00Z",
    "2026-01-05T00:00:00Z",
    "OBJECT<spad: DOUBLE>",
  );
  await insertMacro("exp-a", "Empty", "empty_macro", 0n, null, null, null);

  await duck.runScript(`
CREATE TABLE centrum.experiment_table_metadata (
  experiment_id VARCHAR, identifier VARCHAR, table_type VARCHAR, display_name VARCHAR,
  row_count BIGINT, macro_schema VARCHAR, questions_schema VARCHAR
);`);
  const insertMetadata = (
    experimentId: string,
    identifier: string,
    type: string,
    displayName: string | null,
    rows: bigint,
    schema: string | null,
    questionsSchema: string | null = null,
  ) =>
    duck.execute(sql`INSERT INTO ${table("experiment_table_metadata")}
  (experiment_id, identifier, table_type, display_name, row_count, macro_schema, questions_schema)
VALUES (${experimentId}, ${identifier}, ${type}, ${param(displayName, "string")}, ${rows}, ${param(schema, "string")},
  ${param(questionsSchema, "string")})`);
  // openJII's production shape: a macro's identifier is its id (UUID), display_name is NULL; the name and the
  // filename are only in the data table.
  await insertMetadata("exp-b", PHOTO_ID, "macro", null, BIG_COUNT, PHOTO_SCHEMA, QUESTIONS_SCHEMA);
  await insertMetadata("exp-b", "raw_data", "static", "Raw data", 99n, null);
  await insertMetadata("exp-a", SPAD_ID, "macro", null, 5n, "OBJECT<spad: DOUBLE>");
  // The same macro id in another experiment: the join keeps experiments apart.
  await insertMetadata("exp-c", SPAD_ID, "macro", null, 1n, "OBJECT<spad: DOUBLE, extra: STRING>");
  // A macro with no data rows yet has no filename to serve: left out.
  await insertMetadata(
    "exp-a",
    "0b7e0000-0000-4000-8000-000000000000",
    "macro",
    null,
    0n,
    "OBJECT<x: DOUBLE>",
  );
  const insertRow = (
    experimentId: string,
    macroId: string,
    name: string,
    filename: string,
    id: bigint,
    at: string,
  ) =>
    duck.execute(sql`INSERT INTO ${table("experiment_macro_data")}
  (experiment_id, macro_id, macro_name, macro_filename, id, timestamp)
VALUES (${experimentId}, ${macroId}, ${name}, ${filename}, ${id}, ${param(at, "timestamp")})`);
  await insertRow("exp-b", PHOTO_ID, "Photosynthesis", "photosynthesis", 1n, "2026-01-02T03:04:05.123456Z");
  await insertRow("exp-b", PHOTO_ID, "Photosynthesis", "photosynthesis", 2n, "2026-02-03T04:05:06Z");
  await insertRow("exp-a", SPAD_ID, "SPAD", "spad", 1n, "2026-01-01T00:00:00Z");
  await insertRow("exp-c", SPAD_ID, "SPAD", "spad", 1n, "2026-03-01T00:00:00Z");
  // A row of another macro whose id is only in another experiment's metadata.
  await insertRow("exp-b", SPAD_ID, "SPAD", "spad", 3n, "2026-04-01T00:00:00Z");
});

afterAll(async () => {
  await duck?.close();
});

describe("experimentMacrosCatalogSource on DuckDB", () => {
  it("reads every macro of every experiment, ordered, with exact counts and ISO timestamps", async () => {
    const entries = await experimentMacrosCatalogSource.read(duck);
    expect(entries).toEqual<CatalogEntry[]>([
      {
        experimentId: "exp-a",
        macroName: "Empty",
        macroFilename: "empty_macro",
        sampleCount: 0n,
        firstSeen: null,
        lastSeen: null,
        outputSchema: null,
        questionsSchema: null,
      },
      {
        experimentId: "exp-a",
        macroName: "SPAD",
        macroFilename: "spad",
        sampleCount: 12n,
        firstSeen: "2026-01-01T00:00:00.000000Z",
        lastSeen: "2026-01-05T00:00:00.000000Z",
        outputSchema: "OBJECT<spad: DOUBLE>",
        questionsSchema: null,
      },
      {
        experimentId: "exp-b",
        macroName: "Photosynthesis",
        macroFilename: "photosynthesis",
        sampleCount: BIG_COUNT,
        firstSeen: "2026-01-02T03:04:05.123456Z",
        lastSeen: "2026-02-03T04:05:06.000000Z",
        outputSchema: PHOTO_SCHEMA,
        questionsSchema: null,
      },
    ]);
  });

  it("filters by experiment in the same single statement", async () => {
    const before = duck.statements.total;
    const entries = await experimentMacrosCatalogSource.read(duck, {
      experimentIds: ["exp-b", "exp-missing"],
    });
    expect(entries.map((e) => e.macroFilename)).toEqual(["photosynthesis"]);
    expect(duck.statements.total - before).toBe(1);
    expect(await experimentMacrosCatalogSource.read(duck, { experimentIds: [] })).toEqual([]);
    expect(duck.statements.total - before).toBe(1);
  });
});

describe("tableMetadataCatalogSource on DuckDB", () => {
  it("maps macro rows (identifier = macro id) onto catalog entries, names from the data table", async () => {
    expect(await tableMetadataCatalogSource.read(duck)).toEqual<CatalogEntry[]>([
      {
        experimentId: "exp-a",
        macroName: "SPAD",
        macroFilename: "spad",
        sampleCount: 5n,
        firstSeen: "2026-01-01T00:00:00.000000Z",
        lastSeen: "2026-01-01T00:00:00.000000Z",
        outputSchema: "OBJECT<spad: DOUBLE>",
        questionsSchema: null,
      },
      {
        experimentId: "exp-b",
        macroName: "Photosynthesis",
        macroFilename: "photosynthesis",
        sampleCount: BIG_COUNT,
        firstSeen: "2026-01-02T03:04:05.123456Z",
        lastSeen: "2026-02-03T04:05:06.000000Z",
        outputSchema: PHOTO_SCHEMA,
        questionsSchema: QUESTIONS_SCHEMA,
      },
      {
        experimentId: "exp-c",
        macroName: "SPAD",
        macroFilename: "spad",
        sampleCount: 1n,
        firstSeen: "2026-03-01T00:00:00.000000Z",
        lastSeen: "2026-03-01T00:00:00.000000Z",
        outputSchema: "OBJECT<spad: DOUBLE, extra: STRING>",
        questionsSchema: null,
      },
    ]);
    const before = duck.statements.total;
    const onlyA = await tableMetadataCatalogSource.read(duck, { experimentIds: ["exp-a"] });
    expect(onlyA.map((e) => [e.experimentId, e.macroFilename])).toEqual([["exp-a", "spad"]]);
    expect(duck.statements.total - before).toBe(1);
  });
});

describe("catalog sources on Databricks", () => {
  it("are chosen by name", () => {
    expect(catalogSourceByName("experiment_macros")).toBe(experimentMacrosCatalogSource);
    expect(catalogSourceByName("experiment_table_metadata")).toBe(tableMetadataCatalogSource);
  });

  const cases: Array<[string, CatalogSource, object, string]> = [
    [
      "experiment_macros",
      experimentMacrosCatalogSource,
      {
        experiment_id: "exp-b",
        macro_name: "Photosynthesis",
        macro_filename: "photosynthesis",
        sample_count: BIG_COUNT,
        first_seen: "2026-01-02 03:04:05.123456",
        last_seen: null,
        output_schema: PHOTO_SCHEMA,
      },
      "`main`.`centrum`.`experiment_macros`",
    ],
    [
      "experiment_table_metadata",
      tableMetadataCatalogSource,
      {
        experiment_id: "exp-b",
        macro_name: "Photosynthesis",
        macro_filename: "photosynthesis",
        sample_count: BIG_COUNT,
        first_seen: "2026-01-02 03:04:05.123456",
        last_seen: null,
        output_schema: PHOTO_SCHEMA,
      },
      "`main`.`centrum`.`experiment_table_metadata`",
    ],
  ];

  it.each(cases)("%s sends one parseable statement", async (_, source, row, tableName) => {
    const warehouse = new FakeWarehouse();
    const lakehouse = createDatabricksLakehouse(
      {
        host: "dbc.example",
        httpPath: "/sql/1.0/warehouses/x",
        token: "t",
        catalog: "main",
        schema: "centrum",
        statementTimeoutSeconds: 60,
      },
      warehouse.factory,
    );
    const columns = Object.keys(row).map((name) => ({
      name,
      type: /count/.test(name)
        ? ("BIGINT_TYPE" as const)
        : /seen/.test(name)
          ? ("TIMESTAMP_TYPE" as const)
          : ("STRING_TYPE" as const),
    }));
    warehouse.script.push({ rows: [row], columns });
    const [entry] = await source.read(lakehouse, { experimentIds: ["exp-b", "exp-c"] });
    expect(entry).toMatchObject({
      experimentId: "exp-b",
      macroFilename: "photosynthesis",
      sampleCount: BIG_COUNT,
    });
    const [executed] = warehouse.executed;
    expect(executed!.text).toContain(tableName);
    const markers = assertDatabricksSyntax(executed!.text);
    expect(markers).toEqual(Object.keys(executed!.options!.namedParameters!).map((n) => `:${n}`));
    await lakehouse.close();
  });
});
