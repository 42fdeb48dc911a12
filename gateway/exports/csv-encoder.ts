/**
 * CSV (RFC 4180): a header of column names, `\r\n` line ends, a field quoted when it holds a comma, a quote, a line
 * break or leading/trailing space (quotes doubled). A null is an empty field, an empty string `""`. 64-bit integers
 * are written as their exact digits, timestamps as ISO 8601 UTC with microseconds, lists and JSON fields as JSON text.
 */
import type { Row } from "../../lakehouse/lakehouse.js";
import type { ExportColumn, ReadContext } from "../../resolvers/exports/export-columns.js";
import { type ExportEncoder, jsonText } from "./export-encoder.js";

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

function field(text: string): string {
  return NEEDS_QUOTES.test(text) || text === "" ? `"${text.replaceAll('"', '""')}"` : text;
}

function cell(column: ExportColumn, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (column.type === "json") return field(jsonText(value));
  if (typeof value === "string") return field(value);
  return String(value);
}

export function csvEncoder(columns: readonly ExportColumn[], context: ReadContext): ExportEncoder {
  const encoder = new TextEncoder();
  let header: string | null = `${columns.map((c) => field(c.name)).join(",")}\r\n`;
  return {
    rows(rows: readonly Row[]) {
      let text = header ?? "";
      header = null;
      for (const row of rows) {
        text += `${columns.map((c) => cell(c, c.read(row, context))).join(",")}\r\n`;
      }
      return [encoder.encode(text)];
    },
    finish() {
      return header === null ? [] : [encoder.encode(header)];
    },
  };
}
