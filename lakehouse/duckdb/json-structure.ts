/**
 * Converts DuckDB's `json_group_structure` output into the VARIANT type model, so the embedded lakehouse can write
 * `experiment_macros.output_schema` in the Databricks `schema_of_variant_agg` format with one aggregate statement.
 *
 * DuckDB reports conflicting types as "JSON" (→ VARIANT), only-nulls as "NULL" (→ VOID), and parses every JSON
 * number with a fraction as DOUBLE (so the embedded catalog reports DOUBLE where Databricks may say DECIMAL(p,s)).
 */
import type { VariantType } from "../../codegen/variant-type.js";

const PRIMITIVES: Record<string, VariantType> = {
  NULL: { kind: "void" },
  JSON: { kind: "variant" },
  BOOLEAN: { kind: "boolean" },
  VARCHAR: { kind: "string" },
  UBIGINT: { kind: "bigint" },
  BIGINT: { kind: "bigint" },
  INTEGER: { kind: "bigint" },
  UINTEGER: { kind: "bigint" },
  HUGEINT: { kind: "double" },
  DOUBLE: { kind: "double" },
};

export function variantTypeFromJsonStructure(structure: unknown): VariantType {
  if (typeof structure === "string") return PRIMITIVES[structure] ?? { kind: "variant" };
  if (Array.isArray(structure)) {
    return {
      kind: "array",
      element: structure.length ? variantTypeFromJsonStructure(structure[0]) : { kind: "void" },
    };
  }
  if (structure && typeof structure === "object") {
    return {
      kind: "object",
      fields: Object.entries(structure).map(([key, value]) => ({
        key,
        type: variantTypeFromJsonStructure(value),
      })),
    };
  }
  return { kind: "void" };
}
