/**
 * Prints a type model in the exact text format of Databricks `schema_of_variant_agg`:
 * keys sorted, plain identifiers bare, any other key in backticks with inner backticks doubled.
 */
import { compareVariantKeys, type VariantType } from "./variant-type.js";

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function printVariantKey(key: string): string {
  return PLAIN_KEY.test(key) ? key : `\`${key.replaceAll("`", "``")}\``;
}

export function printVariantSchema(type: VariantType): string {
  switch (type.kind) {
    case "decimal":
      return `DECIMAL(${type.precision},${type.scale})`;
    case "array":
      return `ARRAY<${printVariantSchema(type.element)}>`;
    case "object": {
      const fields = [...type.fields].sort((a, b) => compareVariantKeys(a.key, b.key));
      return `OBJECT<${fields.map((f) => `${printVariantKey(f.key)}: ${printVariantSchema(f.type)}`).join(", ")}>`;
    }
    default:
      return type.kind.toUpperCase();
  }
}
