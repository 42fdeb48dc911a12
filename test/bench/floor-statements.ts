/**
 * The floor of each reference operation: ONE hand-written DuckDB statement that returns the same rows (same page,
 * same columns, typed VARIANT values, relations joined) for the same user. It is what a careful engineer would
 * write by hand for exactly that screen, so "gateway / floor" is the price of the generic GraphQL layer.
 *
 * Like the gateway, every statement applies the access rule (public, or the user is a member) and fetches one row
 * past the page for `hasNextPage`. Values are bound parameters; VARIANT keys are literals, as written by hand.
 */
import { DOUBLE, type DuckDBType, type DuckDBValue, INTEGER, VARCHAR } from "@duckdb/node-api";
import type { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import type { CatalogField } from "./schema-discovery.js";

export interface FloorStatement {
  readonly text: string;
  readonly values: Record<string, DuckDBValue>;
  readonly types: Record<string, DuckDBType>;
}

export type FloorRow = Record<string, unknown>;

/** Runs the statement and materializes every row as JS values (as the gateway's connector does). */
export async function runFloor(lakehouse: DuckDbLakehouse, statement: FloorStatement): Promise<FloorRow[]> {
  return lakehouse.withConnection(async (c) => {
    const reader = await c.runAndReadAll(statement.text, statement.values, statement.types);
    return reader.getRowObjectsJS() as FloorRow[];
  });
}

const CASTS: Record<string, string> = {
  Float: "DOUBLE",
  Int: "INTEGER",
  String: "VARCHAR",
  Boolean: "BOOLEAN",
};

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const column = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** `TRY_CAST(m.macro_output['Phi2'] AS DOUBLE)`: the typed value of a field. */
export function typedValue(field: CatalogField, alias = "m"): string {
  const path = field.path.map((k) => `[${literal(k)}]`).join("");
  return `TRY_CAST(${alias}.macro_output${path} AS ${CASTS[field.type] ?? "VARCHAR"})`;
}

/** `TRY_CAST(m.macro_output['Phi2'] AS DOUBLE) AS "Phi2"` for each typed field. */
export function typedProjection(fields: readonly CatalogField[], alias = "m"): string {
  return fields.map((f) => `${typedValue(f, alias)} AS ${column(f.name)}`).join(",\n      ");
}

/** The experiment, if the user may read it (public, or a member): the header of every statement below. */
const READABLE_EXPERIMENT = `e AS (
    SELECT experiment_id, name, description, visibility, status, anonymize_contributors, created_at
    FROM centrum.experiments
    WHERE experiment_id = $experiment
      AND (visibility = 'public'
        OR experiment_id IN (SELECT experiment_id FROM centrum.experiment_members WHERE user_id = $user))
  )`;

const baseParams = (experimentId: string, userId: string, pageSize: number) => ({
  values: { experiment: experimentId, user: userId, limit: pageSize + 1 },
  types: { experiment: VARCHAR, user: VARCHAR, limit: INTEGER },
});

/** `experiment { samples(first: n) { totalCount edges { node { … } } } }`: one row per sample, total on each. */
export function samplesPageFloor(experimentId: string, userId: string, pageSize: number): FloorStatement {
  return {
    text: `WITH ${READABLE_EXPERIMENT}
  SELECT e.experiment_id,
    (SELECT count(*) FROM centrum.experiment_raw_data r WHERE r.experiment_id = e.experiment_id) AS total_count,
    p.*
  FROM e LEFT JOIN (
    SELECT id, timestamp, device_id, questions, measurement_sets, macros
    FROM centrum.experiment_raw_data
    WHERE experiment_id IN (SELECT experiment_id FROM e)
    ORDER BY timestamp DESC NULLS LAST, id DESC
    LIMIT $limit
  ) p ON TRUE
  ORDER BY p.timestamp DESC NULLS LAST, p.id DESC`,
    ...baseParams(experimentId, userId, pageSize),
  };
}

/**
 * The page rows of one macro with their typed values. Top-N runs on plain columns first and the VARIANT paths are
 * read for the page rows only (joined back by `rowid`): DuckDB 1.5 otherwise decodes every requested path of
 * every scanned row before the Top-N (≈ 1 s per path on the bench preset). See `naiveMeasurementPageFloor`. The
 * paths are read above the join (`picked`), not in it: in the join DuckDB pushes them into the scan, which then
 * extracts them for every row of the row groups it reads, not for the page's rows (the gateway does the same).
 */
function pageRows(macro: string, fields: readonly CatalogField[]): string {
  return `pg AS (
    SELECT rowid AS rid, id, timestamp, device_id, user_id, questions
    FROM centrum.experiment_macro_data
    WHERE experiment_id IN (SELECT experiment_id FROM e) AND macro_filename = ${macro} AND macro_error IS NULL
    ORDER BY timestamp DESC NULLS LAST, id DESC
    LIMIT $limit
  ),
  picked AS (
    SELECT pg.id, pg.timestamp, pg.device_id, pg.user_id, pg.questions, m.macro_output
    FROM centrum.experiment_macro_data m JOIN pg ON m.rowid = pg.rid
  ),
  m AS (
    SELECT p.id, p.timestamp, p.device_id, p.user_id, p.questions, ${typedProjection(fields, "p")} FROM picked p
  )`;
}

/** `experiment { photosynthesis(first: n) { edges { node { id timestamp deviceId <10 typed> } } } }`. */
export function measurementPageFloor(
  experimentId: string,
  userId: string,
  macroFilename: string,
  fields: readonly CatalogField[],
  pageSize: number,
): FloorStatement {
  const columns = fields.map((f) => `m.${column(f.name)}`).join(", ");
  return {
    text: `WITH ${READABLE_EXPERIMENT},
  ${pageRows(literal(macroFilename), fields)}
  SELECT m.id, m.timestamp, m.device_id, ${columns}
  FROM m
  ORDER BY m.timestamp DESC NULLS LAST, m.id DESC`,
    ...baseParams(experimentId, userId, pageSize),
  };
}

/** The same page written the obvious way (typed projection and Top-N in one SELECT), for comparison only. */
export function naiveMeasurementPageFloor(
  experimentId: string,
  userId: string,
  macroFilename: string,
  fields: readonly CatalogField[],
  pageSize: number,
): FloorStatement {
  return {
    text: `WITH ${READABLE_EXPERIMENT}
  SELECT m.id, m.timestamp, m.device_id,
      ${typedProjection(fields)}
  FROM centrum.experiment_macro_data m
  WHERE m.experiment_id IN (SELECT experiment_id FROM e)
    AND m.macro_filename = ${literal(macroFilename)} AND m.macro_error IS NULL
  ORDER BY m.timestamp DESC NULLS LAST, m.id DESC
  LIMIT $limit`,
    ...baseParams(experimentId, userId, pageSize),
  };
}

/**
 * The dashboard in one statement and one row: experiment header, devices, contributors (names hidden when the
 * experiment anonymizes them), totalCount, and the page with each row's device, contributor, annotations and
 * questions nested as lists of structs.
 */
export function dashboardFloor(
  experimentId: string,
  userId: string,
  macroFilename: string,
  fields: readonly CatalogField[],
  pageSize: number,
): FloorStatement {
  const macro = literal(macroFilename);
  const typed = fields.map((f) => `${column(f.name)} := m.${column(f.name)}`).join(", ");
  return {
    text: `WITH ${READABLE_EXPERIMENT},
  ${pageRows(macro, fields)},
  d AS (
    SELECT device_id, device_name, device_firmware, first_seen, last_seen, total_measurements
    FROM centrum.experiment_device_data WHERE experiment_id IN (SELECT experiment_id FROM e)
  ),
  c AS (
    SELECT c.user_id,
      CASE WHEN e.anonymize_contributors THEN NULL ELSE c.first_name END AS first_name,
      CASE WHEN e.anonymize_contributors THEN NULL ELSE c.last_name END AS last_name,
      CASE WHEN e.anonymize_contributors THEN NULL ELSE c.organization END AS organization,
      c.total_contributions
    FROM centrum.experiment_contributors c JOIN e ON e.experiment_id = c.experiment_id
  ),
  a AS (
    SELECT a.row_id, list(struct_pack(
        "id" := a.annotation_id, "type" := a.type, "text" := a.content_text, "flag_type" := a.flag_type,
        "created_by_name" := CASE WHEN e.anonymize_contributors THEN NULL ELSE a.created_by_name END,
        "created_at" := a.created_at
      ) ORDER BY a.created_at, a.annotation_id) AS annotations
    FROM centrum.experiment_annotations a JOIN e ON e.experiment_id = a.experiment_id
    WHERE a.table_name = ${macro} AND a.row_id IN (SELECT CAST(id AS VARCHAR) FROM pg)
    GROUP BY a.row_id
  )
  SELECT e.*,
    (SELECT list(d ORDER BY d.device_name, d.device_id) FROM d) AS devices,
    (SELECT list(c ORDER BY c.total_contributions DESC, c.user_id) FROM c) AS contributors,
    (SELECT count(*) FROM centrum.experiment_macro_data t
      WHERE t.experiment_id = e.experiment_id AND t.macro_filename = ${macro} AND t.macro_error IS NULL) AS total_count,
    (SELECT list(struct_pack(
        "id" := m.id, "timestamp" := m.timestamp, ${typed},
        "device" := struct_pack("id" := d.device_id, "name" := d.device_name),
        "contributor" := struct_pack("id" := c.user_id, "first_name" := c.first_name, "last_name" := c.last_name),
        "annotations" := coalesce(a.annotations, []),
        "questions" := m.questions
      ) ORDER BY m.timestamp DESC NULLS LAST, m.id DESC)
      FROM m LEFT JOIN d ON d.device_id = m.device_id LEFT JOIN c ON c.user_id = m.user_id
        LEFT JOIN a ON a.row_id = CAST(m.id AS VARCHAR)) AS measurements
  FROM e`,
    ...baseParams(experimentId, userId, pageSize),
  };
}

/**
 * `where: { Phi2: { gte } }, orderBy: [{ field: Phi2, direction: DESC }]` with totalCount. A filter on a VARIANT
 * path already makes DuckDB read the value after filtering, so one plain SELECT with a window count is the fastest
 * form here (faster than the late-materialized page, whose rowid join would scan the table again).
 */
export function filteredPageFloor(
  experimentId: string,
  userId: string,
  macroFilename: string,
  fields: readonly CatalogField[],
  sortField: CatalogField,
  min: number,
  pageSize: number,
): FloorStatement {
  const params = baseParams(experimentId, userId, pageSize);
  return {
    text: `WITH ${READABLE_EXPERIMENT}
  SELECT * FROM (
    SELECT t.id, t.timestamp, t.device_id,
      ${typedProjection(fields, "t")},
      ${typedValue(sortField, "t")} AS sort_key,
      count(*) OVER () AS total_count
    FROM centrum.experiment_macro_data t
    WHERE t.experiment_id IN (SELECT experiment_id FROM e) AND t.macro_filename = ${literal(macroFilename)}
      AND t.macro_error IS NULL AND ${typedValue(sortField, "t")} >= $min
  )
  ORDER BY sort_key DESC NULLS LAST, id DESC
  LIMIT $limit`,
    values: { ...params.values, min },
    types: { ...params.types, min: DOUBLE },
  };
}

/**
 * Grouped by device and UTC day: row count, avg of two fields, min and max of the first. `pathInFilter` adds a
 * predicate on the path that is always true: DuckDB 1.5 then reads the VARIANT path after filtering instead of
 * pushing it into the scan, which is several times faster (a quirk, so only timed as an alternative).
 */
export function aggregateFloor(
  experimentId: string,
  userId: string,
  macroFilename: string,
  a: CatalogField,
  b: CatalogField,
  options: { pathInFilter?: boolean } = {},
): FloorStatement {
  const va = typedValue(a, "t");
  const vb = typedValue(b, "t");
  const { values, types } = baseParams(experimentId, userId, 0);
  return {
    text: `WITH ${READABLE_EXPERIMENT}
  SELECT t.device_id, date_trunc('day', t.timestamp) AS day, count(*) AS count,
    avg(${va}) AS avg_a, avg(${vb}) AS avg_b, min(${va}) AS min_a, max(${va}) AS max_a
  FROM centrum.experiment_macro_data t
  WHERE t.experiment_id IN (SELECT experiment_id FROM e) AND t.macro_filename = ${literal(macroFilename)}
    AND t.macro_error IS NULL${options.pathInFilter ? ` AND (${va} IS NULL OR ${va} IS NOT NULL)` : ""}
  GROUP BY ALL
  ORDER BY t.device_id NULLS LAST, day NULLS LAST`,
    values: { experiment: values.experiment, user: values.user },
    types: { experiment: types.experiment, user: types.user },
  };
}

/** Distinct devices with their row counts, most frequent first, and how many there are. */
export function distinctFloor(
  experimentId: string,
  userId: string,
  macroFilename: string,
  first: number,
): FloorStatement {
  return {
    text: `WITH ${READABLE_EXPERIMENT}
  SELECT t.device_id AS value, count(*) AS count, count(*) OVER () AS total
  FROM centrum.experiment_macro_data t
  WHERE t.experiment_id IN (SELECT experiment_id FROM e) AND t.macro_filename = ${literal(macroFilename)}
    AND t.macro_error IS NULL
  GROUP BY t.device_id
  ORDER BY count DESC, value ASC NULLS LAST
  LIMIT $limit`,
    ...baseParams(experimentId, userId, first),
  };
}
