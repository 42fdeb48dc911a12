/**
 * The type model of a VARIANT schema string (`schema_of_variant_agg` output). Pure data: the parser produces it,
 * the printer turns it back into the exact Databricks text, the macro type model maps it to GraphQL.
 */
export type IntegerKind = "tinyint" | "smallint" | "int" | "bigint";
export type PrimitiveKind =
  | "boolean"
  | IntegerKind
  | "float"
  | "double"
  | "string"
  | "date"
  | "timestamp"
  | "timestamp_ntz"
  | "binary"
  /** Only nulls were seen. */
  | "void"
  /** Conflicting types were seen. */
  | "variant";

/** Every primitive kind, in the order the parser tries its keywords. */
export const PRIMITIVE_KINDS: readonly PrimitiveKind[] = [
  "boolean",
  "tinyint",
  "smallint",
  "int",
  "bigint",
  "float",
  "double",
  "string",
  "date",
  "timestamp",
  "timestamp_ntz",
  "binary",
  "void",
  "variant",
];

export type VariantType =
  | { readonly kind: PrimitiveKind }
  | { readonly kind: "decimal"; readonly precision: number; readonly scale: number }
  | { readonly kind: "array"; readonly element: VariantType }
  | { readonly kind: "object"; readonly fields: readonly VariantField[] };

export interface VariantField {
  /** The key exactly as stored (any characters, may be empty). */
  readonly key: string;
  readonly type: VariantType;
}

/**
 * The one key order of the type model: UTF-16 code units, the order the printer writes and the merge produces.
 * (Not `localeCompare`: a schema must print the same on every machine.)
 */
export function compareVariantKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
