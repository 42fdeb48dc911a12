/**
 * The catalog from the centrum `experiment_macros` table (written by the pipeline; by the importer locally). The
 * table has no questions schema, so this source types no answers (`questionsSchema` null).
 */
import { ident, sql, table } from "../../lakehouse/sql.js";
import type { CatalogEntry, CatalogSource } from "./catalog-source.js";
import { experimentFilter, toBigIntCount, toNullableString } from "./catalog-values.js";

interface ExperimentMacrosRow {
  experiment_id: string;
  macro_name: string;
  macro_filename: string;
  sample_count: unknown;
  first_seen: string | null;
  last_seen: string | null;
  output_schema: string | null;
}

export const experimentMacrosCatalogSource: CatalogSource = {
  name: "experiment_macros",
  async read(lakehouse, options) {
    if (options?.experimentIds?.length === 0) return [];
    const rows = await lakehouse.query<ExperimentMacrosRow>(sql`
SELECT m.experiment_id, m.macro_name, m.macro_filename, m.sample_count, m.first_seen, m.last_seen, m.output_schema
FROM ${table("experiment_macros")} AS m${experimentFilter("WHERE", ident("m", "experiment_id"), options?.experimentIds)}
ORDER BY m.experiment_id, m.macro_filename`);
    return rows.map(
      (r): CatalogEntry => ({
        experimentId: String(r.experiment_id),
        macroName: String(r.macro_name),
        macroFilename: String(r.macro_filename),
        sampleCount: toBigIntCount(r.sample_count),
        firstSeen: toNullableString(r.first_seen),
        lastSeen: toNullableString(r.last_seen),
        outputSchema: toNullableString(r.output_schema),
        questionsSchema: null,
      }),
    );
  },
};
