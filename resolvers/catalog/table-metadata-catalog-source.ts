/**
 * The catalog from production openJII's `experiment_table_metadata` (one row per experiment table; macro tables
 * have `table_type = 'macro'`): `identifier` is the macro's id (`macro_id`, a UUID), `display_name` is NULL for
 * macros, `row_count` the macro table's rows, `macro_schema` the aggregated output schema and `questions_schema`
 * that of the rows' question answers (`questions_data`, NULL when the pipeline wrote none). The macro's name,
 * filename and first/last seen are read from `experiment_macro_data`, grouped per experiment and macro id in the
 * same statement (`macrosFromTableMetadata`); a macro with no data rows has no filename to serve and is left out.
 */

import { ident, sql, table } from "../../lakehouse/sql.js";
import { macrosFromTableMetadata } from "../../lakehouse/table-shapes.js";
import type { CatalogEntry, CatalogSource } from "./catalog-source.js";
import { experimentFilter, toBigIntCount, toNullableString } from "./catalog-values.js";

interface TableMetadataRow {
  experiment_id: string;
  macro_name: string;
  macro_filename: string;
  sample_count: unknown;
  first_seen: string | null;
  last_seen: string | null;
  output_schema: string | null;
  questions_schema: string | null;
}

export const tableMetadataCatalogSource: CatalogSource = {
  name: "experiment_table_metadata",
  async read(lakehouse, options) {
    if (options?.experimentIds?.length === 0) return [];
    const macros = macrosFromTableMetadata(
      table("experiment_table_metadata"),
      table("experiment_macro_data"),
      experimentFilter("AND", ident("t", "experiment_id"), options?.experimentIds),
    );
    const rows = await lakehouse.query<TableMetadataRow>(sql`
SELECT m.experiment_id, m.macro_name, m.macro_filename, m.sample_count, m.first_seen, m.last_seen, m.output_schema,
  m.questions_schema
FROM (${macros}) AS m
ORDER BY m.experiment_id, m.macro_filename`);
    return rows.map(
      (r): CatalogEntry => ({
        experimentId: String(r.experiment_id),
        macroName: String(r.macro_name ?? r.macro_filename),
        macroFilename: String(r.macro_filename),
        sampleCount: toBigIntCount(r.sample_count),
        firstSeen: toNullableString(r.first_seen),
        lastSeen: toNullableString(r.last_seen),
        outputSchema: toNullableString(r.output_schema),
        questionsSchema: toNullableString(r.questions_schema),
      }),
    );
  },
};
