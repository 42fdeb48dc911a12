/**
 * Normalizes driver rows to the lakehouse row contract (`../lakehouse.ts`), driven by the result's column types.
 *
 * With `preserveBigNumericPrecision` and text (non-Arrow-native) timestamps the driver hands us: BIGINT as `bigint`,
 * DECIMAL as exact text, TIMESTAMP as session-zone text (`2026-01-02 03:04:05.123456`, trailing zeros trimmed; the
 * session runs in UTC), DATE as a `Date` at UTC midnight, ARRAY/STRUCT/MAP already parsed from JSON.
 */
import { thrift } from "@databricks/sql";
import type { Row, RowValue } from "../lakehouse.js";
import type { DatabricksResultSchema } from "./databricks-driver.js";

const T = thrift.TCLIService_types.TTypeId;

type Normalize = (value: unknown) => RowValue;

const TIMESTAMP_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (!zone || zone === "Z" || zone === "UTC") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0"));
}

/** ISO 8601 UTC with microseconds: `2026-01-02T03:04:05.123456Z`. */
export function timestampToIso(value: unknown): RowValue {
  if (value instanceof Date) return `${value.toISOString().slice(0, 23)}000Z`;
  if (typeof value === "number") return timestampToIso(new Date(value));
  if (typeof value !== "string") return value === undefined ? null : String(value);
  const m = TIMESTAMP_TEXT.exec(value.trim());
  if (!m) return value;
  const [, y, mo, d, h, mi, s, frac = "", zone] = m;
  const micros = frac.padEnd(6, "0").slice(0, 6);
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  ms -= zoneOffsetMinutes(zone) * 60_000;
  const t = new Date(ms);
  const date = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  return `${date}T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}.${micros}Z`;
}

/** `YYYY-MM-DD`. */
export function dateToIso(value: unknown): RowValue {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === "number") return new Date(value).toISOString().slice(0, 10);
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  return value === undefined || value === null ? null : String(value);
}

export function toBigInt(value: unknown): RowValue {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(Math.trunc(value));
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return BigInt(value.trim());
  // node-int64 and friends print their exact decimal value.
  if (value && typeof value === "object" && /^-?\d+$/.test(String(value))) return BigInt(String(value));
  return value === undefined ? null : (value as RowValue);
}

function toNumber(value: unknown): RowValue {
  if (typeof value === "number") return value;
  if (typeof value === "bigint" || typeof value === "string") return Number(value);
  return value === undefined ? null : (value as RowValue);
}

function toBase64(value: unknown): RowValue {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return typeof value === "string" ? value : String(value);
}

/** Values inside ARRAY/STRUCT/MAP (and columns of unknown type): keep JSON shapes, make driver objects plain. */
export function normalizeNested(value: unknown): RowValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint" || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "string") return value;
  if (value instanceof Date) return timestampToIso(value);
  if (value instanceof Uint8Array) return toBase64(value);
  if (Array.isArray(value)) return value.map(normalizeNested);
  if (typeof value === "object") {
    const out: Record<string, RowValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalizeNested(v);
    return out;
  }
  return String(value);
}

function nestedColumn(value: unknown): RowValue {
  // The driver parses complex-type JSON itself; text here means it could not, so try once more.
  if (typeof value === "string") {
    try {
      return normalizeNested(JSON.parse(value));
    } catch {
      return value;
    }
  }
  return normalizeNested(value);
}

const BY_TYPE = new Map<number, Normalize>([
  [T.BIGINT_TYPE, toBigInt],
  [T.TINYINT_TYPE, toNumber],
  [T.SMALLINT_TYPE, toNumber],
  [T.INT_TYPE, toNumber],
  [T.FLOAT_TYPE, toNumber],
  [T.DOUBLE_TYPE, toNumber],
  [T.DECIMAL_TYPE, toNumber],
  [T.TIMESTAMP_TYPE, timestampToIso],
  [T.DATE_TYPE, dateToIso],
  [T.BINARY_TYPE, toBase64],
  [T.ARRAY_TYPE, nestedColumn],
  [T.STRUCT_TYPE, nestedColumn],
  [T.MAP_TYPE, nestedColumn],
  [T.NULL_TYPE, () => null],
]);

/** Converts driver rows using the column types of `schema` (falls back to shape-based conversion without it). */
export function normalizeDatabricksRows(
  rows: readonly object[],
  schema: DatabricksResultSchema | null,
): Row[] {
  const columns = [...(schema?.columns ?? [])]
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
    .map((c) => ({
      name: c.columnName,
      normalize: BY_TYPE.get(c.typeDesc.types[0]?.primitiveEntry?.type ?? -1) ?? normalizeNested,
    }));
  return rows.map((raw) => {
    const record = raw as Record<string, unknown>;
    const row: Row = {};
    if (columns.length === 0) {
      for (const [k, v] of Object.entries(record)) row[k] = normalizeNested(v);
      return row;
    }
    for (const { name, normalize } of columns) {
      const v = record[name];
      row[name] = v === null || v === undefined ? null : normalize(v);
    }
    return row;
  });
}
