/** The shapes of the rows page statements return, shared by the pages, the loaders and the resolvers. */
import type { Row, RowValue } from "../lakehouse/lakehouse.js";

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
