/**
 * SQL as data: a statement is a list of parts — literal text written in our source, bound parameters, identifiers
 * and dialect-specific pieces. Nothing user-supplied or stored ever becomes SQL text: values become parameters and
 * identifiers are quoted by the dialect when the statement is rendered (see `render`).
 *
 * Write statements with the `sql` tag: every `${...}` that is not itself a `Sql` fragment is bound as a parameter.
 *
 *   sql`SELECT ${ident("id")} FROM ${table("experiments")} WHERE experiment_id = ${experimentId}`
 */
import type { CentrumTable, Dialect, NestedType } from "./dialect.js";

/**
 * `decimal`: a canonical decimal string (`-123.4500`), bound as text; the statement casts it with
 * `Dialect.decimal`, which knows the scale (a marker alone does not).
 */
export type ParamType = "string" | "bigint" | "int" | "double" | "decimal" | "boolean" | "timestamp" | "date";
export type ParamValue = string | number | bigint | boolean | null;

export interface BoundParam {
  readonly name: string;
  readonly value: ParamValue;
  readonly type: ParamType;
}

type Part =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "param"; readonly value: ParamValue; readonly type: ParamType }
  | { readonly kind: "ident"; readonly names: readonly string[] }
  | { readonly kind: "table"; readonly table: CentrumTable; readonly commit?: boolean }
  | { readonly kind: "physical"; readonly table: CentrumTable }
  | { readonly kind: "dialect"; readonly build: (dialect: Dialect) => Sql }
  /** No text: tells the connector that result column `column` is a complex value sent as JSON text. */
  | { readonly kind: "complex"; readonly column: string; readonly type: NestedType };

export class Sql {
  constructor(readonly parts: readonly Part[]) {}

  get isEmpty(): boolean {
    return this.parts.every((p) => p.kind === "text" && p.text.trim() === "");
  }
}

/** A value with an explicit SQL type (use when the inferred type is wrong, e.g. timestamps or nulls). */
export class Param {
  constructor(
    readonly value: ParamValue,
    readonly type: ParamType,
  ) {}
}

export type SqlInterpolation = Sql | Param | ParamValue | Date;

export function param(value: ParamValue | Date, type: ParamType): Param {
  return new Param(value instanceof Date ? value.toISOString() : value, type);
}

function inferParam(value: ParamValue | Date): Param {
  if (value instanceof Date) return new Param(value.toISOString(), "timestamp");
  switch (typeof value) {
    case "bigint":
      return new Param(value, "bigint");
    case "number":
      return new Param(value, Number.isInteger(value) ? "int" : "double");
    case "boolean":
      return new Param(value, "boolean");
    default:
      return new Param(value, "string");
  }
}

function toParts(value: SqlInterpolation): Part[] {
  if (value instanceof Sql) return [...value.parts];
  const p = value instanceof Param ? value : inferParam(value);
  return [{ kind: "param", value: p.value, type: p.type }];
}

/** Tagged template: literal text stays text, every interpolation is a fragment or a bound parameter. */
export function sql(strings: TemplateStringsArray, ...values: SqlInterpolation[]): Sql {
  const parts: Part[] = [];
  strings.forEach((text, i) => {
    if (text) parts.push({ kind: "text", text });
    if (i < values.length) parts.push(...toParts(values[i] as SqlInterpolation));
  });
  return new Sql(parts);
}

/** An identifier (column, alias), optionally qualified: ident("m", "experiment_id") → "m"."experiment_id". */
export function ident(...names: string[]): Sql {
  return new Sql([{ kind: "ident", names }]);
}

/**
 * A centrum table or view, qualified with the configured catalog/schema by the dialect; under a table shape other
 * than `centrum`, a table the deployment stores differently renders as the shape's relation over it
 * (`table-shapes.ts`), so read it with an alias (`FROM ${table(…)} AS m`).
 */
export function table(name: CentrumTable): Sql {
  return new Sql([{ kind: "table", table: name }]);
}

/**
 * A data table (`experiment_raw_data`, `experiment_macro_data`) read with `Dialect.commitPosition` available on
 * its alias: under a table shape the relation then also carries the position (Databricks' row commit version,
 * which needs row tracking; plain reads never ask for it).
 */
export function committedTable(name: "experiment_raw_data" | "experiment_macro_data"): Sql {
  return new Sql([{ kind: "table", table: name, commit: true }]);
}

/**
 * The physical table of that name, whatever the dialect's table shape (`table-shapes.ts`): for the shapes' own
 * relations and for writes, which go to physical tables only.
 */
export function physicalTable(name: CentrumTable): Sql {
  return new Sql([{ kind: "physical", table: name }]);
}

/** A piece whose text depends on the dialect (VARIANT access, casts, time buckets). */
export function dialectSql(build: (dialect: Dialect) => Sql): Sql {
  return new Sql([{ kind: "dialect", build }]);
}

/**
 * Fixed SQL text chosen from an allowlist in our own code (sort directions, operators, keywords).
 * The type only admits string literals known at compile time.
 */
export function keyword<K extends string>(text: string extends K ? never : K): Sql {
  return new Sql([{ kind: "text", text }]);
}

/**
 * Text produced by a dialect from its own quoting functions (`quoteIdent`, `quoteString`) and fixed type names.
 * For dialect implementations only: never pass user input or stored values here.
 */
export function dialectText(text: string): Sql {
  return new Sql([{ kind: "text", text }]);
}

/**
 * For dialect implementations (`Dialect.complexColumn`): marks result column `column` as a complex value of
 * `type` that the statement selects as JSON text, for the connector to parse back. Renders no text.
 */
export function complexColumnMarker(column: string, type: NestedType): Sql {
  return new Sql([{ kind: "complex", column, type }]);
}

export function join(fragments: readonly Sql[], separator: Sql | string = ", "): Sql {
  const sep: Part[] =
    typeof separator === "string" ? [{ kind: "text", text: separator }] : [...separator.parts];
  const parts: Part[] = [];
  fragments.forEach((f, i) => {
    if (i > 0) parts.push(...sep);
    parts.push(...f.parts);
  });
  return new Sql(parts);
}

export const empty = new Sql([]);

export interface RenderedStatement {
  readonly text: string;
  readonly params: readonly BoundParam[];
  /** Result columns selected as JSON text by `Dialect.complexColumn`, with the type to read them back as. */
  readonly complexColumns: ReadonlyMap<string, NestedType>;
}

/**
 * Rendered statements, per statement and dialect: a statement passes several wrappers on its way to the driver (a
 * request's view, the result cache, the connector), and `Sql` is immutable, so each renders it once.
 */
const RENDERED = new WeakMap<Sql, Map<Dialect, RenderedStatement>>();

/** Renders a statement for one dialect: parameters are numbered p1…pN in order of appearance. */
export function render(statement: Sql, dialect: Dialect): RenderedStatement {
  let byDialect = RENDERED.get(statement);
  const cached = byDialect?.get(dialect);
  if (cached) return cached;
  const rendered = renderOnce(statement, dialect);
  if (!byDialect) {
    byDialect = new Map();
    RENDERED.set(statement, byDialect);
  }
  byDialect.set(dialect, rendered);
  return rendered;
}

/** A key that is equal for two statements exactly when their text and bound values are (caches, deduplication). */
export function statementKey(statement: Sql, dialect: Dialect): string {
  const { text, params } = render(statement, dialect);
  return `${text}\u0000${JSON.stringify(params, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`;
}

function renderOnce(statement: Sql, dialect: Dialect): RenderedStatement {
  const params: BoundParam[] = [];
  const complexColumns = new Map<string, NestedType>();
  let text = "";
  const walk = (s: Sql): void => {
    for (const part of s.parts) {
      switch (part.kind) {
        case "text":
          text += part.text;
          break;
        case "param": {
          const name = `p${params.length + 1}`;
          params.push({ name, value: part.value, type: part.type });
          text += dialect.paramMarker(name, part.type, part.value === null);
          break;
        }
        case "ident":
          text += part.names.map((n) => dialect.quoteIdent(n)).join(".");
          break;
        case "table":
          walk(dialect.tableSource(part.table, part.commit === true));
          break;
        case "physical":
          text += dialect.tableName(part.table);
          break;
        case "dialect":
          walk(part.build(dialect));
          break;
        case "complex":
          complexColumns.set(part.column, part.type);
          break;
      }
    }
  };
  walk(statement);
  return { text, params, complexColumns };
}

/** Lists longer than this are bound as one parameter (`inValues`). */
export const PACKED_LIST_MIN = 33;

/**
 * `expr IN (values…)`, every value bound. A list of up to 32 values is one parameter each; a longer one (a page's
 * row ids for a relation, up to thousands) is one string parameter holding the values as a JSON array, which the
 * dialect unpacks: the statement's text and plan stay the same size whatever the list's length (a 1,000-id `IN`
 * list took DuckDB 3–5× longer to plan and run than the packed list), and no driver meets a parameter limit.
 * An empty list matches nothing.
 */
export function inValues(expr: Sql, values: readonly string[] | readonly bigint[]): Sql {
  if (values.length === 0) return sql`FALSE`;
  if (values.length < PACKED_LIST_MIN) {
    return sql`${expr} IN (${join((values as readonly (string | bigint)[]).map((v) => sql`${v}`))})`;
  }
  const type = typeof values[0] === "bigint" ? "bigint" : "string";
  const packed = sql`${JSON.stringify((values as readonly (string | bigint)[]).map(String))}`;
  return dialectSql((d) => d.inPackedList(expr, packed, type));
}
