/** DuckDB (≥ 1.5) dialect: `$name` parameters, double-quoted identifiers, `v['key']` VARIANT access. */
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
import { dialectText, empty, ident, join, type ParamType, physicalTable, type Sql, sql } from "../sql.js";
import { questionAnswerSource, type TableShape, tableSource } from "../table-shapes.js";
import { isDecimalCast } from "../variant-casts.js";

const CAST_TYPES: Record<string, string> = {
  boolean: "BOOLEAN",
  bigint: "BIGINT",
  double: "DOUBLE",
  string: "VARCHAR",
  date: "DATE",
  timestamp: "TIMESTAMP",
};

const PARAM_CASTS: Partial<Record<ParamType, string>> = { timestamp: "TIMESTAMP", date: "DATE" };

function decimalType(scale: number): string {
  return `DECIMAL(${DECIMAL_PRECISION}, ${Math.trunc(scale)})`;
}

/** The SQL type a value is try-cast to (a decimal as a number; `variantGet` then reads it as text). */
function elementType(type: VariantElementType): string {
  return typeof type === "string" ? CAST_TYPES[type]! : decimalType(type.decimal);
}

function castType(type: VariantCastType): string {
  return typeof type === "object" && "list" in type ? `${elementType(type.list)}[]` : elementType(type);
}

export class DuckDbDialect implements Dialect {
  readonly name = "duckdb" as const;
  /** `rowid` joins back cheaply on a physical table; a shape's relation has none, so rows join on their key. */
  readonly rowLocator: string | null;

  constructor(
    private readonly schema = "centrum",
    readonly shape: TableShape = "centrum",
  ) {
    this.rowLocator = shape === "centrum" ? "rowid" : null;
  }

  quoteIdent(name: string): string {
    return `"${name.replaceAll('"', '""')}"`;
  }

  quoteString(value: string): string {
    return `'${value.replaceAll("'", "''")}'`;
  }

  paramMarker(name: string, type: ParamType): string {
    const cast = PARAM_CASTS[type];
    return cast ? `CAST($${name} AS ${cast})` : `$${name}`;
  }

  tableName(table: CentrumTable): string {
    return `${this.quoteIdent(this.schema)}.${this.quoteIdent(table)}`;
  }

  tableSource(table: CentrumTable, withCommitPosition: boolean): Sql {
    return tableSource(this, table, withCommitPosition);
  }

  questionsFromObject(expr: Sql): Sql {
    return sql`list_transform(map_entries(TRY_CAST(${expr} AS MAP(VARCHAR, VARCHAR))), lambda e: {'question_label': e.key, 'question_text': CAST(NULL AS VARCHAR), 'question_answer': e.value})`;
  }

  questionAnswerSource(alias: string, label: string): { readonly column: Sql; readonly path: VariantPath } {
    return questionAnswerSource(this, alias, label);
  }

  nullStringList(): Sql {
    return sql`CAST(NULL AS VARCHAR[])`;
  }

  commitColumns(_alias: string): Sql {
    // The position is the processed time, a column every shape's relation passes through.
    return empty;
  }

  #path(column: Sql, path: VariantPath): Sql {
    const access = path.map((key) => `[${this.quoteString(key)}]`).join("");
    return access ? sql`${column}${dialectText(access)}` : column;
  }

  variantGet(column: Sql, path: VariantPath, type: VariantCastType): Sql {
    const value = sql`TRY_CAST(${this.#path(column, path)} AS ${dialectText(castType(type))})`;
    // The driver reads DECIMAL as a double: decimals travel as their exact text.
    if (!isDecimalCast(type)) return value;
    return sql`CAST(${value} AS ${dialectText(typeof type === "object" && "list" in type ? "VARCHAR[]" : "VARCHAR")})`;
  }

  variantDecimal(column: Sql, path: VariantPath, scale: number): Sql {
    return sql`TRY_CAST(${this.#path(column, path)} AS ${dialectText(decimalType(scale))})`;
  }

  decimal(expr: Sql, scale: number): Sql {
    return sql`TRY_CAST(${expr} AS ${dialectText(decimalType(scale))})`;
  }

  decimalText(expr: Sql): Sql {
    return sql`CAST(${expr} AS VARCHAR)`;
  }

  variantJson(column: Sql, path: VariantPath): Sql {
    return sql`CAST(${this.#path(column, path)} AS JSON)`;
  }

  timeBucket(unit: TimeBucketUnit, expr: Sql, timeZone: string): Sql {
    // Timestamps are stored as UTC; bucket in the caller's zone, return the bucket start as a (local) timestamp.
    return sql`date_trunc(${dialectText(this.quoteString(unit))}, timezone(${timeZone}, timezone('UTC', ${expr})))`;
  }

  startsWith(haystack: Sql, prefix: Sql): Sql {
    return sql`starts_with(${haystack}, ${prefix})`;
  }

  contains(haystack: Sql, needle: Sql): Sql {
    return sql`contains(${haystack}, ${needle})`;
  }

  listAny(column: Sql, predicate: (element: Sql) => Sql): Sql {
    return sql`len(list_filter(${column}, lambda el: ${predicate(dialectText("el"))})) > 0`;
  }

  listFirst(column: Sql, predicate: (element: Sql) => Sql, field: string): Sql {
    return sql`list_extract(list_filter(${column}, lambda el: ${predicate(dialectText("el"))}), 1).${dialectText(field)}`;
  }

  inPackedList(expr: Sql, list: Sql, type: "string" | "bigint"): Sql {
    const text = sql`CAST(CAST(${list} AS JSON) AS VARCHAR[])`;
    return sql`list_contains(${type === "bigint" ? sql`CAST(${text} AS BIGINT[])` : text}, ${expr})`;
  }

  sha256Hex(expr: Sql): Sql {
    return sql`sha256(${expr})`;
  }

  commitPosition(alias: string): Sql {
    return sql`epoch_us(${ident(alias, "processed_timestamp")})`;
  }

  upsert(write: UpsertWrite): Sql {
    const columns = join(write.columns.map((c) => ident(c)));
    const rows = join(write.rows.map((row) => sql`(${join(row)})`));
    const key = join(write.key.map((c) => ident(c)));
    const update = write.update ?? [];
    const action = update.length
      ? sql`DO UPDATE SET ${join(update.map((c) => sql`${ident(c)} = excluded.${ident(c)}`))}`
      : sql`DO NOTHING`;
    return sql`INSERT INTO ${physicalTable(write.table)} (${columns}) VALUES ${rows} ON CONFLICT (${key}) ${action}`;
  }

  complexColumn(expr: Sql, _type: NestedType, alias: string): Sql {
    // The driver's values are exact; a column already named `alias` needs no alias (the text stays as it was).
    const [only] = expr.parts;
    if (expr.parts.length === 1 && only?.kind === "ident" && only.names.at(-1) === alias) return expr;
    return sql`${expr} AS ${ident(alias)}`;
  }

  aggregateList(fields: readonly (readonly [string, Sql])[]): Sql {
    const entries = join(fields.map(([name, expr]) => sql`${dialectText(this.quoteString(name))}: ${expr}`));
    return sql`list({${entries}})`;
  }
}
