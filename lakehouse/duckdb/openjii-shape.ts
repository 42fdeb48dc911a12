/**
 * The embedded lakehouse in openJII's production shape (`TABLE_SHAPE=openjii`, `lakehouse/table-shapes.ts`): the
 * data tables and the catalog table as openJII's pipeline writes them, so every suite can run against the shape
 * production has without a warehouse.
 *
 * The demo data is written in the centrum shape first (the seed, the importer and the simulation write centrum
 * tables), then converted here: `experiment_macro_data` gets `raw_id` (the sample's id) and a 32-bit
 * `abs(hash(raw_id, macro_filename, processed_timestamp))` `id` like the pipeline's; questions become
 * `questions_data`, a VARIANT object of label → answer; a sample's payload becomes `data` (VARIANT);
 * `experiment_macros` becomes `experiment_table_metadata` (a `macro` row per experiment and macro, `identifier` =
 * the macro's id, `display_name` NULL, plus the static `raw_data` and `device` rows), whose `questions_schema` is
 * the schema of the macro rows' `questions_data` in the `schema_of_variant_agg` format, computed the way
 * `output_schema` is (`writeQuestionsSchemas`).
 *
 * All statements are fixed text of our own: schema names come from our code (`CENTRUM_SCHEMA` or a test's), quoted.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { printVariantSchema } from "../../codegen/variant-schema-printer.js";
import { ident, join, sql } from "../sql.js";
import { CENTRUM_SCHEMA } from "./centrum-ddl.js";
import type { DuckDbLakehouse } from "./duckdb-lakehouse.js";
import { variantTypeFromJsonStructure } from "./json-structure.js";

const QUESTION_TO_ENTRY =
  "list_transform(questions, lambda q: {'k': q.question_label, 'v': q.question_answer})";
/** centrum `questions` (a list of structs) → openJII `questions_data` (an object of label → answer). */
const QUESTIONS_DATA = `CASE WHEN questions IS NULL THEN NULL
    ELSE CAST(CAST(map_from_entries(${QUESTION_TO_ENTRY}) AS JSON) AS VARIANT) END`;
const ANNOTATIONS_TYPE =
  "STRUCT(id VARCHAR, rowId VARCHAR, type VARCHAR, content STRUCT(text VARCHAR, flagType VARCHAR))[]";

/** The tables every shape shares and the gateway only reads (`design.md`). */
const SHARED_TABLES = [
  "experiments",
  "experiment_members",
  "users",
  "experiment_device_data",
  "experiment_contributors",
  "experiment_status",
] as const;
/** The tables the gateway writes, with the unique key its upserts need. */
const WRITTEN_TABLES = [
  ["experiment_annotations", "annotation_id"],
  ["experiment_annotation_requests", "request_key"],
] as const;

type Quote = (name: string) => string;

function conversionScript(quote: Quote, from: string, to: string, suffix: string): string {
  const f = (t: string) => `${quote(from)}.${quote(t)}`;
  const t = (name: string) => `${quote(to)}.${quote(name + suffix)}`;
  return `
CREATE TABLE ${t("experiment_raw_data")} AS SELECT
  id, experiment_id, device_id, CAST(NULL AS VARCHAR) AS client_id, device_name, timestamp,
  CAST('UTC' AS VARCHAR) AS timezone, macros, ${QUESTIONS_DATA} AS questions_data,
  CAST(NULL AS ${ANNOTATIONS_TYPE}) AS annotations, user_id, CAST(NULL AS VARCHAR) AS protocol_id,
  CAST(NULL AS VARCHAR) AS workbook_run_id, CAST(NULL AS VARCHAR) AS workbook_version_id,
  CAST(NULL AS VARIANT) AS macro_context, CAST(CAST(sample AS JSON) AS VARIANT) AS data,
  CAST(NULL AS VARIANT) AS output_data, date, processed_timestamp, false AS skip_macro_processing
FROM ${f("experiment_raw_data")};

CREATE TABLE ${t("experiment_macro_data")} AS SELECT
  experiment_id,
  CAST(hash(id, macro_filename, processed_timestamp) % 2147483647 AS INTEGER) AS id,
  id AS raw_id, device_id, CAST(NULL AS VARCHAR) AS client_id, device_name, timestamp,
  CAST('UTC' AS VARCHAR) AS timezone, user_id, CAST(NULL AS DOUBLE) AS latitude, CAST(NULL AS DOUBLE) AS longitude,
  macro_id, macro_name, macro_filename, CAST(NULL AS VARCHAR) AS workbook_run_id,
  CAST(NULL AS VARCHAR) AS workbook_version_id, macro_output, macro_error, processed_timestamp, date,
  ${QUESTIONS_DATA} AS questions_data, CAST(NULL AS ${ANNOTATIONS_TYPE}) AS annotations
FROM ${f("experiment_macro_data")};

CREATE TABLE ${t("experiment_table_metadata")} AS
SELECT m.experiment_id, k.macro_id AS identifier, 'macro' AS table_type, CAST(NULL AS VARCHAR) AS display_name,
  m.sample_count AS row_count, m.output_schema AS macro_schema, CAST(NULL AS VARCHAR) AS questions_schema,
  CAST(NULL AS VARCHAR) AS custom_metadata_schema, CAST(NULL AS VARCHAR) AS upload_schema
FROM ${f("experiment_macros")} m
JOIN (SELECT experiment_id, macro_filename, min(macro_id) AS macro_id FROM ${f("experiment_macro_data")}
      GROUP BY experiment_id, macro_filename) k
  ON k.experiment_id = m.experiment_id AND k.macro_filename = m.macro_filename
UNION ALL
SELECT experiment_id, 'raw_data', 'static', 'Raw data', count(*), NULL, NULL, NULL, NULL
FROM ${f("experiment_raw_data")} GROUP BY experiment_id
UNION ALL
SELECT experiment_id, 'device', 'static', 'Device metadata', count(*), NULL, NULL, NULL, NULL
FROM ${f("experiment_device_data")} GROUP BY experiment_id;
`;
}

/**
 * Sets `questions_schema` of every macro row of `experiment_table_metadata` in `schema` to the schema of its
 * (experiment, macro)'s `questions_data` over all its rows, in the `schema_of_variant_agg` format: one
 * `json_group_structure` aggregate printed in JS (as `output_schema` is, `centrum-maintenance.ts`: keys sorted,
 * the format's quoting), `VOID` when every row's answers are NULL, then one UPDATE with the printed schemas bound.
 * Two statements whatever the number of macros. `suffix` names the tables while a conversion builds them.
 */
export async function writeQuestionsSchemas(
  lakehouse: DuckDbLakehouse,
  connection: DuckDBConnection,
  schema: string,
  suffix = "",
): Promise<void> {
  const macroData = ident(schema, `experiment_macro_data${suffix}`);
  const metadata = ident(schema, `experiment_table_metadata${suffix}`);
  const { rows } = await lakehouse.runOn(
    connection,
    sql`SELECT experiment_id, macro_id,
  CAST(json_group_structure(CAST(questions_data AS JSON)) AS VARCHAR) AS structure
FROM ${macroData}
GROUP BY experiment_id, macro_id`,
    "read",
  );
  if (rows.length === 0) return;
  const schemas = rows.map((r) => {
    const structure = typeof r.structure === "string" ? JSON.parse(r.structure) : null;
    const text = structure === null ? "VOID" : printVariantSchema(variantTypeFromJsonStructure(structure));
    return sql`(${String(r.experiment_id)}, ${String(r.macro_id)}, ${text})`;
  });
  await lakehouse.runOn(
    connection,
    sql`UPDATE ${metadata} AS t SET questions_schema = s.questions_schema
FROM (VALUES ${join(schemas)}) AS s(experiment_id, identifier, questions_schema)
WHERE t.table_type = ${"macro"} AND t.experiment_id = s.experiment_id AND t.identifier = s.identifier`,
    "write",
  );
}

/** True when `schema` holds openJII's `experiment_macro_data` (it has `raw_id`). */
export async function isOpenjiiShaped(lakehouse: DuckDbLakehouse, schema = CENTRUM_SCHEMA): Promise<boolean> {
  const rows = await lakehouse.withConnection(async (c) => {
    const reader = await c.runAndReadAll(
      `SELECT count(*) AS n FROM information_schema.columns
       WHERE table_schema = $schema AND table_name = 'experiment_macro_data' AND column_name = 'raw_id'`,
      { schema },
    );
    return reader.getRows();
  });
  return Number(rows[0]?.[0] ?? 0) > 0;
}

/**
 * Converts the centrum-shaped data of schema `from` (read through `lakehouse`, whose dialect must be the centrum
 * shape's) into openJII's production shape in schema `to`:
 * - `to` = `from` (the demo): in place, in one transaction; the centrum data tables, `experiment_macros` and the
 *   enriched views (which openJII's tables would not fit) are replaced.
 * - another schema (tests): `from` stays as it is, `to` gets the converted tables, a view of each table the gateway
 *   only reads and a copy of each it writes (annotations, the request ledger), so writes stay in `to`.
 */
export async function convertToOpenjiiShape(
  lakehouse: DuckDbLakehouse,
  options: { from?: string; to?: string } = {},
): Promise<void> {
  const from = options.from ?? CENTRUM_SCHEMA;
  const to = options.to ?? from;
  const quote: Quote = (name) => lakehouse.dialect.quoteIdent(name);
  if (to === from) {
    const s = (name: string) => `${quote(from)}.${quote(name)}`;
    await lakehouse.transaction(async (c) => {
      await c.run(conversionScript(quote, from, from, "__openjii"));
      await writeQuestionsSchemas(lakehouse, c, from, "__openjii");
      await c.run(`
DROP VIEW IF EXISTS ${s("enriched_experiment_raw_data")};
DROP VIEW IF EXISTS ${s("enriched_experiment_macro_data")};
DROP TABLE ${s("experiment_raw_data")};
DROP TABLE ${s("experiment_macro_data")};
DROP TABLE ${s("experiment_macros")};
DROP TABLE IF EXISTS ${s("experiment_table_metadata")};
ALTER TABLE ${s("experiment_raw_data__openjii")} RENAME TO experiment_raw_data;
ALTER TABLE ${s("experiment_macro_data__openjii")} RENAME TO experiment_macro_data;
ALTER TABLE ${s("experiment_table_metadata__openjii")} RENAME TO experiment_table_metadata;`);
    });
    return;
  }
  const views = SHARED_TABLES.map(
    (name) => `CREATE VIEW ${quote(to)}.${quote(name)} AS SELECT * FROM ${quote(from)}.${quote(name)};`,
  ).join("\n");
  const copies = WRITTEN_TABLES.map(
    ([name, key]) =>
      `CREATE TABLE ${quote(to)}.${quote(name)} AS SELECT * FROM ${quote(from)}.${quote(name)};
CREATE UNIQUE INDEX ${quote(`${name}_${key}`)} ON ${quote(to)}.${quote(name)} (${quote(key)});`,
  ).join("\n");
  await lakehouse.transaction(async (c) => {
    await c.run(`CREATE SCHEMA ${quote(to)};\n${conversionScript(quote, from, to, "")}\n${views}\n${copies}`);
    await writeQuestionsSchemas(lakehouse, c, to);
  });
}
