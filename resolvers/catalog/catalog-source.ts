/**
 * Where the macro catalog comes from: one row per (experiment, macro) with its sample count and the aggregated
 * VARIANT schema of its output. Two sources, chosen by config (`CATALOG_SOURCE`): the centrum `experiment_macros`
 * table (both lakehouses) and production openJII's `experiment_table_metadata`.
 */
import type { Lakehouse } from "../../lakehouse/lakehouse.js";
import { experimentMacrosCatalogSource } from "./experiment-macros-catalog-source.js";
import { tableMetadataCatalogSource } from "./table-metadata-catalog-source.js";

export interface CatalogEntry {
  readonly experimentId: string;
  readonly macroName: string;
  readonly macroFilename: string;
  readonly sampleCount: bigint;
  /** ISO 8601 UTC timestamps, or null when the source does not track them. */
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  /** `schema_of_variant_agg` text, or null before any output was seen. */
  readonly outputSchema: string | null;
  /**
   * `schema_of_variant_agg` text of the rows' question answers (an OBJECT of label → type), where the source has
   * one (`experiment_table_metadata.questions_schema`); null: no typed answers for this experiment.
   */
  readonly questionsSchema: string | null;
}

export interface CatalogReadOptions {
  /** Only these experiments (none: an empty result, without a statement). Omitted: every experiment. */
  readonly experimentIds?: readonly string[];
}

export interface CatalogSource {
  readonly name: CatalogSourceName;
  /** One statement; entries ordered by experiment id, then macro filename. */
  read(lakehouse: Lakehouse, options?: CatalogReadOptions): Promise<CatalogEntry[]>;
}

export type CatalogSourceName = "experiment_macros" | "experiment_table_metadata";

export function catalogSourceByName(name: CatalogSourceName): CatalogSource {
  switch (name) {
    case "experiment_macros":
      return experimentMacrosCatalogSource;
    case "experiment_table_metadata":
      return tableMetadataCatalogSource;
  }
}
