/**
 * An export file format: the columns in, the bytes of the file out, a page of rows at a time. One encoder per
 * format, one file each (`csv-encoder.ts`, `ndjson-encoder.ts`, `parquet-encoder.ts`); the endpoint only drives
 * them, so a format never knows HTTP and the endpoint never knows a format.
 */
import type { Row } from "../../lakehouse/lakehouse.js";
import type { ExportColumn, ReadContext } from "../../resolvers/exports/export-columns.js";
import { csvEncoder } from "./csv-encoder.js";
import { ndjsonEncoder } from "./ndjson-encoder.js";
import { parquetEncoder } from "./parquet-encoder.js";

export const EXPORT_FORMATS = ["csv", "ndjson", "parquet"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportEncoder {
  /** Bytes of one page of rows (the header before the first page's, for formats that have one). */
  rows(rows: readonly Row[]): Uint8Array[];
  /** The last bytes of the file (Parquet's footer; nothing for line formats). */
  finish(): Uint8Array[];
}

export interface ExportFormatSpec {
  readonly contentType: string;
  create(columns: readonly ExportColumn[], context: ReadContext): ExportEncoder;
}

export const EXPORT_FORMAT_SPECS: Readonly<Record<ExportFormat, ExportFormatSpec>> = {
  csv: { contentType: "text/csv; charset=utf-8", create: csvEncoder },
  ndjson: { contentType: "application/x-ndjson; charset=utf-8", create: ndjsonEncoder },
  parquet: { contentType: "application/vnd.apache.parquet", create: parquetEncoder },
};

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

/** JSON text with 64-bit integers as decimal strings (as GraphQL's `BigInt` serializes them). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}
