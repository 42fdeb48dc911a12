/**
 * The columns of an export: what a table's rows become in a file. Pure: a table (a macro's type model, or the raw
 * samples) and an optional `columns` list in, typed columns out, each reading its value from a page row exactly as
 * the GraphQL field of the same name resolves it.
 *
 * - Base columns first (`rowId`, `experimentId`, `timestamp`, …), then every typed macro field in model order, named by
 *   its GraphQL path joined with dots (`messages.info`): nested objects are flattened, lists and JSON fields are
 *   one `json` column each.
 * - `userId` is the contributor id as `where: { userId }` filters it: a per-experiment pseudonym where the
 *   experiment anonymizes contributors (the reader passes `anonymized`).
 * - `bigint` values stay `bigint` (64-bit ids and integers, never a JS number); `Decimal` values are their exact text.
 */
import type { MacroTypeModel, ModelField, ModelFieldType } from "../../codegen/macro-type-model.js";
import type { Row, RowValue } from "../../lakehouse/lakehouse.js";
import { preciseTimestamp } from "../../lakehouse/timestamps.js";
import { pseudonymId } from "../contributors/anonymize.js";
import { BadUserInputError } from "../errors.js";
import { type MeasurementSelection, modelLeaves } from "../measurements/measurement-selection.js";
import { typedFieldResolver } from "../values/output-values.js";

/** How a column's values are typed in a file (Parquet physical/logical types; CSV and NDJSON spellings). */
export type ExportValueType =
  | "bigint"
  | "int"
  | "double"
  | "string"
  | "boolean"
  | "timestamp"
  | "date"
  | "json";

/** A column value: scalars as the row contract has them (timestamps ISO text), `json` columns any JSON value. */
export type ExportValue = unknown;

export interface ExportColumn {
  readonly name: string;
  readonly type: ExportValueType;
  /** The value of this column in a page row. */
  read(row: Row, context: ReadContext): ExportValue;
}

export interface ReadContext {
  /** The experiment anonymizes its contributors: `userId` is a pseudonym. */
  readonly anonymized: boolean;
}

export type ExportTable =
  | { readonly kind: "measurements"; readonly model: MacroTypeModel }
  | { readonly kind: "samples" };

/** The export table name of the raw samples (as `experiment_annotations.table_name` calls them). */
export const SAMPLE_TABLE = "sample";

export interface ExportColumns {
  readonly columns: readonly ExportColumn[];
  /** For macro tables: the typed fields the page statements must project. */
  readonly selection: MeasurementSelection;
}

/** Timestamps as the `DateTime` scalar writes them (`.123Z` when milliseconds hold the value, else `.123456Z`). */
function asDateTime(value: ExportValue): ExportValue {
  return typeof value === "string" ? (preciseTimestamp(value) ?? value) : value;
}

const column = (name: string, type: ExportValueType, read: ExportColumn["read"]): ExportColumn => ({
  name,
  type,
  read: type === "timestamp" ? (row, context) => asDateTime(read(row, context)) : read,
});
const plain =
  (key: string) =>
  (row: Row): ExportValue =>
    row[key] ?? null;

const userId = (row: Row, context: ReadContext): ExportValue => {
  const user = row.user_id;
  if (typeof user !== "string") return null;
  return context.anonymized ? pseudonymId(String(row.experiment_id), user) : user;
};

/** Questions as GraphQL's `Question { label text answer }`. */
const questions = (row: Row): ExportValue => {
  const list = row.questions;
  if (!Array.isArray(list)) return [];
  return list.map((q) => {
    const item = (q ?? {}) as Record<string, RowValue>;
    return {
      label: item.question_label ?? null,
      text: item.question_text ?? null,
      answer: item.question_answer ?? null,
    };
  });
};

const MEASUREMENT_BASE: readonly ExportColumn[] = [
  column("rowId", "bigint", plain("id")),
  column("experimentId", "string", plain("experiment_id")),
  column("timestamp", "timestamp", plain("timestamp")),
  column("deviceId", "string", plain("device_id")),
  column("deviceName", "string", plain("device_name")),
  column("userId", "string", userId),
  column("questions", "json", questions),
  column("error", "string", plain("macro_error")),
];

const SAMPLE_COLUMNS: readonly ExportColumn[] = [
  column("rowId", "bigint", plain("id")),
  column("experimentId", "string", plain("experiment_id")),
  column("timestamp", "timestamp", plain("timestamp")),
  column("processedTimestamp", "timestamp", plain("processed_timestamp")),
  column("deviceId", "string", plain("device_id")),
  column("deviceName", "string", plain("device_name")),
  column("userId", "string", userId),
  column("questions", "json", questions),
  column("measurementSets", "json", (row) => row.measurement_sets ?? []),
  column("macros", "json", (row) => row.macros ?? []),
  column("sample", "json", (row) => (typeof row.sample === "string" ? parseJsonOrNull(row.sample) : null)),
];

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function typeOf(type: ModelFieldType): ExportValueType {
  if (type.kind !== "scalar") return "json";
  switch (type.scalar) {
    case "Int":
      return "int";
    case "BigInt":
      return "bigint";
    case "Float":
      return "double";
    // Exact decimal text (a double would round it).
    case "Decimal":
    case "String":
      return "string";
    case "Boolean":
      return "boolean";
    case "Date":
      return "date";
    case "DateTime":
      return "timestamp";
    case "JSON":
      return "json";
  }
}

interface TypedColumn {
  readonly column: ExportColumn;
  readonly field: ModelField;
}

const TYPED = new WeakMap<MacroTypeModel, readonly TypedColumn[]>();

/** Every typed field of a model that SQL reads on its own, as a column named by its dotted GraphQL path. */
function typedColumns(model: MacroTypeModel): readonly TypedColumn[] {
  const cached = TYPED.get(model);
  if (cached) return cached;
  const leaves = modelLeaves(model);
  const taken = new Set(MEASUREMENT_BASE.map((c) => c.name));
  const out: TypedColumn[] = [];
  const walk = (fields: readonly ModelField[], prefix: readonly string[]) => {
    for (const field of fields) {
      if (field.withinList) continue;
      const path = [...prefix, field.name];
      if (field.type.kind === "object") {
        walk(field.type.object.fields, path);
        continue;
      }
      const alias = leaves.get(field);
      if (alias === undefined) continue;
      // A top-level output key named like a base column (`userId`) keeps its value under `output.<name>`.
      let name = path.join(".");
      if (taken.has(name)) name = `output.${name}`;
      taken.add(name);
      const resolve = typedFieldResolver(field, alias);
      out.push({ field, column: column(name, typeOf(field.type), (row) => resolve(row) ?? null) });
    }
  };
  walk(model.fields, []);
  TYPED.set(model, out);
  return out;
}

/**
 * The columns of `table`, all of them or those `requested` names (in that order): a name is a column, or the
 * dotted path of a nested object (all its columns). An unknown name is BAD_USER_INPUT.
 */
export function exportColumns(table: ExportTable, requested?: readonly string[] | null): ExportColumns {
  const typed = table.kind === "measurements" ? typedColumns(table.model) : [];
  const all =
    table.kind === "measurements" ? [...MEASUREMENT_BASE, ...typed.map((t) => t.column)] : SAMPLE_COLUMNS;
  let columns: readonly ExportColumn[] = all;
  if (requested && requested.length > 0) {
    const picked = new Set<ExportColumn>();
    for (const name of requested) {
      const matches = all.filter((c) => c.name === name || c.name.startsWith(`${name}.`));
      if (matches.length === 0) {
        throw new BadUserInputError(
          `\`columns\`: ${JSON.stringify(name)} is not a column of this table; columns are ${all
            .map((c) => c.name)
            .join(", ")}.`,
          { argument: "columns" },
        );
      }
      for (const c of matches) picked.add(c);
    }
    columns = [...picked];
  }
  const chosen = new Set(columns);
  const leaves = typed.filter((t) => chosen.has(t.column)).map((t) => t.field);
  return { columns, selection: { leaves, output: false, answers: [] } };
}
