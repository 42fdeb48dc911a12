/**
 * How a lakehouse reads a typed field of the macro type model out of the VARIANT column: the SQL cast of each scalar
 * kind (`codegen/scalar-kinds.ts`), and the parameter type its values bind as. The dialects spell the casts.
 */
import type { ModelFieldType } from "../codegen/macro-type-model.js";
import type { GraphQLScalarName } from "../codegen/scalar-kinds.js";
import type { VariantCastType, VariantScalarType } from "./dialect.js";
import type { ParamType } from "./sql.js";

const SCALAR_CAST: Readonly<Record<GraphQLScalarName, VariantScalarType | "json">> = {
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

/** How SQL reads a field's value; objects and lists of objects are read as JSON (their fields by their own paths). */
export function variantCastOf(type: ModelFieldType): FieldCast {
  switch (type.kind) {
    case "scalar":
      return SCALAR_CAST[type.scalar];
    case "list": {
      const element = type.of.kind === "scalar" ? SCALAR_CAST[type.of.scalar] : "json";
      return element === "json" ? "json" : { list: element };
    }
    case "object":
      return "json";
  }
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
