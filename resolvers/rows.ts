/** The shapes of the rows page statements return, shared by the pages, the loaders and the resolvers. */
import type { Dialect, NestedType } from "../lakehouse/dialect.js";
import type { Row, RowValue } from "../lakehouse/lakehouse.js";
import { dialectSql, ident, type Sql } from "../lakehouse/sql.js";

/** The complex (list/struct) base columns of the data tables, with the types their values are read back as. */
export const NESTED_COLUMN_TYPES: Readonly<Record<string, NestedType>> = {
  questions: {
    list: { struct: { question_label: "string", question_text: "string", question_answer: "string" } },
  },
  measurement_sets: { list: "string" },
  macros: { list: { struct: { id: "string", name: "string", filename: "string" } } },
};

/**
 * A base column of `experiment_raw_data` / `experiment_macro_data` as a select-list item named like the column,
 * optionally qualified: complex columns through `Dialect.complexColumn` (exact on every lakehouse), others as is.
 */
export function baseColumn(name: string, qualifier?: string): Sql {
  const column = qualifier === undefined ? ident(name) : ident(qualifier, name);
  const type = NESTED_COLUMN_TYPES[name];
  return type ? dialectSql((d: Dialect) => d.complexColumn(column, type, name)) : column;
}

/** A macro row (`experiment_macro_data`) with its base columns and the projected output values. */
export interface MeasurementRow {
  experiment_id: string;
  macro_filename: string;
  macro_name: string;
  id: bigint;
  timestamp: string | null;
  device_id: string | null;
  device_name: string | null;
  user_id: string | null;
  macro_error: string | null;
  questions: Row[string];
  /** Projected leaf values (`v<n>`) and `__output`. */
  [column: string]: RowValue;
}

/** A raw sample (`experiment_raw_data`). */
export interface SampleRow {
  experiment_id: string;
  id: bigint;
  device_id: string | null;
  device_name: string | null;
  timestamp: string | null;
  user_id: string | null;
  sample: string | null;
  measurement_sets: string[] | null;
  questions:
    | { question_label: string | null; question_text: string | null; question_answer: string | null }[]
    | null;
  macros: { id: string | null; name: string | null; filename: string | null }[] | null;
  processed_timestamp: string | null;
}
