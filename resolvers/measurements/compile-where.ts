/**
 * `where` argument → one SQL predicate over a query source (a macro's measurements or the samples).
 *
 * Semantics, stated once here and in the schema descriptions:
 * - every value operator (`eq neq gt gte lt lte in nin contains startsWith`) matches non-null values only;
 *   use `isNull` for missing values. A value that does not cast to the field's type (a malformed row) is null.
 * - operators in one filter object, fields in one `where` and the items of `_and` are combined with AND;
 *   `_or: []` matches nothing, `_and: []` everything; `_not` matches exactly the rows its filter does not
 *   (two-valued: `NOT COALESCE(p, FALSE)`).
 * - `question: {label, eq|in}`: the row has a question with that label (and that answer);
 *   `hasAnnotation: {type, flagType}`: the row has such an annotation.
 *
 * Pure: plain argument objects in, `Sql` out. Every value is a bound parameter; the SQL text comes from the field
 * catalog (`query-fields.ts`) and this file.
 */

import { fitsDecimal, parseDecimalText } from "../../lakehouse/decimal-text.js";
import { DECIMAL_PRECISION, type Dialect } from "../../lakehouse/dialect.js";
import {
  dialectSql,
  ident,
  join,
  type ParamValue,
  param,
  type Sql,
  sql,
  table,
} from "../../lakehouse/sql.js";
import { dateTimestamp, preciseTimestamp } from "../../lakehouse/timestamps.js";
import { BadUserInputError } from "../errors.js";
import {
  boundValue,
  type FieldScalar,
  type QueryField,
  type QuerySource,
  type WhereNode,
} from "./query-fields.js";

export const MAX_IN_LIST = 1000;
export const MAX_WHERE_CONDITIONS = 500;
export const MAX_WHERE_DEPTH = 16;

export type ScalarOperator =
  | "eq"
  | "neq"
  | "gt"
  | "gte"
  | "lt"
  | "lte"
  | "in"
  | "nin"
  | "contains"
  | "startsWith"
  | "isNull";

const ORDERED: readonly ScalarOperator[] = ["eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "isNull"];

/** Which operators each filter family offers (the generated filter input types list exactly these). */
export const OPERATORS: Readonly<Record<FieldScalar, readonly ScalarOperator[]>> = {
  Int: ORDERED,
  BigInt: ORDERED,
  Decimal: ORDERED,
  Float: ORDERED,
  Date: ORDERED,
  DateTime: ORDERED,
  String: ["eq", "neq", "in", "nin", "contains", "startsWith", "isNull"],
  Boolean: ["eq", "isNull"],
  ID: ["eq", "neq", "in", "nin"],
};

export type ScalarFilterArgs = Partial<Record<ScalarOperator, unknown>>;

export interface QuestionFilterArgs {
  readonly label: string;
  readonly eq?: string | null;
  readonly in?: readonly string[] | null;
}

export interface AnnotationFilterArgs {
  readonly type?: "comment" | "flag" | null;
  readonly flagType?: "outlier" | "needs_review" | null;
}

/** A `where` argument as GraphQL delivers it: field names → filters, plus the controls. */
export interface WhereArgs {
  readonly _and?: readonly WhereArgs[] | null;
  readonly _or?: readonly WhereArgs[] | null;
  readonly _not?: WhereArgs | null;
  readonly question?: QuestionFilterArgs | null;
  readonly hasAnnotation?: AnnotationFilterArgs | null;
  readonly [field: string]: unknown;
}

export interface CompiledWhere {
  /** The predicate, or null when the where matches every row. */
  readonly predicate: Sql | null;
  /** A canonical, JSON-safe form of the where (for cursor signatures). */
  readonly normalized: unknown;
}

const ANNOTATION_TYPES = new Set(["comment", "flag"]);
const FLAG_TYPES = new Set(["outlier", "needs_review"]);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

class Budget {
  conditions = 0;
  count(): void {
    if (++this.conditions > MAX_WHERE_CONDITIONS) {
      throw new BadUserInputError(
        `\`where\` has more than ${MAX_WHERE_CONDITIONS} conditions; use \`in\` lists or split the query.`,
        { argument: "where" },
      );
    }
  }
}

export function compileWhere(source: QuerySource, where: WhereArgs | null | undefined): CompiledWhere {
  if (where == null) return { predicate: null, normalized: null };
  const budget = new Budget();
  const { predicate, normalized } = compileNode(source, source.where, where, "where", 0, budget, true);
  return { predicate, normalized };
}

interface Compiled {
  predicate: Sql | null;
  normalized: unknown;
}

function and(parts: readonly Sql[]): Sql | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0]!;
  return join(
    parts.map((p) => sql`(${p})`),
    " AND ",
  );
}

function compileNode(
  source: QuerySource,
  node: WhereNode,
  args: WhereArgs,
  at: string,
  depth: number,
  budget: Budget,
  top: boolean,
): Compiled {
  if (depth > MAX_WHERE_DEPTH) {
    throw new BadUserInputError(`\`where\` nests deeper than ${MAX_WHERE_DEPTH} levels; flatten it.`, {
      argument: "where",
    });
  }
  if (typeof args !== "object" || Array.isArray(args)) {
    throw new BadUserInputError(`\`${at}\` must be an object.`, { argument: "where" });
  }
  const parts: Sql[] = [];
  const normalized: Record<string, unknown> = {};
  for (const name of Object.keys(args).sort()) {
    const value = args[name];
    if (value === undefined || value === null) continue;
    const path = `${at}.${name}`;
    if (top && (name === "_and" || name === "_or")) {
      if (!Array.isArray(value)) throw new BadUserInputError(`\`${path}\` must be a list.`);
      const items = (value as readonly WhereArgs[]).map((item, i) =>
        compileNode(source, node, item, `${path}[${i}]`, depth + 1, budget, true),
      );
      normalized[name] = items.map((i) => i.normalized);
      if (name === "_and") {
        const p = and(items.flatMap((i) => (i.predicate ? [i.predicate] : [])));
        if (p) parts.push(p);
      } else if (items.length === 0) {
        parts.push(sql`FALSE`);
      } else if (items.every((i) => i.predicate)) {
        parts.push(
          join(
            items.map((i) => sql`(${i.predicate!})`),
            " OR ",
          ),
        );
      }
      // An `_or` with an item that matches everything matches everything: no predicate.
      continue;
    }
    if (top && name === "_not") {
      const inner = compileNode(source, node, value as WhereArgs, path, depth + 1, budget, true);
      normalized[name] = inner.normalized;
      parts.push(inner.predicate ? sql`NOT COALESCE((${inner.predicate}), FALSE)` : sql`FALSE`);
      continue;
    }
    if (top && name === "question") {
      budget.count();
      const q = compileQuestion(source, value as QuestionFilterArgs, path);
      normalized[name] = q.normalized;
      parts.push(q.predicate!);
      continue;
    }
    if (top && name === "hasAnnotation") {
      budget.count();
      const a = compileAnnotation(source, value as AnnotationFilterArgs, path);
      normalized[name] = a.normalized;
      parts.push(a.predicate!);
      continue;
    }
    const entry = node.get(name);
    if (!entry) {
      throw new BadUserInputError(`\`${path}\` is not a filterable field.`, { argument: "where" });
    }
    const compiled =
      entry.kind === "object"
        ? compileNode(source, entry.node, value as WhereArgs, path, depth + 1, budget, false)
        : compileFieldFilter(entry.field, value as ScalarFilterArgs, path, budget);
    normalized[name] = compiled.normalized;
    if (compiled.predicate) parts.push(compiled.predicate);
  }
  return { predicate: and(parts), normalized };
}

function compileFieldFilter(
  field: QueryField,
  filter: ScalarFilterArgs,
  at: string,
  budget: Budget,
): Compiled {
  if (typeof filter !== "object" || Array.isArray(filter)) {
    throw new BadUserInputError(`\`${at}\` must be a filter object.`, { argument: "where" });
  }
  const allowed = OPERATORS[field.scalar];
  const parts: Sql[] = [];
  const normalized: Record<string, unknown> = {};
  const e = field.expr;
  for (const op of Object.keys(filter).sort()) {
    const raw = filter[op as ScalarOperator];
    if (raw === undefined) continue;
    const path = `${at}.${op}`;
    if (!(allowed as readonly string[]).includes(op)) {
      throw new BadUserInputError(
        `\`${path}\`: ${field.scalar} fields take ${allowed.map((o) => `\`${o}\``).join(", ")}.`,
        { argument: "where" },
      );
    }
    if (raw === null) {
      throw new BadUserInputError(
        `\`${path}\` is null; to match missing values use \`isNull: true\`, otherwise leave \`${op}\` out.`,
        { argument: "where" },
      );
    }
    budget.count();
    switch (op as ScalarOperator) {
      case "isNull": {
        if (typeof raw !== "boolean") throw new BadUserInputError(`\`${path}\` must be true or false.`);
        normalized[op] = raw;
        parts.push(raw ? sql`${e} IS NULL` : sql`${e} IS NOT NULL`);
        break;
      }
      case "in":
      case "nin": {
        if (!Array.isArray(raw)) throw new BadUserInputError(`\`${path}\` must be a list.`);
        if (raw.length > MAX_IN_LIST) {
          throw new BadUserInputError(
            `\`${path}\` has ${raw.length} values; at most ${MAX_IN_LIST} are allowed. Narrow the list, or filter with a range (gt/lt) instead.`,
            { argument: "where" },
          );
        }
        const values = raw.map((v, i) => toValue(field, v, `${path}[${i}]`));
        normalized[op] = values.map(jsonSafe);
        const list = join(values.map((v) => boundValue(field, v)));
        if (op === "in") parts.push(values.length ? sql`${e} IN (${list})` : sql`FALSE`);
        else parts.push(values.length ? sql`${e} NOT IN (${list})` : sql`${e} IS NOT NULL`);
        break;
      }
      case "contains":
      case "startsWith": {
        if (typeof raw !== "string") throw new BadUserInputError(`\`${path}\` must be a string.`);
        normalized[op] = raw;
        const needle = param(raw, "string");
        parts.push(
          op === "contains"
            ? dialectSql((d: Dialect) => d.contains(e, sql`${needle}`))
            : dialectSql((d: Dialect) => d.startsWith(e, sql`${needle}`)),
        );
        break;
      }
      default: {
        const v = toValue(field, raw, path);
        normalized[op] = jsonSafe(v);
        parts.push(comparison(op as "eq" | "neq" | "gt" | "gte" | "lt" | "lte", e, boundValue(field, v)));
      }
    }
  }
  return { predicate: and(parts), normalized };
}

function comparison(op: "eq" | "neq" | "gt" | "gte" | "lt" | "lte", e: Sql, p: Sql): Sql {
  switch (op) {
    case "eq":
      return sql`${e} = ${p}`;
    case "neq":
      return sql`${e} <> ${p}`;
    case "gt":
      return sql`${e} > ${p}`;
    case "gte":
      return sql`${e} >= ${p}`;
    case "lt":
      return sql`${e} < ${p}`;
    case "lte":
      return sql`${e} <= ${p}`;
  }
}

/** Converts an argument value to the bound value of a field's type; throws BAD_USER_INPUT when it is not one. */
export function toValue(field: QueryField, value: unknown, at: string): ParamValue {
  const bad = (what: string) =>
    new BadUserInputError(`\`${at}\` must be ${what} (${field.name} is ${field.scalar}).`, {
      argument: "where",
    });
  switch (field.paramType) {
    case "bigint": {
      let v: bigint | undefined;
      if (typeof value === "bigint") v = value;
      else if (typeof value === "number" && Number.isSafeInteger(value)) v = BigInt(value);
      else if (typeof value === "string" && /^-?\d{1,19}$/.test(value)) v = BigInt(value);
      if (v === undefined || v < INT64_MIN || v > INT64_MAX) throw bad("a 64-bit integer");
      return v;
    }
    case "decimal": {
      // The scalar gave canonical text; it must fit DECIMAL(38, scale) exactly, or the comparison would round it.
      const scale = field.decimalScale ?? 0;
      const parsed = typeof value === "string" ? parseDecimalText(value) : null;
      if (parsed !== null && fitsDecimal(parsed, scale)) return parsed.text;
      throw bad(
        `a decimal string with at most ${scale} fraction digits and ${DECIMAL_PRECISION - scale} integer digits`,
      );
    }
    case "int":
    case "double":
      if (typeof value === "number" && Number.isFinite(value)) return value;
      if (typeof value === "bigint") return Number(value);
      throw bad("a finite number");
    case "boolean":
      if (typeof value === "boolean") return value;
      throw bad("true or false");
    case "date": {
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
      if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
      throw bad("a date (YYYY-MM-DD)");
    }
    case "timestamp": {
      if (value instanceof Date && !Number.isNaN(value.getTime())) return dateTimestamp(value);
      // Microseconds kept: the lakehouses store them, so a filter can name any stored instant.
      const precise = typeof value === "string" ? preciseTimestamp(value) : null;
      if (precise !== null) return precise;
      throw bad("a date-time");
    }
    case "string":
      if (typeof value === "string") return value;
      throw bad("a string");
  }
}

function jsonSafe(value: ParamValue): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

function compileQuestion(source: QuerySource, q: QuestionFilterArgs, at: string): Compiled {
  if (typeof q?.label !== "string") throw new BadUserInputError(`\`${at}.label\` is required.`);
  const label = q.label;
  const normalized: Record<string, unknown> = { label };
  let answer: ((el: Sql) => Sql) | undefined;
  if (q.eq === null || q.in === null) {
    throw new BadUserInputError(
      `\`${at}\`: \`eq\`/\`in\` must not be null; leave them out to match any answer.`,
    );
  }
  if (q.eq !== undefined && q.in !== undefined) {
    throw new BadUserInputError(`\`${at}\`: pass either \`eq\` or \`in\`, not both.`);
  }
  if (q.eq !== undefined) {
    const eq = q.eq;
    normalized.eq = eq;
    answer = (el) => sql`${el}.question_answer = ${eq}`;
  } else if (q.in !== undefined) {
    const list = q.in;
    if (list.length > MAX_IN_LIST) {
      throw new BadUserInputError(
        `\`${at}.in\` has ${list.length} values; at most ${MAX_IN_LIST} are allowed. Narrow the list.`,
      );
    }
    normalized.in = [...list];
    if (list.length === 0) return { predicate: sql`FALSE`, normalized };
    answer = (el) => sql`${el}.question_answer IN (${join(list.map((v) => sql`${v}`))})`;
  }
  const questions = source.columns.questions;
  const predicate = dialectSql((d: Dialect) =>
    d.listAny(questions, (el) =>
      answer ? sql`${el}.question_label = ${label} AND ${answer(el)}` : sql`${el}.question_label = ${label}`,
    ),
  );
  return { predicate, normalized };
}

function compileAnnotation(source: QuerySource, a: AnnotationFilterArgs, at: string): Compiled {
  const normalized: Record<string, unknown> = {};
  const conditions: Sql[] = [
    sql`${ident("ann", "experiment_id")} = ${source.columns.experimentId}`,
    sql`${ident("ann", "table_name")} = ${source.annotationTable}`,
    sql`${ident("ann", "row_id")} = CAST(${source.columns.id} AS STRING)`,
  ];
  if (a.type != null) {
    if (!ANNOTATION_TYPES.has(a.type))
      throw new BadUserInputError(`\`${at}.type\` is not an annotation type.`);
    normalized.type = a.type;
    conditions.push(sql`${ident("ann", "type")} = ${a.type}`);
  }
  if (a.flagType != null) {
    if (!FLAG_TYPES.has(a.flagType)) throw new BadUserInputError(`\`${at}.flagType\` is not a flag type.`);
    normalized.flagType = a.flagType;
    conditions.push(sql`${ident("ann", "flag_type")} = ${a.flagType}`);
  }
  const predicate = sql`EXISTS (SELECT 1 FROM ${table("experiment_annotations")} AS ${ident("ann")} WHERE ${join(
    conditions,
    " AND ",
  )})`;
  return { predicate, normalized };
}
