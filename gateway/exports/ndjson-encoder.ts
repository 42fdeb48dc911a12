/**
 * NDJSON: one JSON object per row and line, keys in column order. Values as GraphQL serializes them: 64-bit
 * integers (ids included) as decimal strings, timestamps as ISO 8601 UTC text, lists and JSON fields as JSON values.
 */
import type { Row } from "../../lakehouse/lakehouse.js";
import type { ExportColumn, ReadContext } from "../../resolvers/exports/export-columns.js";
import { type ExportEncoder, jsonText } from "./export-encoder.js";

export function ndjsonEncoder(columns: readonly ExportColumn[], context: ReadContext): ExportEncoder {
  const encoder = new TextEncoder();
  return {
    rows(rows: readonly Row[]) {
      let text = "";
      for (const row of rows) {
        const object: Record<string, unknown> = {};
        for (const c of columns) object[c.name] = c.read(row, context) ?? null;
        text += `${jsonText(object)}\n`;
      }
      return [encoder.encode(text)];
    },
    finish: () => [],
  };
}
