/**
 * The GraphQL view of a macro's output before naming: a VARIANT type mapped to GraphQL scalars, lists and
 * objects, and the merge of those views across experiments. Merging here (not with `mergeVariantTypes`) is
 * deliberate: GraphQL has fewer, wider types, so e.g. TIMESTAMP and TIMESTAMP_NTZ both stay `DateTime`.
 */
import { type GraphQLScalarName, SCALAR_KINDS } from "./scalar-kinds.js";
import { printVariantSchema } from "./variant-schema-printer.js";
import { compareVariantKeys, type VariantField, type VariantType } from "./variant-type.js";

export type { GraphQLScalarName };

/** The digits a `Decimal` field holds: DECIMAL(precision, scale), precision at most 38. */
export interface DecimalDigits {
  readonly precision: number;
  readonly scale: number;
}

/**
 * `decimal`: the digits of a DECIMAL source — on every `Decimal` (SQL reads it as DECIMAL(38, scale)), and on a
 * `Float` that only narrow DECIMALs made, so that merging it with a wider one still gives an exact `Decimal`. The
 * model's field types keep it on `Decimal` only.
 */
export type ScalarShape = {
  readonly kind: "scalar";
  readonly scalar: GraphQLScalarName;
  readonly decimal?: DecimalDigits;
};

/** Up to 15 significant digits a double holds exactly: such decimals stay `Float`. */
export const MAX_FLOAT_DECIMAL_PRECISION = 15;
/** The widest DECIMAL both lakehouses have. */
export const MAX_DECIMAL_PRECISION = 38;

export type OutputShape =
  /** Only nulls seen so far: no evidence of a type; becomes `JSON` if nothing else is ever seen. */
  | { readonly kind: "void" }
  | ScalarShape
  | { readonly kind: "list"; readonly of: OutputShape }
  /** Fields in key order (`compareVariantKeys`), as `shapeOfVariantType` and the merge build them. */
  | { readonly kind: "object"; readonly fields: ReadonlyMap<string, OutputShapeField> };

export interface OutputShapeField {
  readonly shape: OutputShape;
  /**
   * The distinct VARIANT type texts of this key over the experiments that have it (for the field's description),
   * in key order (`compareVariantKeys`).
   */
  readonly variantTypes: readonly string[];
}

const VOID: OutputShape = { kind: "void" };
const JSON_SHAPE: OutputShape = { kind: "scalar", scalar: "JSON" };
/**
 * Shapes are never mutated, so one object per scalar serves every field — also as the model's field type
 * (`{ kind: "scalar", scalar }` in both).
 */
export const SCALAR_SHAPES: Readonly<Record<Exclude<GraphQLScalarName, "Decimal">, ScalarShape>> = {
  Int: { kind: "scalar", scalar: "Int" },
  BigInt: { kind: "scalar", scalar: "BigInt" },
  Float: { kind: "scalar", scalar: "Float" },
  String: { kind: "scalar", scalar: "String" },
  Boolean: { kind: "scalar", scalar: "Boolean" },
  Date: { kind: "scalar", scalar: "Date" },
  DateTime: { kind: "scalar", scalar: "DateTime" },
  JSON: JSON_SHAPE as ScalarShape,
};

/** The shape of DECIMAL(precision, scale): exact `Decimal` above 15 digits, else `Float`. */
export function decimalShape(precision: number, scale: number): ScalarShape {
  const scalar = precision > MAX_FLOAT_DECIMAL_PRECISION ? "Decimal" : "Float";
  return { kind: "scalar", scalar, decimal: { precision, scale } };
}

/** Integer digits an Int or BigInt counts as in a merge with a DECIMAL (Spark's `DecimalType.forType`: INT → (10,0), BIGINT → (20,0)). */
const INTEGER_DIGITS: Readonly<Partial<Record<GraphQLScalarName, number>>> = { Int: 10, BigInt: 20 };

const SCALAR_OF_PRIMITIVE: Readonly<Record<string, Exclude<GraphQLScalarName, "Decimal">>> = {
  boolean: "Boolean",
  tinyint: "Int",
  smallint: "Int",
  int: "Int",
  bigint: "BigInt",
  float: "Float",
  double: "Float",
  string: "String",
  date: "Date",
  timestamp: "DateTime",
  timestamp_ntz: "DateTime",
  binary: "JSON",
  variant: "JSON",
};

export function shapeOfVariantType(type: VariantType): OutputShape {
  switch (type.kind) {
    case "void":
      return VOID;
    case "array":
      return { kind: "list", of: shapeOfVariantType(type.element) };
    case "object": {
      // Kept in key order, so merging two objects is a linear walk.
      const fields = new Map<string, OutputShapeField>();
      for (const field of sortedByKey(type.fields)) {
        fields.set(field.key, {
          shape: shapeOfVariantType(field.type),
          variantTypes: [printVariantSchema(field.type)],
        });
      }
      return { kind: "object", fields };
    }
    case "decimal":
      return decimalShape(type.precision, type.scale);
    default:
      return SCALAR_SHAPES[SCALAR_OF_PRIMITIVE[type.kind] ?? "JSON"];
  }
}

/** The parser keeps the text's order, which Databricks prints sorted: copy only when it is not. */
function sortedByKey(fields: readonly VariantField[]): readonly VariantField[] {
  for (let i = 1; i < fields.length; i++) {
    if (compareVariantKeys(fields[i - 1]!.key, fields[i]!.key) > 0) {
      return [...fields].sort((a, b) => compareVariantKeys(a.key, b.key));
    }
  }
  return fields;
}

/** Commutative and associative (a join in a small lattice), so the merge order never shows in the result. */
export function mergeOutputShapes(a: OutputShape, b: OutputShape): OutputShape {
  if (a === b) return a;
  if (a.kind === "void") return b;
  if (b.kind === "void") return a;
  if (a.kind === "scalar" && b.kind === "scalar") return mergeScalarShapes(a, b);
  if (a.kind === "list" && b.kind === "list") return { kind: "list", of: mergeOutputShapes(a.of, b.of) };
  if (a.kind === "object" && b.kind === "object") return mergeObjects(a.fields, b.fields);
  return JSON_SHAPE;
}

export function mergeScalars(a: GraphQLScalarName, b: GraphQLScalarName): GraphQLScalarName {
  if (a === b) return a;
  const rankA = SCALAR_KINDS[a].numericRank;
  const rankB = SCALAR_KINDS[b].numericRank;
  if (rankA !== null && rankB !== null) return rankA > rankB ? a : b;
  return "JSON";
}

function mergeScalarShapes(a: ScalarShape, b: ScalarShape): ScalarShape {
  // A DECIMAL with a DECIMAL or an integer: a DECIMAL again, as Databricks widens them (`mergeVariantTypes`).
  const decimals = (a.decimal || b.decimal) && isExactNumber(a) && isExactNumber(b);
  if (!decimals) {
    const scalar = mergeScalars(a.scalar, b.scalar);
    return scalar === "Decimal" ? (a.scalar === "Decimal" ? a : b) : SCALAR_SHAPES[scalar];
  }
  // Enough integer digits for both and the larger scale, within 38 digits (integer digits first: a value that
  // then does not fit is null, never rounded to another integer part).
  const integers = Math.max(integerDigits(a), integerDigits(b));
  const scale = Math.min(
    Math.max(a.decimal?.scale ?? 0, b.decimal?.scale ?? 0),
    MAX_DECIMAL_PRECISION - integers,
  );
  const precision = Math.min(integers + scale, MAX_DECIMAL_PRECISION);
  for (const shape of [a, b]) {
    if (shape.decimal?.precision === precision && shape.decimal.scale === scale) return shape;
  }
  return decimalShape(precision, scale);
}

/** Integers, and DECIMAL sources (a Decimal, or a Float made of DECIMALs): not a FLOAT/DOUBLE. */
function isExactNumber(shape: ScalarShape): boolean {
  return shape.decimal !== undefined || shape.scalar === "Int" || shape.scalar === "BigInt";
}

function integerDigits(shape: ScalarShape): number {
  return shape.decimal ? shape.decimal.precision - shape.decimal.scale : (INTEGER_DIGITS[shape.scalar] ?? 0);
}

/** Both maps are in key order; so is the result. */
function mergeObjects(
  a: ReadonlyMap<string, OutputShapeField>,
  b: ReadonlyMap<string, OutputShapeField>,
): OutputShape {
  const fields = new Map<string, OutputShapeField>();
  const left = [...a];
  const right = [...b];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const [leftKey, leftField] = left[i]!;
    const [rightKey, rightField] = right[j]!;
    const order = compareVariantKeys(leftKey, rightKey);
    if (order <= 0) i++;
    if (order >= 0) j++;
    if (order < 0) fields.set(leftKey, leftField);
    else if (order > 0) fields.set(rightKey, rightField);
    else fields.set(leftKey, mergeFields(leftField, rightField));
  }
  for (; i < left.length; i++) fields.set(left[i]![0], left[i]![1]);
  for (; j < right.length; j++) fields.set(right[j]![0], right[j]![1]);
  return { kind: "object", fields };
}

function mergeFields(a: OutputShapeField, b: OutputShapeField): OutputShapeField {
  if (a === b) return a;
  return {
    shape: mergeOutputShapes(a.shape, b.shape),
    variantTypes: unionOfSorted(a.variantTypes, b.variantTypes),
  };
}

/** The sorted union of two sorted lists; one of them when it already holds the other (experiments mostly agree). */
function unionOfSorted(a: readonly string[], b: readonly string[]): readonly string[] {
  if (a === b) return a;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const order = compareVariantKeys(a[i]!, b[j]!);
    out.push(order <= 0 ? a[i]! : b[j]!);
    if (order <= 0) i++;
    if (order >= 0) j++;
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out.length === a.length ? a : out.length === b.length ? b : out;
}
