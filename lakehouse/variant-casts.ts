/**
 * How a lakehouse reads a typed field of the macro type model out of the VARIANT column: the SQL cast of each scalar
 * kind (`codegen/scalar-kinds.ts`), and the parameter type its values bind as. The dialects spell the casts.
 */
import type { ModelFieldType } from "../codegen/macro-type-model.js";
import type { GraphQLScalarName } from "../codegen/scalar-kinds.js";
import type { VariantCastType, VariantElementType, VariantScalarType } from "./dialect.js";
import type { ParamType } from "./sql.js";

const SCALAR_CAST: Readonly<Record<Exclude<GraphQLScalarName, "Decimal">, VariantScalarType | "json">> = {
  Int: "bigint",
  BigInt: "bigint",
  Float: "double",
  String: "string",
  Boolean: "boolean",
  Date: "date",
  DateTime: "timestamp",
  JSON: "json",
};

/** A try-cast to a scalar or a list of scalars, or "json" where the value is read whole as JSON text. */
export type FieldCast = VariantCastType | "json";

/** A Decimal reads as DECIMAL(38, its scale) in exact text; a scale beyond 38 digits cannot be and stays JSON. */
function scalarCast(type: Extract<ModelFieldType, { kind: "scalar" }>): VariantElementType | "json" {
  if (type.scalar !== "Decimal") return SCALAR_CAST[type.scalar];
  return type.decimal ? { decimal: type.decimal.scale } : "json";
}

/** How SQL reads a field's value; objects and lists of objects are read as JSON (their fields by their own paths). */
export function variantCastOf(type: ModelFieldType): FieldCast {
  switch (type.kind) {
    case "scalar":
      return scalarCast(type);
    case "list": {
      const element = type.of.kind === "scalar" ? scalarCast(type.of) : "json";
      return element === "json" ? "json" : { list: element };
    }
    case "object":
      return "json";
  }
}

/** The cast of a single value (not a list): the ones a query field can filter and sort by. */
export function isElementCast(cast: FieldCast): cast is VariantElementType {
  return cast !== "json" && !(typeof cast === "object" && "list" in cast);
}

/** A Decimal cast, or a list of them: read as DECIMAL, then returned as exact text (the dialects). */
export function isDecimalCast(type: VariantCastType): boolean {
  const element = typeof type === "object" && "list" in type ? type.list : type;
  return typeof element === "object";
}

/** The parameter type a single value of `cast` binds as (filters, cursors). */
export function paramTypeOfCast(cast: VariantElementType): ParamType {
  return typeof cast === "string" ? PARAM_TYPE_OF_CAST[cast] : "decimal";
}

/** The parameter type that values compared with a scalar cast bind as (filters, cursors). */
export const PARAM_TYPE_OF_CAST: Readonly<Record<VariantScalarType, ParamType>> = {
  boolean: "boolean",
  bigint: "bigint",
  double: "double",
  string: "string",
  date: "date",
  timestamp: "timestamp",
};
