/**
 * Normalizes driver rows to the lakehouse row contract (`../lakehouse.ts`), driven by the result's column types.
 *
 * With `preserveBigNumericPrecision` and text (non-Arrow-native) timestamps the driver hands us: BIGINT as `bigint`,
 * DECIMAL as exact text, TIMESTAMP as session-zone text (`2026-01-02 03:04:05.123456`, trailing zeros trimmed; the
 * session runs in UTC), DATE as a `Date` at UTC midnight. ARRAY/STRUCT/MAP columns the driver would parse itself from
 * the server's JSON-like text, and lose (`[]`/`{}`) when that text is not JSON — so the gateway selects every
 * complex value as `to_json(…)` text (`Dialect.complexColumn`) and `decodeComplexColumns` parses it here, exactly:
 * nested BIGINTs as `bigint`, nested TIMESTAMPs as ISO text, and a value it cannot read is an error, never empty.
 */
import { thrift } from "@databricks/sql";
import type { NestedType } from "../dialect.js";
import { LakehouseStatementError } from "../errors.js";
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

// ---- complex values selected as JSON text --------------------------------------------------------------------

/** A JSON number as its literal text, so an integer beyond 2^53 stays exact until its type is known. */
class JsonNumber {
  constructor(readonly text: string) {}
}

type JsonValue = string | boolean | null | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

class NestedValueError extends Error {}

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const JSON_STRING = /"(?:[^"\\]|\\.)*"/y;

/** Strict JSON (RFC 8259) with numbers kept as their text. */
function parseJsonExact(text: string): JsonValue {
  let at = 0;
  const fail = (what: string): never => {
    throw new NestedValueError(`${what} at offset ${at}`);
  };
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const str = (literalText: string): string => {
    try {
      return JSON.parse(literalText) as string;
    } catch {
      return fail("bad string");
    }
  };
  const literal = (re: RegExp): string | null => {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return null;
    at += m[0].length;
    return m[0];
  };
  const value = (depth: number): JsonValue => {
    if (depth > 256) fail("nesting too deep");
    space();
    const ch = text[at];
    if (ch === "{") {
      at++;
      const out: { [key: string]: JsonValue } = {};
      space();
      if (text[at] === "}") {
        at++;
        return out;
      }
      for (;;) {
        space();
        const key = literal(JSON_STRING);
        if (key === null) return fail("expected a key");
        space();
        if (text[at++] !== ":") fail("expected ':'");
        out[str(key)] = value(depth + 1);
        space();
        const next = text[at++];
        if (next === "}") return out;
        if (next !== ",") fail("expected ',' or '}'");
      }
    }
    if (ch === "[") {
      at++;
      const out: JsonValue[] = [];
      space();
      if (text[at] === "]") {
        at++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        space();
        const next = text[at++];
        if (next === "]") return out;
        if (next !== ",") fail("expected ',' or ']'");
      }
    }
    if (ch === '"') {
      const s = literal(JSON_STRING);
      return s === null ? fail("bad string") : str(s);
    }
    for (const [word, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return v;
      }
    }
    const n = literal(JSON_NUMBER);
    return n === null ? fail("unexpected character") : new JsonNumber(n);
  };
  const out = value(0);
  space();
  if (at !== text.length) fail("trailing text");
  return out;
}

function nestedAs(value: JsonValue, type: NestedType, path: string): RowValue {
  if (value === null) return null;
  const wrong = (): never => {
    throw new NestedValueError(
      `${path || "value"} is not a ${typeof type === "string" ? type : Object.keys(type)[0]}`,
    );
  };
  if (typeof type === "object") {
    if ("list" in type) {
      if (!Array.isArray(value)) return wrong();
      return value.map((v, i) => nestedAs(v, type.list, `${path}[${i}]`));
    }
    if (!value || typeof value !== "object" || Array.isArray(value) || value instanceof JsonNumber)
      return wrong();
    const out: Record<string, RowValue> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = nestedAs(v, type.struct[k] ?? "json", `${path}.${k}`);
    return out;
  }
  switch (type) {
    case "bigint":
      if (value instanceof JsonNumber && /^-?\d+$/.test(value.text)) return BigInt(value.text);
      return wrong();
    case "int":
    case "double":
      return value instanceof JsonNumber ? Number(value.text) : wrong();
    case "boolean":
      return typeof value === "boolean" ? value : wrong();
    case "string":
      return typeof value === "string" ? value : wrong();
    case "timestamp":
      return typeof value === "string" && TIMESTAMP_TEXT.test(value.trim()) ? timestampToIso(value) : wrong();
    case "date":
      return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : wrong();
    case "json":
      return plainJson(value);
  }
}

/** A value of no declared type: JSON as is; an integer beyond 2^53 as `bigint` rather than a rounded number. */
function plainJson(value: JsonValue): RowValue {
  if (value instanceof JsonNumber) {
    const n = Number(value.text);
    return /^-?\d+$/.test(value.text) && !Number.isSafeInteger(n) ? BigInt(value.text) : n;
  }
  if (Array.isArray(value)) return value.map(plainJson);
  if (value && typeof value === "object") {
    const out: Record<string, RowValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plainJson(v);
    return out;
  }
  return value;
}

/** Reads one complex value selected as JSON text; throws `NestedValueError` when it is not of `type`. */
export function decodeNestedJson(text: string, type: NestedType): RowValue {
  return nestedAs(parseJsonExact(text), type, "");
}

/**
 * Parses the columns a statement selected with `Dialect.complexColumn` (JSON text) into their values, in place.
 * A value that is not JSON of its declared type fails the statement with `LAKEHOUSE_ERROR`, never an empty list.
 */
export function decodeComplexColumns(rows: Row[], columns: ReadonlyMap<string, NestedType>): Row[] {
  if (columns.size === 0) return rows;
  for (const row of rows) {
    for (const [name, type] of columns) {
      const value = row[name];
      if (value === null || value === undefined) continue;
      try {
        if (typeof value !== "string") throw new NestedValueError(`expected JSON text, got ${typeof value}`);
        row[name] = decodeNestedJson(value, type);
      } catch (error) {
        if (!(error instanceof NestedValueError)) throw error;
        throw new LakehouseStatementError(
          `The lakehouse returned a nested value the gateway cannot read (column ${name}: ${error.message}).`,
          error,
        );
      }
    }
  }
  return rows;
}
