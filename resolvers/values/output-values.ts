/**
 * Decoding row values into what the schema's types serialize: typed macro output fields (read from their projected
 * column, or picked from the whole output by path, or from a JSON element below a list), JSON text, and JSON values of
 * query fields (64-bit integers as strings). Anything off-shape is null for that field, never an error.
 */
import type { ModelField, ModelFieldType } from "../../codegen/macro-type-model.js";
import { parseDecimalText } from "../../lakehouse/decimal-text.js";
import { parseInt64 } from "../../lakehouse/int64.js";
import type { RowValue } from "../../lakehouse/lakehouse.js";
import { variantCastOf } from "../../lakehouse/variant-casts.js";
import { OUTPUT_ALIAS } from "../measurements/compile-measurement-page.js";
import type { QueryField } from "../measurements/query-fields.js";

/** Parsed JSON text; null for null or malformed text. */
export function parseJson(text: string | null | undefined): unknown {
  if (text == null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A value of a field as JSON: 64-bit integers and ids as strings, 32-bit integers as numbers. */
export function jsonValue(field: QueryField, value: RowValue | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") {
    return field.scalar === "Int" || field.scalar === "Float" ? Number(value) : value.toString();
  }
  return value;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Coerces a value (from SQL or from JSON) to what a GraphQL type serializes; anything off-shape is null. */
export function coerceValue(type: ModelFieldType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case "list":
      return Array.isArray(value) ? value.map((v) => coerceValue(type.of, v)) : null;
    case "object":
      return typeof value === "object" && !Array.isArray(value) ? value : null;
    case "scalar":
      switch (type.scalar) {
        case "Int": {
          const n =
            typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : Number.NaN;
          return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX ? n : null;
        }
        case "BigInt":
          if (typeof value === "bigint") return value;
          if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
          return typeof value === "string" ? parseInt64(value) : null;
        case "Float": {
          const n =
            typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : Number.NaN;
          return Number.isFinite(n) ? n : null;
        }
        case "Decimal":
          return decimalValue(value);
        case "String":
          return typeof value === "string"
            ? value
            : typeof value === "object"
              ? JSON.stringify(value)
              : String(value);
        case "Boolean":
          return typeof value === "boolean" ? value : null;
        case "Date":
        case "DateTime":
          return typeof value === "string" ? value : null;
        case "JSON":
          return value;
      }
  }
}

/** Significant digits a double holds exactly (a decimal read from JSON with more was rounded by the parse). */
const DOUBLE_DIGITS = 15;

/**
 * A Decimal: exact text from SQL as is. A number (picked from JSON: inside lists, or a row read whole) only when a
 * double holds it exactly — a longer one was rounded when parsed, so it is null rather than a wrong value.
 */
function decimalValue(value: unknown): string | null {
  if (typeof value === "string") return parseDecimalText(value) === null ? null : value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  const parsed = parseDecimalText(String(value));
  if (parsed === null) return null;
  const digits = parsed.text.replace(/^-/, "").replace(".", "").replace(/^0+/, "").length;
  return digits <= DOUBLE_DIGITS ? parsed.text : null;
}

/** An object field in row mode: its fields read their own columns from the same row. */
const PASS_ROW_DOWN = (parent: unknown): unknown => parent;

/**
 * The resolver of a typed output field. Row mode: objects pass the row down to their fields; leaves read their
 * projected column, or — for rows read whole (a sample's measurements) — pick the value from the output by its path.
 * Element mode (below a list): pick by the original key.
 */
export function typedFieldResolver(
  field: ModelField,
  alias: string | undefined,
): (parent: unknown) => unknown {
  const type = field.type;
  if (field.withinList) {
    const key = field.key;
    return (parent) => coerceValue(type, (parent as Record<string, unknown> | null)?.[key]);
  }
  if (type.kind === "object") return PASS_ROW_DOWN;
  const column = alias!;
  const path = field.path;
  const json = variantCastOf(field.type) === "json";
  return (parent) => {
    const row = parent as Record<string, RowValue>;
    if (!(column in row)) return coerceValue(type, pickPath(parsedOutput(row), path));
    const raw = row[column];
    return coerceValue(type, json && typeof raw === "string" ? parseJson(raw) : raw);
  };
}

const PARSED_OUTPUT = new WeakMap<object, unknown>();

/** The row's whole output (`__output` JSON text), parsed once per row. */
function parsedOutput(row: Record<string, RowValue>): unknown {
  if (!PARSED_OUTPUT.has(row)) PARSED_OUTPUT.set(row, parseJson(row[OUTPUT_ALIAS] as string | null));
  return PARSED_OUTPUT.get(row);
}

function pickPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return null;
    current = (current as Record<string, unknown>)[key];
  }
  return current ?? null;
}
