/**
 * Prints a type model in the exact text format of Databricks `schema_of_variant_agg`:
 * keys sorted, plain identifiers bare, any other key in backticks with inner backticks doubled.
 */
import { compareVariantKeys, PRIMITIVE_KINDS, type VariantField, type VariantType } from "./variant-type.js";

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS: ReadonlyMap<string, string> = new Map(
  PRIMITIVE_KINDS.map((kind) => [kind, kind.toUpperCase()]),
);

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
      let text = "OBJECT<";
      for (const [i, f] of sortedFields(type.fields).entries()) {
        text += `${i === 0 ? "" : ", "}${printVariantKey(f.key)}: ${printVariantSchema(f.type)}`;
      }
      return `${text}>`;
    }
    default:
      return KEYWORDS.get(type.kind) ?? type.kind.toUpperCase();
  }
}

function sortedFields(fields: readonly VariantField[]): readonly VariantField[] {
  for (let i = 1; i < fields.length; i++) {
    if (compareVariantKeys(fields[i - 1]!.key, fields[i]!.key) > 0) {
      return [...fields].sort((a, b) => compareVariantKeys(a.key, b.key));
    }
  }
  return fields;
}
