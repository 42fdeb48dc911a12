/**
 * Aggregate arguments + the measures a selection asks for → ONE statement:
 *
 *   SELECT g0, g1, count(*) AS "__count", sum(v0) AS a0, corr(v0, v1) AS a1, …
 *   FROM (SELECT <dimension> AS g0, …, CAST(<field> AS DOUBLE) AS v0, … FROM <source> WHERE <filters>) AS q
 *   GROUP BY g0, g1 ORDER BY g0 ASC NULLS LAST, g1 ASC NULLS LAST LIMIT <maxGroups + 1>
 *
 * Dimensions and values are computed once in the inner select, so the outer statement groups plain columns (no
 * repeated expressions with their own parameters). More than `maxGroups` groups is an error that says how to
 * narrow the query — never a silently cut result — unless `limit` asks for the first groups only (then the
 * statement also sums all groups' rows in a window, for `count`). `orderBy`, `limit` and `offset` compile in
 * `compile-aggregate-order.ts`.
 *
 * Pure: plain arguments in, `Sql` out; `readAggregate` turns the rows back into groups.
 */

import type { Dialect, TimeBucketUnit } from "../../lakehouse/dialect.js";
import type { Row, RowValue } from "../../lakehouse/lakehouse.js";
import { dialectSql, ident, join, type Sql, sql } from "../../lakehouse/sql.js";
import { BadUserInputError } from "../errors.js";
import { andAll } from "../pagination/page-statement.js";
import { bucketTime, isTimeZone } from "../values/time-zones.js";
import {
  type AggregateFunction,
  type AggregateMeasure,
  type Dimension,
  type GroupByArgs,
  groupingEntry,
  measureKey,
} from "./aggregate-terms.js";
import {
  type AggregateOrderByArgs,
  checkGroupWindow,
  orderTerms,
  planAggregateOrder,
} from "./compile-aggregate-order.js";
import {
  isNumeric,
  isTime,
  type QueryField,
  type QuerySource,
  questionAnswer,
  selectValue,
} from "./query-fields.js";

export {
  AGGREGATE_FUNCTIONS,
  type AggregateFunction,
  type AggregateMeasure,
  type Dimension,
  type GroupByArgs,
  measureKey,
} from "./aggregate-terms.js";

export const DEFAULT_MAX_GROUPS = 10_000;
export const MAX_GROUP_BY = 6;
export const TIME_BUCKETS: readonly TimeBucketUnit[] = ["minute", "hour", "day", "week", "month", "year"];

export interface AggregateInput {
  readonly source: QuerySource;
  /** Scope, access and the compiled where; combined with AND. */
  readonly filters: readonly Sql[];
  readonly groupBy?: readonly GroupByArgs[] | null;
  readonly timeBucket?: TimeBucketUnit | null;
  readonly timeZone?: string | null;
  readonly measures: readonly AggregateMeasure[];
  /** Group order, most significant first; the group keys break ties (default: key order). */
  readonly orderBy?: readonly AggregateOrderByArgs[] | null;
  /** Only the first `limit` groups after `offset` (at most `maxGroups`). */
  readonly limit?: number | null;
  readonly offset?: number | null;
  readonly maxGroups?: number;
}

export interface CompiledAggregate {
  readonly statement: Sql;
  readonly dimensions: readonly Dimension[];
  /** `measureKey(m)` → column alias. */
  readonly measures: ReadonlyMap<string, string>;
  /** Measures read exactly (min/max of BigInt and Decimal fields) → how they are returned. */
  readonly exact: ReadonlyMap<string, "bigint" | "decimal">;
  readonly maxGroups: number;
  /** The asked `limit`: more groups than `maxGroups` is then no error. */
  readonly limit: number | null;
  /** The rows of all groups are summed in a window (`ROWS_ALIAS`): the statement returns only some groups. */
  readonly windowedCount: boolean;
}

export const COUNT_ALIAS = "__count";
export const ROWS_ALIAS = "__rows";

function anyField(source: QuerySource, name: string): QueryField {
  const field = source.byName.get(name);
  if (!field)
    throw new BadUserInputError(`\`countDistinct\`: no field ${name}.`, { argument: "countDistinct" });
  return field;
}

function numericField(source: QuerySource, name: string, at: string): QueryField {
  const field = source.byName.get(name);
  if (!field) throw new BadUserInputError(`\`${at}\`: ${JSON.stringify(name)} is not a field.`);
  if (!isNumeric(field)) {
    const numeric = source.fields.filter(isNumeric).map((f) => f.name);
    throw new BadUserInputError(
      `\`${at}\`: ${field.name} is ${field.scalar}; sum, avg, min, max, stddev, variance and corr take numeric fields` +
        (numeric.length ? ` (${numeric.slice(0, 10).join(", ")}${numeric.length > 10 ? ", …" : ""}).` : "."),
      { argument: at },
    );
  }
  return field;
}

function compileDimensions(input: AggregateInput): Dimension[] {
  const groupBy = input.groupBy ?? [];
  if (groupBy.length > MAX_GROUP_BY) {
    throw new BadUserInputError(`\`groupBy\` takes at most ${MAX_GROUP_BY} entries.`, {
      argument: "groupBy",
    });
  }
  const zone = input.timeZone ?? "UTC";
  if (!isTimeZone(zone)) {
    throw new BadUserInputError(
      `\`timeZone\`: ${JSON.stringify(zone)} is not a time zone; use an IANA name such as "UTC" or "Europe/Amsterdam".`,
      { argument: "timeZone" },
    );
  }
  if (input.timeBucket != null && !TIME_BUCKETS.includes(input.timeBucket)) {
    throw new BadUserInputError(`\`timeBucket\` must be one of ${TIME_BUCKETS.join(", ")}.`);
  }
  const seen = new Set<string>();
  const dims = groupBy.map((g, i): Dimension => {
    const at = `groupBy[${i}]`;
    const [kind, value] = groupingEntry(g, at, "groupBy");
    const alias = `g${i}`;
    const once = (key: string, what: string) => {
      if (seen.has(key)) throw new BadUserInputError(`\`groupBy\` groups by ${what} twice; keep one entry.`);
      seen.add(key);
    };
    switch (kind) {
      case "device":
      case "contributor":
      case "experiment":
        once(kind, kind);
        return { kind, alias };
      case "question": {
        if (typeof value !== "string") throw new BadUserInputError(`\`${at}.question\` must be a label.`);
        once(`question:${value}`, `question ${JSON.stringify(value)}`);
        return { kind: "question", alias, label: value };
      }
      case "time": {
        const field = input.source.byName.get(String(value));
        if (!field) throw new BadUserInputError(`\`${at}.time\`: ${JSON.stringify(value)} is not a field.`);
        if (!isTime(field)) {
          throw new BadUserInputError(
            `\`${at}.time\`: a time bucket needs a DateTime or Date field, and ${field.name} is ${field.scalar}. ` +
              "Bucket `timestamp` (or another date field), or group by the value with `{field: …}`.",
            { argument: "groupBy" },
          );
        }
        once("time", "a time bucket");
        // A DATE is a calendar day, not an instant: it is bucketed as is, whatever the time zone.
        const timeZone = field.scalar === "Date" ? "UTC" : zone;
        return { kind: "time", alias, field, unit: input.timeBucket ?? "day", timeZone };
      }
      case "field": {
        const field = input.source.byName.get(String(value));
        if (!field) throw new BadUserInputError(`\`${at}.field\`: ${JSON.stringify(value)} is not a field.`);
        once(`field:${field.name}`, field.name);
        return { kind: "field", alias, field };
      }
      default:
        throw new BadUserInputError(`\`${at}.${kind}\` is not a grouping.`);
    }
  });
  if (input.timeBucket != null && !dims.some((d) => d.kind === "time")) {
    throw new BadUserInputError(
      "`timeBucket` needs a time entry in `groupBy`, e.g. `groupBy: [{time: timestamp}]`.",
      { argument: "timeBucket" },
    );
  }
  return dims;
}

function dimensionExpr(source: QuerySource, d: Dimension): Sql {
  switch (d.kind) {
    case "device":
      return source.columns.deviceId;
    case "contributor":
      return source.columns.contributor;
    case "experiment":
      return source.columns.experimentId;
    case "question":
      return questionAnswer(source.columns.questions, d.label);
    case "field":
      // A Decimal groups by its exact text (one text per value), sorted by the number (`dimensionOrderKey`).
      return selectValue(d.field, d.field.expr);
    case "time": {
      const value = d.field.scalar === "Date" ? sql`CAST(${d.field.expr} AS TIMESTAMP)` : d.field.expr;
      return dialectSql((dialect: Dialect) => dialect.timeBucket(d.unit, value, d.timeZone));
    }
  }
}

/** A dimension's column as the groups sort by it: a Decimal's text cast back, so the order is numeric. */
function dimensionOrderKey(d: Dimension): Sql {
  const scale = d.kind === "field" ? d.field.decimalScale : null;
  return scale === null
    ? ident(d.alias)
    : dialectSql((dialect: Dialect) => dialect.decimal(ident(d.alias), scale));
}

function aggregateCall(fn: AggregateFunction, v: Sql): Sql {
  switch (fn) {
    case "sum":
      return sql`sum(${v})`;
    case "avg":
      return sql`avg(${v})`;
    case "min":
      return sql`min(${v})`;
    case "max":
      return sql`max(${v})`;
    case "stddev":
      return sql`stddev_samp(${v})`;
    case "variance":
      return sql`var_samp(${v})`;
    case "countDistinct":
      return sql`count(DISTINCT ${v})`;
    case "cumsum":
      throw new Error("cumsum is a window over the groups (compileAggregate)");
  }
}

/** A running sum over the groups in their order, restarting when any key but the last changes. */
function cumulativeSum(v: Sql, keys: readonly Sql[]): Sql {
  if (keys.length === 0) return sql`sum(${v})`;
  const last = keys[keys.length - 1]!;
  const partition = keys.length > 1 ? sql`PARTITION BY ${join(keys.slice(0, -1))} ` : sql``;
  return sql`sum(sum(${v})) OVER (${partition}ORDER BY ${last} ASC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;
}

/** A field's column in the inner select, one per field: `<prefix>0`, `<prefix>1`, … in first-use order. */
function columnAliases(aliases: Map<string, string>, prefix: string): (field: QueryField) => Sql {
  return (field) => {
    let alias = aliases.get(field.name);
    if (alias === undefined) {
      alias = `${prefix}${aliases.size}`;
      aliases.set(field.name, alias);
    }
    return ident(alias);
  };
}

export function compileAggregate(input: AggregateInput): CompiledAggregate {
  const { source } = input;
  const maxGroups = input.maxGroups ?? DEFAULT_MAX_GROUPS;
  const dimensions = compileDimensions(input);
  const order = planAggregateOrder(input.orderBy, dimensions);
  const window = checkGroupWindow(input.limit, input.offset, maxGroups);
  const windowedCount = window.limit !== null || window.offset > 0;

  // Each numeric field is read once (as DOUBLE: integer sums must not overflow), whatever measures use it;
  // min and max of a BigInt or Decimal field read it as itself (a second column), so they come back exact (a
  // Decimal's as its text).
  const values = new Map<string, string>();
  const columnOf = columnAliases(values, "v");
  const exactValues = new Map<string, string>();
  const exactColumnOf = columnAliases(exactValues, "x");
  const exact = new Map<string, "bigint" | "decimal">();
  // countDistinct reads any field as itself (strings, dates and booleans have no DOUBLE).
  const distinctValues = new Map<string, string>();
  const distinctColumnOf = columnAliases(distinctValues, "c");
  const dimensionKeys = dimensions.map(dimensionOrderKey);
  const measures = new Map<string, string>();
  const outer: Sql[] = [...dimensions.map((d) => ident(d.alias)), sql`count(*) AS ${ident(COUNT_ALIAS)}`];
  if (windowedCount) outer.push(sql`sum(count(*)) OVER () AS ${ident(ROWS_ALIAS)}`);
  // The order's measures after the selected ones (the same column when both ask for one).
  for (const m of [...input.measures, ...order.measures]) {
    const key = measureKey(m);
    if (measures.has(key)) continue;
    const alias = `a${measures.size}`;
    measures.set(key, alias);
    let call: Sql;
    if (m.fn === "corr") {
      call = sql`corr(${columnOf(numericField(source, m.a, "corr.a"))}, ${columnOf(numericField(source, m.b, "corr.b"))})`;
    } else if (m.fn === "countDistinct") {
      call = aggregateCall(m.fn, distinctColumnOf(anyField(source, m.field)));
    } else if (m.fn === "cumsum") {
      call = cumulativeSum(columnOf(numericField(source, m.field, m.fn)), dimensionKeys);
    } else {
      const field = numericField(source, m.field, m.fn);
      if ((m.fn === "min" || m.fn === "max") && field.scalar === "BigInt") {
        exact.set(key, "bigint");
        call = aggregateCall(m.fn, exactColumnOf(field));
      } else if ((m.fn === "min" || m.fn === "max") && field.scalar === "Decimal") {
        exact.set(key, "decimal");
        call = selectValue(field, aggregateCall(m.fn, exactColumnOf(field)));
      } else call = aggregateCall(m.fn, columnOf(field));
    }
    outer.push(sql`${call} AS ${ident(alias)}`);
  }

  const inner: Sql[] = dimensions.map((d) => sql`${dimensionExpr(source, d)} AS ${ident(d.alias)}`);
  for (const [name, alias] of values) {
    const field = source.byName.get(name)!;
    const value = field.scalar === "Float" ? field.expr : sql`CAST(${field.expr} AS DOUBLE)`;
    inner.push(sql`${value} AS ${ident(alias)}`);
  }
  for (const [name, alias] of [...exactValues, ...distinctValues])
    inner.push(sql`${source.byName.get(name)!.expr} AS ${ident(alias)}`);
  // count(*) needs no column; keep the inner select valid when nothing else is read.
  if (inner.length === 0) inner.push(sql`1 AS ${ident("__one")}`);

  let statement = sql`SELECT ${join(outer)} FROM (SELECT ${join(inner)} FROM ${source.from} WHERE ${andAll(
    input.filters,
  )}) AS ${ident("q")}`;
  if (dimensions.length > 0) {
    const keys = dimensions.map((d) => ident(d.alias));
    // Decimal keys and exact Decimal extremes are text: they sort by their number.
    const measureOrderKey = (mm: AggregateMeasure): Sql => {
      const key = measureKey(mm);
      const column = ident(measures.get(key)!);
      if (exact.get(key) !== "decimal" || !("field" in mm)) return column;
      const scale = numericField(source, mm.field, mm.fn).decimalScale ?? 0;
      return dialectSql((dialect: Dialect) => dialect.decimal(column, scale));
    };
    const terms = orderTerms(order, dimensions, dimensionOrderKey, ident(COUNT_ALIAS), measureOrderKey);
    statement = sql`${statement} GROUP BY ${join(keys)} ORDER BY ${terms}`;
  }
  // One group without `groupBy`: only a window past it can cut it.
  if (dimensions.length > 0 || windowedCount) {
    statement = sql`${statement} LIMIT ${window.limit ?? maxGroups + 1}`;
    if (window.offset > 0) statement = sql`${statement} OFFSET ${window.offset}`;
  }
  return { statement, dimensions, measures, exact, maxGroups, limit: window.limit, windowedCount };
}

/** A group as the resolvers read it. */
export interface AggregateGroup {
  readonly count: number;
  readonly deviceId: string | null;
  readonly contributorId: string | null;
  readonly experimentId: string | null;
  /** Answers by question label. */
  readonly questions: ReadonlyMap<string, string | null>;
  /** Bucket start: the instant (ISO, UTC) and the wall-clock time in the requested zone. */
  readonly time: { readonly instant: string; readonly local: string } | null;
  /** Values of `field` dimensions by field name. */
  readonly fields: ReadonlyMap<string, RowValue>;
  /** Measure values by `measureKey` (min/max of a BigInt field: a bigint; of a Decimal field: its text). */
  readonly values: ReadonlyMap<string, number | bigint | string | null>;
}

function toNumber(value: RowValue | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return null;
}

function toBigInt(value: RowValue | undefined): bigint | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  return null;
}

/** Rows of an aggregate statement → groups; BAD_USER_INPUT when there are more than the cap. */
export function readAggregate(compiled: CompiledAggregate, rows: readonly Row[]): AggregateGroup[] {
  if (compiled.limit === null && rows.length > compiled.maxGroups) {
    throw new BadUserInputError(
      `The aggregate has more than ${compiled.maxGroups.toLocaleString("en-US")} groups. Narrow \`where\`, ` +
        "group by fewer fields, use a coarser `timeBucket` (e.g. DAY instead of HOUR), or ask for the first groups " +
        "with `orderBy` and `limit`.",
      { argument: "groupBy" },
    );
  }
  return rows.map((row) => {
    let deviceId: string | null = null;
    let contributorId: string | null = null;
    let experimentId: string | null = null;
    let time: AggregateGroup["time"] = null;
    const questions = new Map<string, string | null>();
    const fields = new Map<string, RowValue>();
    for (const d of compiled.dimensions) {
      const value = row[d.alias] ?? null;
      const text = value === null ? null : String(value);
      switch (d.kind) {
        case "device":
          deviceId = text;
          break;
        case "contributor":
          contributorId = text;
          break;
        case "experiment":
          experimentId = text;
          break;
        case "question":
          questions.set(d.label, text);
          break;
        case "time":
          time = text === null ? null : bucketTime(text, d.timeZone);
          break;
        case "field":
          fields.set(d.field.name, value);
          break;
      }
    }
    const values = new Map<string, number | bigint | string | null>();
    for (const [key, alias] of compiled.measures) {
      const kind = compiled.exact.get(key);
      const value = row[alias];
      values.set(
        key,
        kind === "bigint"
          ? toBigInt(value)
          : kind === "decimal"
            ? typeof value === "string"
              ? value
              : null
            : toNumber(value),
      );
    }
    return {
      count: toNumber(row[COUNT_ALIAS]) ?? 0,
      deviceId,
      contributorId,
      experimentId,
      questions,
      time,
      fields,
      values,
    };
  });
}

/**
 * Rows over all groups: the groups' counts, or the window sum when the statement returned only some groups
 * (0 when `offset` passes the last group: no row is left to carry it).
 */
export function aggregateRowCount(
  compiled: CompiledAggregate,
  rows: readonly Row[],
  groups: readonly AggregateGroup[],
): number {
  if (!compiled.windowedCount) return groups.reduce((n, g) => n + g.count, 0);
  return toNumber(rows[0]?.[ROWS_ALIAS]) ?? 0;
}
