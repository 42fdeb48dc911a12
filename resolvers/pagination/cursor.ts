/**
 * Opaque, validated Relay cursors. A cursor carries the full sort key of a row plus its row key, and a signature
 * of the query it came from (connection, filter, sort order), so a cursor from another query is rejected instead
 * of silently skipping or repeating rows.
 */
import { createHash } from "node:crypto";
import { parseDecimalText } from "../../lakehouse/decimal-text.js";
import { parseInt64 } from "../../lakehouse/int64.js";
import type { ParamType, ParamValue } from "../../lakehouse/sql.js";
import { BadUserInputError } from "../errors.js";

const VERSION = 1;

/** A stable short hash of whatever identifies the query a cursor belongs to. */
export function cursorSignature(parts: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(parts, (_k, v) => (typeof v === "bigint" ? v.toString() : v)))
    .digest("base64url")
    .slice(0, 16);
}

type Encoded = string | number | boolean | null;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function encodeValue(value: ParamValue): Encoded {
  return typeof value === "bigint" ? value.toString() : value;
}

function decodeValue(value: unknown, type: ParamType): ParamValue {
  if (value === null) return null;
  switch (type) {
    case "bigint":
      if (typeof value === "string") {
        const id = parseInt64(value);
        if (id !== null) return id;
      }
      break;
    case "int":
      if (typeof value === "number" && Number.isSafeInteger(value)) return value;
      break;
    case "double":
      if (typeof value === "number" && Number.isFinite(value)) return value;
      break;
    case "decimal":
      // A key the lakehouse printed (DECIMAL(38, s) as text): never anything the cast could refuse.
      if (typeof value === "string" && value.length <= 40 && parseDecimalText(value) !== null) return value;
      break;
    case "timestamp":
      // A key the lakehouse printed: ISO 8601 with up to microseconds; anything else never reaches SQL.
      if (typeof value === "string" && TIMESTAMP.test(value) && Number.isFinite(Date.parse(value)))
        return value;
      break;
    case "date":
      if (typeof value === "string" && DATE.test(value) && Number.isFinite(Date.parse(value))) return value;
      break;
    case "boolean":
      if (typeof value === "boolean") return value;
      break;
    default:
      if (typeof value === "string") return value;
  }
  throw new Error("bad value");
}

export function encodeCursor(signature: string, values: readonly ParamValue[]): string {
  const json = JSON.stringify({ v: VERSION, s: signature, k: values.map(encodeValue) });
  return Buffer.from(json, "utf8").toString("base64url");
}

/** Decodes and validates a cursor against the query's signature and key types; throws BAD_USER_INPUT. */
export function decodeCursor(cursor: string, signature: string, types: readonly ParamType[]): ParamValue[] {
  let parsed: { v?: unknown; s?: unknown; k?: unknown };
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error("alphabet");
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new BadUserInputError("The cursor is malformed. Use a cursor returned by this connection.", {
      argument: "after",
    });
  }
  if (parsed.v !== VERSION || !Array.isArray(parsed.k) || parsed.k.length !== types.length) {
    throw new BadUserInputError("The cursor is malformed. Use a cursor returned by this connection.");
  }
  if (parsed.s !== signature) {
    throw new BadUserInputError(
      "The cursor belongs to another query or sort order. Restart paging without a cursor when filters or order change.",
    );
  }
  try {
    return parsed.k.map((value, i) => decodeValue(value, types[i]!));
  } catch {
    throw new BadUserInputError("The cursor is malformed. Use a cursor returned by this connection.");
  }
}
