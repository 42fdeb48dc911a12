/**
 * Databricks SQL dialect: `:name` parameters, backtick identifiers, `try_variant_get` VARIANT access.
 * Why each form was chosen (and what the offline parser accepts) is in `README.md` beside this file.
 */
import {
  type CentrumTable,
  DECIMAL_PRECISION,
  type Dialect,
  type NestedType,
  type TimeBucketUnit,
  type UpsertWrite,
  type VariantCastType,
  type VariantElementType,
  type VariantPath,
} from "../dialect.js";
import {
  complexColumnMarker,
  dialectText,
  ident,
  join,
  type ParamType,
  physicalTable,
  type Sql,
  sql,
} from "../sql.js";
import { questionAnswerSource, type TableShape, tableSource } from "../table-shapes.js";
import { isDecimalCast } from "../variant-casts.js";

/**
 * How `to_json` writes TIMESTAMPs inside complex values: ISO 8601 in UTC with microseconds, the row contract's form
 * (`2026-01-02T03:04:05.123456Z`). Spark's default (`…HH:mm:ss[.SSS][XXX]`) would cut them to milliseconds.
 */
export const JSON_TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX";

/** Target types of `try_variant_get` (its third argument is a type string). */
const VARIANT_TYPES: Record<string, string> = {
  boolean: "boolean",
  bigint: "bigint",
  double: "double",
  string: "string",
  date: "date",
  timestamp: "timestamp",
};

/** Timestamps and dates are bound as ISO text; the marker casts them so the statement text says what it reads. */
const PARAM_CASTS: Partial<Record<ParamType, string>> = { timestamp: "TIMESTAMP", date: "DATE" };
/** The SQL type a NULL parameter is cast to (other types carry their own cast, above). */
const NULL_CASTS: Record<ParamType, string> = {
  string: "STRING",
  bigint: "BIGINT",
  int: "INT",
  double: "DOUBLE",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMP",
  date: "DATE",
  // A decimal travels as its text; the statement casts it to DECIMAL(38, s) (`decimal`).
  decimal: "STRING",
};

const BUCKET_UNITS: Record<TimeBucketUnit, string> = {
  minute: "MINUTE",
  hour: "HOUR",
  day: "DAY",
  week: "WEEK",
  month: "MONTH",
  year: "YEAR",
};

function decimalType(scale: number): string {
  return `decimal(${DECIMAL_PRECISION},${Math.trunc(scale)})`;
}

function elementType(type: VariantElementType): string {
  return typeof type === "string" ? VARIANT_TYPES[type]! : decimalType(type.decimal);
}

function variantType(type: VariantCastType): string {
  return typeof type === "object" && "list" in type ? `array<${elementType(type.list)}>` : elementType(type);
}

/**
 * One object-key step of a VARIANT JSON path, or `undefined` when the key cannot be written in one.
 *
 * Spark's `VariantPathParser` (used by `variant_get`, `try_variant_get` and the `:` operator) has no escapes:
 * `["k"]` takes any key without `"` or `?`, `['k']` any key without `'` or `?`, `.k` any non-empty key without
 * `.` or `[`. Keys that fit none of them (e.g. `a.b?`, or the empty key) are looked up through a MAP instead.
 */
export function variantPathSegment(key: string): string | undefined {
  if (key !== "" && !key.includes('"') && !key.includes("?")) return `["${key}"]`;
  if (key !== "" && !key.includes("'") && !key.includes("?")) return `['${key}']`;
  if (key !== "" && !key.includes(".") && !key.includes("[")) return `.${key}`;
  return undefined;
}

export interface DatabricksDialectOptions {
  /** Unity Catalog catalog of the centrum tables (default `main`). */
  readonly catalog?: string;
  /** Schema of the centrum tables (default `centrum`). */
  readonly schema?: string;
  /** The shape of the deployment's tables (default `centrum`; `table-shapes.ts`). */
  readonly shape?: TableShape;
}

/** The column a shape's relation carries the Delta row commit version in (`commitColumns`). */
const COMMIT_VERSION_COLUMN = "_row_commit_version";

export class DatabricksDialect implements Dialect {
  readonly rowLocator = null;
  readonly name = "databricks" as const;
  readonly catalog: string;
  readonly schema: string;
  readonly shape: TableShape;

  constructor(options: DatabricksDialectOptions = {}) {
    this.catalog = options.catalog ?? "main";
    this.schema = options.schema ?? "centrum";
    this.shape = options.shape ?? "centrum";
  }

  quoteIdent(name: string): string {
    return `\`${name.replaceAll("`", "``")}\``;
  }

  /**
   * A Databricks string literal that reads back as exactly `value`.
   *
   * Databricks literals treat backslash as an escape (`\\` → `\`). A single quote is written `\u0027` (Spark's
   * documented 16-bit unicode escape) rather than `\'`, which means the same to Databricks but which the offline
   * syntax checker cannot read; line breaks, tabs and other control characters are escaped so every literal
   * stays on one line. The output never contains a raw `'` except the two delimiters, so no key can end it.
   */
  quoteString(value: string): string {
    let out = "'";
    for (const ch of value) {
      const code = ch.codePointAt(0)!;
      if (ch === "\\") out += "\\\\";
      else if (ch === "'") out += "\\u0027";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\t") out += "\\t";
      else if (code < 0x20 || code === 0x7f || (code >= 0xd800 && code <= 0xdfff)) {
        out += `\\u${code.toString(16).padStart(4, "0")}`;
      } else out += ch;
    }
    return `${out}'`;
  }

  paramMarker(name: string, type: ParamType, isNull = false): string {
    // The driver sends a NULL value as an untyped VOID parameter: cast it, so `COALESCE`, `VALUES` rows and
    // comparisons see the type the statement meant.
    const cast = PARAM_CASTS[type] ?? (isNull ? NULL_CASTS[type] : undefined);
    return cast ? `CAST(:${name} AS ${cast})` : `:${name}`;
  }

  tableName(table: CentrumTable): string {
    return [this.catalog, this.schema, table].map((n) => this.quoteIdent(n)).join(".");
  }

  tableSource(table: CentrumTable, withCommitPosition: boolean): Sql {
    return tableSource(this, table, withCommitPosition);
  }

  questionsFromObject(expr: Sql): Sql {
    const q = (text: string) => dialectText(this.quoteString(text));
    return sql`transform(map_entries(try_variant_get(${expr}, ${q("$")}, ${q("map<string, string>")})), e -> named_struct(${q("question_label")}, e.key, ${q("question_text")}, CAST(NULL AS STRING), ${q("question_answer")}, e.value))`;
  }

  questionAnswerSource(alias: string, label: string): { readonly column: Sql; readonly path: VariantPath } {
    return questionAnswerSource(this, alias, label);
  }

  nullStringList(): Sql {
    return sql`CAST(NULL AS ARRAY<STRING>)`;
  }

  commitColumns(alias: string): Sql {
    return sql`, ${ident(alias)}._metadata.row_commit_version AS ${ident(COMMIT_VERSION_COLUMN)}`;
  }

  /**
   * Splits `path` into the VARIANT expression to read from and the JSON path (text) still to apply to it.
   * A key no JSON path can spell turns the object so far into `MAP<STRING, VARIANT>` and looks the key up by
   * an ordinary string literal.
   */
  #resolve(column: Sql, path: VariantPath): { base: Sql; jsonPath: string } {
    let base = column;
    let jsonPath = "$";
    for (const key of path) {
      const segment = variantPathSegment(key);
      if (segment !== undefined) {
        jsonPath += segment;
        continue;
      }
      const asMap = this.quoteString("map<string, variant>");
      base = sql`try_element_at(try_variant_get(${base}, ${dialectText(this.quoteString(jsonPath))}, ${dialectText(asMap)}), ${dialectText(this.quoteString(key))})`;
      jsonPath = "$";
    }
    return { base, jsonPath };
  }

  variantGet(column: Sql, path: VariantPath, type: VariantCastType): Sql {
    const value = this.#get(column, path, variantType(type));
    // The connector reads DECIMAL as a double (databricks-values.ts): decimals travel as their exact text.
    if (!isDecimalCast(type)) return value;
    return sql`CAST(${value} AS ${dialectText(typeof type === "object" && "list" in type ? "ARRAY<STRING>" : "STRING")})`;
  }

  variantDecimal(column: Sql, path: VariantPath, scale: number): Sql {
    return this.#get(column, path, decimalType(scale));
  }

  decimal(expr: Sql, scale: number): Sql {
    return sql`try_cast(${expr} AS ${dialectText(decimalType(scale).toUpperCase())})`;
  }

  decimalText(expr: Sql): Sql {
    return sql`CAST(${expr} AS STRING)`;
  }

  /** `try_variant_get` of `path` as `typeText` (a fixed type name from this file). */
  #get(column: Sql, path: VariantPath, typeText: string): Sql {
    const { base, jsonPath } = this.#resolve(column, path);
    const pathText = dialectText(this.quoteString(jsonPath));
    return sql`try_variant_get(${base}, ${pathText}, ${dialectText(this.quoteString(typeText))})`;
  }

  variantJson(column: Sql, path: VariantPath): Sql {
    if (path.length === 0) return sql`to_json(${column})`;
    const { base, jsonPath } = this.#resolve(column, path);
    if (jsonPath === "$") return sql`to_json(${base})`;
    const pathText = dialectText(this.quoteString(jsonPath));
    return sql`to_json(try_variant_get(${base}, ${pathText}, ${dialectText(this.quoteString("variant"))}))`;
  }

  timeBucket(unit: TimeBucketUnit, expr: Sql, timeZone: string): Sql {
    // Timestamps are UTC instants (the session runs with TIMEZONE=UTC); shift to the caller's zone, then truncate,
    // so the result is the bucket start as a local wall-clock timestamp, like the DuckDB dialect.
    const unitText = dialectText(this.quoteString(BUCKET_UNITS[unit]));
    return sql`date_trunc(${unitText}, from_utc_timestamp(${expr}, ${timeZone}))`;
  }

  startsWith(haystack: Sql, prefix: Sql): Sql {
    return sql`startswith(${haystack}, ${prefix})`;
  }

  contains(haystack: Sql, needle: Sql): Sql {
    return sql`contains(${haystack}, ${needle})`;
  }

  listAny(column: Sql, predicate: (element: Sql) => Sql): Sql {
    return sql`exists(${column}, el -> ${predicate(dialectText("el"))})`;
  }

  listFirst(column: Sql, predicate: (element: Sql) => Sql, field: string): Sql {
    return sql`try_element_at(transform(filter(${column}, el -> ${predicate(dialectText("el"))}), el -> el.${dialectText(field)}), 1)`;
  }

  inPackedList(expr: Sql, list: Sql, type: "string" | "bigint"): Sql {
    const text = sql`from_json(${list}, 'ARRAY<STRING>')`;
    return sql`array_contains(${type === "bigint" ? sql`transform(${text}, el -> CAST(el AS BIGINT))` : text}, ${expr})`;
  }

  sha256Hex(expr: Sql): Sql {
    return sql`sha2(${expr}, 256)`;
  }

  commitPosition(alias: string): Sql {
    // Needs row tracking on the table (docs/databricks.md): the version of the commit that wrote the row; a
    // shape's relation carries it as a column (`commitColumns`).
    if (this.shape !== "centrum") return ident(alias, COMMIT_VERSION_COLUMN);
    return sql`${ident(alias)}._metadata.row_commit_version`;
  }

  upsert(write: UpsertWrite): Sql {
    const columns = join(write.columns.map((c) => ident(c)));
    const rows = join(write.rows.map((row) => sql`(${join(row)})`));
    const on = join(
      write.key.map((c) => sql`t.${ident(c)} = s.${ident(c)}`),
      " AND ",
    );
    const update = write.update ?? [];
    const matched = update.length
      ? sql` WHEN MATCHED THEN UPDATE SET ${join(update.map((c) => sql`t.${ident(c)} = s.${ident(c)}`))}`
      : sql``;
    const values = join(write.columns.map((c) => sql`s.${ident(c)}`));
    return sql`MERGE INTO ${physicalTable(write.table)} AS t USING (VALUES ${rows}) AS s(${columns}) ON ${on}${matched} WHEN NOT MATCHED THEN INSERT (${columns}) VALUES (${values})`;
  }

  complexColumn(expr: Sql, type: NestedType, alias: string): Sql {
    // See README.md ("Values"): complex values travel as to_json text the connector parses (databricks-values.ts).
    const q = (text: string) => this.quoteString(text);
    const options = `map(${q("timestampFormat")}, ${q(JSON_TIMESTAMP_FORMAT)}, ${q("timeZone")}, ${q("UTC")})`;
    return sql`to_json(${expr}, ${dialectText(options)}) AS ${ident(alias)}${complexColumnMarker(alias, type)}`;
  }

  aggregateList(fields: readonly (readonly [string, Sql])[]): Sql {
    const entries = join(fields.map(([name, expr]) => sql`${dialectText(this.quoteString(name))}, ${expr}`));
    return sql`collect_list(named_struct(${entries}))`;
  }
}
