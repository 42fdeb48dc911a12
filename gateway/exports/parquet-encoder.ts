/**
 * Parquet, written by `hyparquet-writer` one row group per page of rows, so a file of any size streams in the
 * memory of one page: each row group's bytes are handed on as soon as it is encoded, and the footer (the row
 * groups' metadata, a few hundred bytes each) at the end. The same writer serves both lakehouses, so a file has the
 * same columns and types whichever one was read.
 *
 * Column types: 64-bit integers INT64 (exact: `bigint` all the way), 32-bit INT32, floats DOUBLE, strings UTF8,
 * booleans BOOLEAN, timestamps INT64 TIMESTAMP(MICROS, UTC) — the lakehouses' precision —, dates INT32 DATE, lists
 * and JSON fields UTF8 JSON text. Every column is OPTIONAL (a value may be missing). Compression: Snappy.
 */
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import type { Row } from "../../lakehouse/lakehouse.js";
import type { ExportColumn, ExportValueType, ReadContext } from "../../resolvers/exports/export-columns.js";
import { type ExportEncoder, jsonText } from "./export-encoder.js";

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]["schema"][number];

const ELEMENTS: Readonly<Record<ExportValueType, Omit<SchemaElement, "name">>> = {
  bigint: { type: "INT64" },
  int: { type: "INT32" },
  double: { type: "DOUBLE" },
  string: { type: "BYTE_ARRAY", converted_type: "UTF8" },
  json: { type: "BYTE_ARRAY", converted_type: "UTF8" },
  boolean: { type: "BOOLEAN" },
  timestamp: {
    type: "INT64",
    converted_type: "TIMESTAMP_MICROS",
    logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
  },
  date: { type: "INT32", converted_type: "DATE" },
};

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/;
const DAY_MS = 86_400_000;

/** `2026-01-02T03:04:05.123456Z` → microseconds since the epoch, exactly (never through a `Date`'s milliseconds). */
export function timestampMicros(text: string): bigint | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const seconds = Date.parse(`${m[1]}Z`);
  if (!Number.isFinite(seconds)) return null;
  return BigInt(seconds) * 1000n + BigInt((m[2] ?? "").padEnd(6, "0"));
}

function parquetValue(type: ExportValueType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "bigint":
      return typeof value === "bigint" ? value : null;
    case "timestamp":
      return typeof value === "string" ? timestampMicros(value) : null;
    case "date": {
      const ms = typeof value === "string" ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
      return Number.isFinite(ms) ? Math.floor(ms / DAY_MS) : null;
    }
    case "json":
      return jsonText(value);
    case "string":
      return typeof value === "string" ? value : String(value);
    default:
      return value;
  }
}

/** A `ByteWriter` whose bytes are taken after every row group instead of growing one buffer for the whole file. */
class ChunkWriter extends ByteWriter {
  chunks: Uint8Array[] = [];

  flush(): void {
    if (this.index === 0) return;
    this.chunks.push(new Uint8Array(this.buffer.slice(0, this.index)));
    this.index = 0;
  }

  override finish(): void {
    this.flush();
  }

  take(): Uint8Array[] {
    this.flush();
    const chunks = this.chunks;
    this.chunks = [];
    return chunks;
  }
}

export function parquetEncoder(columns: readonly ExportColumn[], context: ReadContext): ExportEncoder {
  const writer = new ChunkWriter();
  const schema: SchemaElement[] = [
    { name: "root", num_children: columns.length },
    ...columns.map((c) => ({ name: c.name, repetition_type: "OPTIONAL" as const, ...ELEMENTS[c.type] })),
  ];
  const parquet = new ParquetWriter({ writer, schema, createdBy: "centrum-gateway" });
  return {
    rows(rows: readonly Row[]) {
      if (rows.length === 0) return writer.take();
      const columnData = columns.map((c) => ({
        name: c.name,
        data: rows.map((row) => parquetValue(c.type, c.read(row, context))),
      }));
      // One row group per page: the writer's own split would keep a group of up to 100,000 rows in memory.
      void parquet.write({ columnData, rowGroupSize: rows.length });
      return writer.take();
    },
    finish() {
      void parquet.finish();
      return writer.take();
    },
  };
}
