/**
 * The embedded stand-in for the centrum pipeline's derived tables: recomputes `experiment_macros`,
 * `experiment_device_data`, `experiment_contributors` and `experiment_status` from the base tables, for every
 * experiment or only the given ones.
 *
 * Statements per run: 9, inside one transaction (all or nothing; plus BEGIN/COMMIT when `runMaintenance` opens it):
 *   1. one SELECT aggregating every macro's `json_group_structure` (printed to the Databricks
 *      `schema_of_variant_agg` format in JS — the only step that needs JS),
 *   2–3. DELETE + INSERT … SELECT `experiment_macros` (the printed schemas are bound parameters, the
 *      `output_schema_sample` VARIANT is picked in SQL and never passes through JS),
 *   4–5. DELETE + INSERT … SELECT `experiment_device_data`,
 *   6–7. DELETE + INSERT … SELECT `experiment_contributors` (raw data joined with the `users` profiles),
 *   8–9. DELETE + INSERT … SELECT `experiment_status`.
 * The count does not grow with the number of experiments or macros (ids and schemas are parameters).
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { printVariantSchema } from "../../codegen/variant-schema-printer.js";
import { empty, ident, join, param, type Sql, sql, table } from "../sql.js";
import { CENTRUM_SCHEMA } from "./centrum-ddl.js";
import type { DuckDbLakehouse } from "./duckdb-lakehouse.js";
import { variantTypeFromJsonStructure } from "./json-structure.js";

/** Data is "fresh" while its latest processed row is younger than this. */
export const FRESHNESS_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface MaintenanceOptions {
  /** Only these experiments (default: all). An empty list does nothing. */
  readonly experimentIds?: readonly string[];
  /** The clock for `status_updated_at` and the fresh/stale decision (default: now). */
  readonly now?: Date;
}

export interface MaintenanceResult {
  readonly experiments: "all" | readonly string[];
  readonly macros: number;
  readonly statements: number;
  readonly ms: number;
}

/** `AND <column> IN (…ids)` for a scoped run, nothing for a full one. */
function scope(column: Sql, ids: readonly string[] | undefined): Sql {
  if (!ids) return empty;
  return sql` AND ${column} IN (${join(ids.map((id) => sql`${id}`))})`;
}

/** Recomputes the derived tables in one transaction of its own. */
export async function runMaintenance(
  lakehouse: DuckDbLakehouse,
  options: MaintenanceOptions = {},
): Promise<MaintenanceResult> {
  if (options.experimentIds && options.experimentIds.length === 0) {
    return { experiments: [], macros: 0, statements: 0, ms: 0 };
  }
  return lakehouse.transaction((connection) => runMaintenanceOn(connection, lakehouse, options));
}

/**
 * The same, on a connection inside a transaction the caller owns (so a load and its maintenance commit
 * together).
 */
export async function runMaintenanceOn(
  connection: DuckDBConnection,
  lakehouse: DuckDbLakehouse,
  options: MaintenanceOptions = {},
): Promise<MaintenanceResult> {
  const started = performance.now();
  const ids = options.experimentIds ? [...new Set(options.experimentIds)] : undefined;
  if (ids && ids.length === 0) return { experiments: [], macros: 0, statements: 0, ms: 0 };
  const now = param(options.now ?? new Date(), "timestamp");
  const freshSince = param(
    new Date((options.now ?? new Date()).getTime() - FRESHNESS_WINDOW_MS),
    "timestamp",
  );
  const run = async (statement: Sql, kind: "read" | "write" = "write") =>
    (await lakehouse.runOn(connection, statement, kind)).rows;

  // 1. Aggregated structure of every macro's successful outputs (json_group_structure is a macro: no FILTER,
  //    but it skips NULLs; all NULL → "NULL" → VOID).
  const structures = await run(
    sql`SELECT experiment_id, macro_name, macro_filename,
  CAST(json_group_structure(
    CASE WHEN macro_error IS NULL AND macro_output IS NOT NULL THEN CAST(macro_output AS JSON) END
  ) AS VARCHAR) AS structure
FROM ${table("experiment_macro_data")}
WHERE true${scope(sql`experiment_id`, ids)}
GROUP BY experiment_id, macro_name, macro_filename`,
    "read",
  );
  const schemas = structures.map((r) => {
    const structure = typeof r.structure === "string" ? JSON.parse(r.structure) : null;
    return sql`(${String(r.experiment_id)}, ${String(r.macro_name)}, ${String(r.macro_filename)}, ${
      structure === null ? "VOID" : printVariantSchema(variantTypeFromJsonStructure(structure))
    })`;
  });

  // 2–3. experiment_macros: counts and the sample row in SQL, the printed schema as a parameter.
  await run(sql`DELETE FROM ${table("experiment_macros")} WHERE true${scope(sql`experiment_id`, ids)}`);
  if (schemas.length > 0) {
    await run(sql`INSERT INTO ${table("experiment_macros")}
  (experiment_id, macro_name, macro_filename, first_seen, last_seen, sample_count, output_schema, output_schema_sample)
SELECT m.experiment_id, m.macro_name, m.macro_filename, min(m.timestamp), max(m.timestamp), count(*),
  any_value(s.output_schema),
  arg_max(m.macro_output, m.timestamp) FILTER (WHERE m.macro_error IS NULL AND m.macro_output IS NOT NULL)
FROM ${table("experiment_macro_data")} m
JOIN (VALUES ${join(schemas)}) s(experiment_id, macro_name, macro_filename, output_schema)
  ON m.experiment_id = s.experiment_id AND m.macro_name = s.macro_name AND m.macro_filename = s.macro_filename
GROUP BY m.experiment_id, m.macro_name, m.macro_filename`);
  }

  // 4–5. experiment_device_data: latest name and firmware (from the latest sample's JSON), counts.
  await run(sql`DELETE FROM ${table("experiment_device_data")} WHERE true${scope(sql`experiment_id`, ids)}`);
  await run(sql`INSERT INTO ${table("experiment_device_data")}
  (experiment_id, device_id, device_name, device_firmware, first_seen, last_seen, total_measurements, processed_timestamp)
SELECT experiment_id, device_id, arg_max(device_name, timestamp),
  json_extract_string(TRY_CAST(arg_max(sample, timestamp) AS JSON), '$.device_firmware'),
  min(timestamp), max(timestamp), count(*), max(processed_timestamp)
FROM ${table("experiment_raw_data")}
WHERE device_id IS NOT NULL${scope(sql`experiment_id`, ids)}
GROUP BY experiment_id, device_id`);

  // 6–7. experiment_contributors: contributions per user, profile from the users table.
  await run(sql`DELETE FROM ${table("experiment_contributors")} WHERE true${scope(sql`experiment_id`, ids)}`);
  await run(sql`INSERT INTO ${table("experiment_contributors")}
  (experiment_id, user_id, first_name, last_name, email, organization, first_contribution, last_contribution,
   total_contributions)
SELECT c.experiment_id, c.user_id, u.first_name, u.last_name, u.email, u.organization,
  c.first_contribution, c.last_contribution, c.total_contributions
FROM (
  SELECT experiment_id, user_id, min(timestamp) AS first_contribution, max(timestamp) AS last_contribution,
    count(*) AS total_contributions
  FROM ${table("experiment_raw_data")}
  WHERE user_id IS NOT NULL${scope(sql`experiment_id`, ids)}
  GROUP BY experiment_id, user_id
) c
LEFT JOIN ${ident(CENTRUM_SCHEMA, "users")} u ON u.user_id = c.user_id`);

  // 8–9. experiment_status: latest data over samples and macro rows; fresh while processed < 24 h ago.
  await run(sql`DELETE FROM ${table("experiment_status")} WHERE true${scope(sql`experiment_id`, ids)}`);
  await run(sql`INSERT INTO ${table("experiment_status")}
  (experiment_id, latest_timestamp, latest_processed_timestamp, status, status_updated_at)
SELECT e.experiment_id, d.latest_timestamp, d.latest_processed_timestamp,
  CASE WHEN d.latest_processed_timestamp >= ${freshSince} THEN 'fresh' ELSE 'stale' END, ${now}
FROM ${table("experiments")} e
LEFT JOIN (
  SELECT experiment_id, max(timestamp) AS latest_timestamp, max(processed_timestamp) AS latest_processed_timestamp
  FROM (
    SELECT experiment_id, timestamp, processed_timestamp FROM ${table("experiment_raw_data")}
    WHERE true${scope(sql`experiment_id`, ids)}
    UNION ALL
    SELECT experiment_id, timestamp, processed_timestamp FROM ${table("experiment_macro_data")}
    WHERE true${scope(sql`experiment_id`, ids)}
  )
  GROUP BY experiment_id
) d ON d.experiment_id = e.experiment_id
WHERE true${scope(sql`e.experiment_id`, ids)}`);

  return {
    experiments: ids ?? "all",
    macros: schemas.length,
    statements: schemas.length > 0 ? 9 : 8,
    ms: performance.now() - started,
  };
}
