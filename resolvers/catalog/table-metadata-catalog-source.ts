/**
 * The catalog from production openJII's `experiment_table_metadata` (one row per experiment table; macro tables
 * have `table_type = 'macro'`): `identifier` is the macro filename, `display_name` its name, `row_count` the
 * sample count and `macro_schema` the aggregated output schema. The table does not track first/last seen.
 */
import { ident, sql, table } from "../../lakehouse/sql.js";
import type { CatalogEntry, CatalogSource } from "./catalog-source.js";
import { experimentFilter, toBigIntCount, toNullableString } from "./catalog-values.js";

interface TableMetadataRow {
  experiment_id: string;
  identifier: string;
  display_name: string | null;
  row_count: unknown;
  macro_schema: string | null;
}

export const tableMetadataCatalogSource: CatalogSource = {
  name: "experiment_table_metadata",
  async read(lakehouse, options) {
    if (options?.experimentIds?.length === 0) return [];
    const rows = await lakehouse.query<TableMetadataRow>(sql`
SELECT t.experiment_id, t.identifier, t.display_name, t.row_count, t.macro_schema
FROM ${table("experiment_table_metadata")} AS t
WHERE t.table_type = ${"macro"}${experimentFilter("AND", ident("t", "experiment_id"), options?.experimentIds)}
ORDER BY t.experiment_id, t.identifier`);
    return rows.map(
      (r): CatalogEntry => ({
        experimentId: String(r.experiment_id),
        // A macro without a display name is shown by its identifier.
        macroName: r.display_name ?? String(r.identifier),
        macroFilename: String(r.identifier),
        sampleCount: toBigIntCount(r.row_count),
        firstSeen: null,
        lastSeen: null,
        outputSchema: toNullableString(r.macro_schema),
      }),
    );
  },
};
