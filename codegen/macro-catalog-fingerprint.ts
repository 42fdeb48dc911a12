/**
 * A stable hash of the macro catalog, served as `Query.schemaVersion`: equal catalogs (in any order) give equal
 * hashes, so clients can cache the schema until it changes.
 */
import { createHash } from "node:crypto";
import type { CatalogSchemaEntry } from "./macro-type-model.js";
import { compareVariantKeys } from "./variant-type.js";

/** Bump when the model's naming or merge rules change: the same catalog then yields a different schema. */
const MODEL_RULES_VERSION = "macro-type-model/2";

export function macroCatalogFingerprint(entries: readonly CatalogSchemaEntry[]): string {
  const rows = [
    ...new Set(
      entries.map((e) =>
        JSON.stringify([
          e.macroFilename,
          e.experimentId,
          e.macroName,
          e.outputSchema,
          // Only where there is one, so a catalog without questions schemas keeps its rows.
          ...(e.questionsSchema == null ? [] : [e.questionsSchema]),
        ]),
      ),
    ),
  ].sort(compareVariantKeys);
  const hash = createHash("sha256").update(MODEL_RULES_VERSION);
  for (const row of rows) hash.update("\n").update(row);
  return hash.digest("hex");
}
