/**
 * A dialect owns every textual difference between lakehouses: parameter markers, identifier and path quoting,
 * VARIANT access, try-casts, time buckets. It is pure — no I/O — so golden fixtures can render the same plan in
 * both dialects and compare files.
 */
import type { ParamType, Sql } from "./sql.js";

/** How a deployment's physical tables hold the centrum tables (`table-shapes.ts`). */
export const TABLE_SHAPES = ["centrum", "openjii"] as const;
export type TableShape = (typeof TABLE_SHAPES)[number];

export const CENTRUM_TABLES = [
  "experiments",
  "experiment_members",
  "experiment_raw_data",
  "experiment_device_data",
  "experiment_macro_data",
  "experiment_macros",
  "experiment_contributors",
  "experiment_annotations",
  /** The gateway's idempotency ledger of annotation mutations (written by the gateway only). */
  "experiment_annotation_requests",
  "experiment_status",
  "enriched_experiment_raw_data",
  "enriched_experiment_macro_data",
  /** Production openJII catalog table (Databricks catalog source option). */
  "experiment_table_metadata",
  /** Embedded lakehouse only: stand-in for the openJII backend's user profiles. */
  "users",
] as const;
export type CentrumTable = (typeof CENTRUM_TABLES)[number];

/** Scalar SQL types a VARIANT path can be try-cast to. */
export type VariantScalarType = "boolean" | "bigint" | "double" | "string" | "date" | "timestamp";
/**
 * DECIMAL(38, scale), read back as its exact decimal text (fixed to `scale` digits): no driver turns it into a double.
 * A value that does not fit (overflow, not a number) is NULL.
 */
export interface DecimalCastType {
  readonly decimal: number;
}
/** What one value (or each element of a list) is try-cast to. */
export type VariantElementType = VariantScalarType | DecimalCastType;
/** A cast target: a scalar or a list of scalars (for `ARRAY<DOUBLE>` and friends). */
export type VariantCastType = VariantElementType | { readonly list: VariantElementType };

/** The widest DECIMAL of both lakehouses; `Decimal` fields are read and compared as DECIMAL(38, scale). */
export const DECIMAL_PRECISION = 38;

/** Object keys from the root of a VARIANT value; keys come from the catalog and are quoted by the dialect. */
export type VariantPath = readonly string[];

/**
 * The type of a complex (LIST/ARRAY, STRUCT) value, for the connector to read it back exactly: scalars by their SQL
 * type (`bigint` exact, `timestamp` as ISO text with microseconds), `json` for a value kept as the JSON gives it.
 * A struct field not named in `struct` is read as `json`.
 */
export type NestedType =
  | "string"
  | "boolean"
  | "int"
  | "bigint"
  | "double"
  | "timestamp"
  | "date"
  | "json"
  | { readonly list: NestedType }
  | { readonly struct: Readonly<Record<string, NestedType>> };

export type TimeBucketUnit = "minute" | "hour" | "day" | "week" | "month" | "year";

/** An idempotent write (see `Dialect.upsert`). Column names are fixed in our code; values are bound parameters. */
export interface UpsertWrite {
  readonly table: CentrumTable;
  readonly columns: readonly string[];
  /** One expression per column, in `columns` order (usually bound parameters). At least one row. */
  readonly rows: readonly (readonly Sql[])[];
  /** The columns that identify a row. */
  readonly key: readonly string[];
  /** Columns overwritten when the row exists; empty leaves an existing row unchanged. */
  readonly update?: readonly string[];
}

export interface Dialect {
  readonly name: "duckdb" | "databricks";
  /** Quotes an identifier; any character is allowed inside. */
  quoteIdent(name: string): string;
  /** Quotes a string literal (used only for catalog identifiers such as VARIANT keys, never for user values). */
  quoteString(value: string): string;
  /**
   * The text that stands for the named bound parameter, including any cast its type needs; `isNull` when the bound
   * value is NULL (a driver that sends NULL untyped needs the cast for the expression to keep its type).
   */
  paramMarker(name: string, type: ParamType, isNull?: boolean): string;
  /** The shape of the deployment's tables (`table-shapes.ts`); `centrum` unless configured. */
  readonly shape: TableShape;
  /** The fully qualified name of a centrum table or view. */
  tableName(table: CentrumTable): string;
  /**
   * What `table(name)` renders as: the physical table, or the shape's relation over it (`tableSource`);
   * `withCommitPosition` for `committedTable(name)`.
   */
  tableSource(table: CentrumTable, withCommitPosition: boolean): Sql;
  /**
   * A list of `question_label`/`question_text`/`question_answer` structs (the centrum `questions` column) from a
   * VARIANT object of label → answer (openJII's `questions_data`); answers as text, `question_text` NULL; NULL
   * when the value is not an object.
   */
  questionsFromObject(expr: Sql): Sql;
  /**
   * Where a row of `experiment_macro_data` read under `alias` holds its answer to the question `label`: a VARIANT
   * `column` and the `path` in it, for `variantGet`, `variantDecimal` and `variantJson` to read it as its declared
   * type (a value that does not fit is NULL). Centrum shape: the answer text from `questions` (label bound) as a
   * VARIANT string; openJII shape: `questions_data` at `[label]` (`table-shapes.ts`).
   */
  questionAnswerSource(alias: string, label: string): { readonly column: Sql; readonly path: VariantPath };
  /** A NULL typed as a list of strings. */
  nullStringList(): Sql;
  /**
   * Select-list items (each after a leading `, `) a derived relation over a data table read under `alias` carries
   * so that `commitPosition` works over the relation as over the table (`committedTable`); empty when the
   * position is a plain column.
   */
  commitColumns(alias: string): Sql;

  /** `column` at `path`, try-cast to `type`: a value of another shape yields NULL, never an error. */
  variantGet(column: Sql, path: VariantPath, type: VariantCastType): Sql;
  /**
   * `column` at `path` try-cast to DECIMAL(38, `scale`) as a number (to compare, sort, aggregate); NULL when it is
   * not a number or does not fit. `variantGet` with `{ decimal: scale }` is this value as exact text.
   */
  variantDecimal(column: Sql, path: VariantPath, scale: number): Sql;
  /**
   * `expr` (decimal text, such as a bound `decimal` parameter or a selected key) try-cast to DECIMAL(38, `scale`):
   * NULL, never an error, for text that does not fit (filters check their values first; a forged cursor matches nothing).
   */
  decimal(expr: Sql, scale: number): Sql;
  /** A DECIMAL `expr` as its exact text (fixed to its scale), for the connector to read without a double. */
  decimalText(expr: Sql): Sql;
  /** `column` at `path` (or the whole value) as JSON text; NULL when missing. */
  variantJson(column: Sql, path: VariantPath): Sql;
  /** Truncates a timestamp to a bucket in a time zone (bound as a parameter); returns a timestamp. */
  timeBucket(unit: TimeBucketUnit, expr: Sql, timeZone: string): Sql;
  /** `haystack` starts with `prefix` (both expressions). */
  startsWith(haystack: Sql, prefix: Sql): Sql;
  /** `haystack` contains `needle` (both expressions), case-sensitive. */
  contains(haystack: Sql, needle: Sql): Sql;
  /** True when the list-of-struct `column` has an element that satisfies `predicate(element)`. */
  listAny(column: Sql, predicate: (element: Sql) => Sql): Sql;
  /** `field` (a fixed name from our code, written as is) of the first element of the list-of-struct `column` that satisfies `predicate(element)`; NULL when none. */
  listFirst(column: Sql, predicate: (element: Sql) => Sql, field: string): Sql;
  /**
   * True when `expr` is one of the values packed in `list`, a string expression holding a JSON array of strings
   * (the values as text; `bigint` compares them as BIGINT). For long `IN` lists (`inValues`): one parameter
   * instead of one per value.
   */
  inPackedList(expr: Sql, list: Sql, type: "string" | "bigint"): Sql;
  /** The SHA-256 digest of a string expression as 64 lowercase hex digits. */
  sha256Hex(expr: Sql): Sql;
  /**
   * A row's position in commit order, as a BIGINT, for the data tables (`experiment_raw_data`,
   * `experiment_macro_data`) read under `alias` (named with `committedTable`): a row committed after a statement's snapshot always has a larger
   * position than every row that snapshot saw (ties only within one commit; the row key breaks them).
   * DuckDB: the processed time in microseconds, which the gateway's writers stamp at commit (`DuckDbLakehouse.ingest`);
   * Databricks: the Delta row commit version (row tracking, `_metadata.row_commit_version`).
   */
  commitPosition(alias: string): Sql;
  /**
   * One idempotent write of `rows` into `table`: a row whose `key` columns match an existing row updates the
   * `update` columns of that row (none: leaves it as it is), every other row is inserted. One statement, so it is
   * all or nothing and safe when two copies of the same write arrive at once (DuckDB `INSERT … ON CONFLICT`, which
   * needs a unique index on `key`; Databricks `MERGE`).
   */
  upsert(write: UpsertWrite): Sql;
  /**
   * The select-list item that returns the complex value `expr` (a list or struct column, or a list aggregate) as
   * result column `alias`, exact whatever it holds: DuckDB's driver returns complex values exactly, so `expr` as is;
   * Databricks' driver (without native Arrow types) receives them as the server's JSON-like text, which it cannot
   * parse when a nested TIMESTAMP or a `"` inside a string is present and then returns `[]`/`{}` silently, so the
   * dialect selects `to_json(expr)` and marks the column for the connector to parse as `type`. Every complex value
   * a statement returns goes through this.
   */
  complexColumn(expr: Sql, type: NestedType, alias: string): Sql;
  /**
   * Aggregates rows into a list of structs with the given (fixed, code-defined) field names; used for
   * correlated subqueries that fetch a small relation in the same statement as its parent.
   */
  aggregateList(fields: readonly (readonly [string, Sql])[]): Sql;
  /**
   * A physical row locator a statement can join back on cheaply (DuckDB's `rowid`), or null where rows are
   * joined back on their key columns (late materialization in page statements).
   */
  readonly rowLocator: string | null;
}
