/**
 * Merges two VARIANT types the way `schema_of_variant_agg` merges the schemas of its rows, so the merge of the
 * schemas of several experiments reads like the schema of their union. Commutative; see README.md for the rules.
 */
import { MAX_DECIMAL_PRECISION } from "./variant-schema-parser.js";
import { compareVariantKeys, type IntegerKind, type VariantField, type VariantType } from "./variant-type.js";

type DecimalType = Extract<VariantType, { kind: "decimal" }>;

const INTEGER_RANK: Readonly<Record<IntegerKind, number>> = { tinyint: 0, smallint: 1, int: 2, bigint: 3 };

/** The smallest decimal that holds every value of the integer type (Spark's `DecimalType.forType`). */
const INTEGER_AS_DECIMAL: Readonly<Record<IntegerKind, DecimalType>> = {
  tinyint: { kind: "decimal", precision: 3, scale: 0 },
  smallint: { kind: "decimal", precision: 5, scale: 0 },
  int: { kind: "decimal", precision: 10, scale: 0 },
  bigint: { kind: "decimal", precision: 20, scale: 0 },
};

const VARIANT: VariantType = { kind: "variant" };
const DOUBLE: VariantType = { kind: "double" };

export function mergeVariantTypes(a: VariantType, b: VariantType): VariantType {
  // VOID means "only nulls seen": it says nothing about the type.
  if (a.kind === "void") return b;
  if (b.kind === "void") return a;
  if (a.kind === "array" && b.kind === "array") {
    return { kind: "array", element: mergeVariantTypes(a.element, b.element) };
  }
  if (a.kind === "object" && b.kind === "object") return mergeObjects(a.fields, b.fields);
  if (a.kind === "decimal" && b.kind === "decimal") return mergeDecimals(a, b);
  if (isInteger(a) && isInteger(b)) return INTEGER_RANK[a.kind] >= INTEGER_RANK[b.kind] ? a : b;
  if (isInteger(a) && b.kind === "decimal") return mergeDecimals(INTEGER_AS_DECIMAL[a.kind], b);
  if (a.kind === "decimal" && isInteger(b)) return mergeDecimals(a, INTEGER_AS_DECIMAL[b.kind]);
  if (a.kind === b.kind && a.kind !== "array" && a.kind !== "object") return a;
  // Any other pair of numbers involves FLOAT or DOUBLE: DOUBLE holds both (approximately).
  if (isNumeric(a) && isNumeric(b)) return DOUBLE;
  return VARIANT;
}

function mergeObjects(a: readonly VariantField[], b: readonly VariantField[]): VariantType {
  const merged = new Map<string, VariantType>();
  for (const field of a) merged.set(field.key, field.type);
  for (const field of b) {
    const existing = merged.get(field.key);
    merged.set(field.key, existing === undefined ? field.type : mergeVariantTypes(existing, field.type));
  }
  const fields = [...merged.keys()].sort(compareVariantKeys).map((key) => ({ key, type: merged.get(key)! }));
  return { kind: "object", fields };
}

/** Enough integer digits for either side plus the larger scale; beyond DECIMAL(38) only DOUBLE is wide enough. */
function mergeDecimals(a: DecimalType, b: DecimalType): VariantType {
  const scale = Math.max(a.scale, b.scale);
  const integerDigits = Math.max(a.precision - a.scale, b.precision - b.scale);
  const precision = integerDigits + scale;
  return precision > MAX_DECIMAL_PRECISION ? DOUBLE : { kind: "decimal", precision, scale };
}

function isInteger(type: VariantType): type is { kind: IntegerKind } {
  return Object.hasOwn(INTEGER_RANK, type.kind);
}

function isNumeric(type: VariantType): boolean {
  return isInteger(type) || type.kind === "decimal" || type.kind === "float" || type.kind === "double";
}
