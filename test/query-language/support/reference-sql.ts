/**
 * Independently written SQL for the differential tests: plain DuckDB text with inlined literals (test values only),
 * reading output values from the JSON text of `macro_output` (`json_extract_string`) instead of VARIANT paths, with
 * two-valued leaves (`COALESCE(…, FALSE)`) instead of the gateway's COALESCE at `_not`, contributor ids from a
 * VALUES table computed in JS with `pseudonymId`, annotations through `IN (SELECT …)` instead of EXISTS, and
 * questions through `list_contains`. It shares nothing with the compilers but the meaning of the arguments.
 */
import { pseudonymId } from "../../../resolvers/contributors/anonymize.js";
import type { ExperimentInfo } from "./query-fixture.js";

export type Family = "num" | "bigint" | "str" | "bool" | "date" | "ts" | "id" | "bigid";

export interface RefField {
  readonly sql: string;
  readonly family: Family;
}

export function lit(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const json = (path: string, type: string) =>
  `TRY_CAST(json_extract_string(CAST(macro_output AS JSON), ${lit(path)}) AS ${type})`;

/** user_id → the id the API shows, per experiment (pseudonyms where contributors are anonymized). */
export function contributorSql(experiments: readonly ExperimentInfo[], users: readonly string[]): string {
  const rows = experiments.flatMap((e) =>
    users.map((u) => `(${lit(e.id)}, ${lit(u)}, ${lit(e.anonymize ? pseudonymId(e.id, u) : u)})`),
  );
  return `(SELECT shown FROM (VALUES ${rows.join(", ")}) AS cmap(e, u, shown) WHERE cmap.e = experiment_id AND cmap.u = user_id)`;
}

/** Reference expressions of the `macro_typed` fields, by field enum name (nested where paths joined with `_`). */
export function typedFields(contributor: string): Record<string, RefField> {
  return {
    score: { sql: json("$.score", "DOUBLE"), family: "num" },
    count: { sql: json("$.count", "BIGINT"), family: "num" },
    big: { sql: json("$.big", "BIGINT"), family: "bigint" },
    label: { sql: json("$.label", "VARCHAR"), family: "str" },
    flag: { sql: json("$.flag", "BOOLEAN"), family: "bool" },
    day: { sql: json("$.day", "DATE"), family: "date" },
    at: { sql: json("$.at", "TIMESTAMP"), family: "ts" },
    userId_2: { sql: json("$.userId", "VARCHAR"), family: "str" },
    meta_depth: { sql: json("$.meta.depth", "DOUBLE"), family: "num" },
    meta_tag: { sql: json("$.meta.tag", "VARCHAR"), family: "str" },
    deviceId: { sql: "device_id", family: "str" },
    userId: { sql: contributor, family: "str" },
    timestamp: { sql: '"timestamp"', family: "ts" },
    rowId: { sql: "id", family: "bigid" },
    experimentId: { sql: "experiment_id", family: "id" },
  };
}

export function sampleFields(contributor: string): Record<string, RefField> {
  return {
    rowId: { sql: "id", family: "bigid" },
    deviceId: { sql: "device_id", family: "str" },
    userId: { sql: contributor, family: "str" },
    timestamp: { sql: '"timestamp"', family: "ts" },
    processedTimestamp: { sql: "processed_timestamp", family: "ts" },
  };
}

function literal(family: Family, value: unknown): string {
  switch (family) {
    case "num":
      return String(value);
    case "bigint":
    case "bigid":
      return `CAST(${lit(String(value))} AS BIGINT)`;
    case "str":
    case "id":
      return lit(String(value));
    case "bool":
      return value ? "TRUE" : "FALSE";
    case "date":
      return `DATE ${lit(String(value))}`;
    case "ts":
      return `CAST(${lit(new Date(String(value)).toISOString().replace("T", " ").replace("Z", ""))} AS TIMESTAMP)`;
  }
}

const two = (predicate: string) => `COALESCE((${predicate}), FALSE)`;

function fieldPredicate(field: RefField, filter: Record<string, unknown>): string {
  const parts: string[] = [];
  const e = field.sql;
  for (const [op, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    const l = (v: unknown) => literal(field.family, v);
    switch (op) {
      case "eq":
        parts.push(two(`${e} = ${l(value)}`));
        break;
      case "neq":
        parts.push(two(`${e} <> ${l(value)}`));
        break;
      case "gt":
        parts.push(two(`${e} > ${l(value)}`));
        break;
      case "gte":
        parts.push(two(`${e} >= ${l(value)}`));
        break;
      case "lt":
        parts.push(two(`${e} < ${l(value)}`));
        break;
      case "lte":
        parts.push(two(`${e} <= ${l(value)}`));
        break;
      case "in": {
        const list = value as unknown[];
        parts.push(list.length ? two(`${e} IN (${list.map(l).join(", ")})`) : "FALSE");
        break;
      }
      case "nin": {
        const list = value as unknown[];
        parts.push(list.length ? two(`${e} NOT IN (${list.map(l).join(", ")})`) : `${e} IS NOT NULL`);
        break;
      }
      case "contains":
        parts.push(two(`strpos(${e}, ${lit(String(value))}) > 0`));
        break;
      case "startsWith":
        parts.push(two(`left(${e}, length(${lit(String(value))})) = ${lit(String(value))}`));
        break;
      case "isNull":
        parts.push(value ? `${e} IS NULL` : `${e} IS NOT NULL`);
        break;
      default:
        throw new Error(`reference: unknown operator ${op}`);
    }
  }
  return parts.length ? parts.join(" AND ") : "TRUE";
}

export interface ReferenceContext {
  readonly fields: Record<string, RefField>;
  /** `experiment_annotations.table_name` of the rows. */
  readonly annotationTable: string;
}

/** A generated `where` argument (plain objects, as sent in the GraphQL variables). */
export type WhereInput = Record<string, unknown>;

export function wherePredicate(
  ctx: ReferenceContext,
  where: WhereInput | null | undefined,
  prefix = "",
): string {
  if (!where) return "TRUE";
  const parts: string[] = [];
  for (const [name, value] of Object.entries(where)) {
    if (value === undefined || value === null) continue;
    if (name === "_and") {
      parts.push(`(${(value as WhereInput[]).map((w) => wherePredicate(ctx, w)).join(" AND ") || "TRUE"})`);
    } else if (name === "_or") {
      parts.push(`(${(value as WhereInput[]).map((w) => wherePredicate(ctx, w)).join(" OR ") || "FALSE"})`);
    } else if (name === "_not") {
      parts.push(`NOT (${wherePredicate(ctx, value as WhereInput)})`);
    } else if (name === "question") {
      const q = value as { label: string; eq?: string; in?: string[] };
      const pair = (answer: string) =>
        two(
          `list_contains(list_transform(questions, lambda x: x.question_label || chr(1) || coalesce(x.question_answer, chr(2))), ${lit(
            `${q.label}\u0001${answer}`,
          )})`,
        );
      if (q.eq !== undefined) parts.push(pair(q.eq));
      else if (q.in !== undefined) parts.push(q.in.length ? `(${q.in.map(pair).join(" OR ")})` : "FALSE");
      else
        parts.push(
          two(`list_contains(list_transform(questions, lambda x: x.question_label), ${lit(q.label)})`),
        );
    } else if (name === "hasAnnotation") {
      const a = value as { type?: string; flagType?: string };
      const conditions = [`table_name = ${lit(ctx.annotationTable)}`];
      // GraphQL enum names (COMMENT, NEEDS_REVIEW) → stored values.
      if (a.type) conditions.push(`type = ${lit(a.type.toLowerCase())}`);
      if (a.flagType) conditions.push(`flag_type = ${lit(a.flagType.toLowerCase())}`);
      parts.push(
        `(experiment_id, CAST(id AS VARCHAR)) IN (SELECT experiment_id, row_id FROM centrum.experiment_annotations WHERE ${conditions.join(" AND ")})`,
      );
    } else if (name === "meta") {
      parts.push(wherePredicate(ctx, value as WhereInput, "meta_"));
    } else {
      const field = ctx.fields[`${prefix}${name}`];
      if (!field) throw new Error(`reference: unknown field ${prefix}${name}`);
      parts.push(fieldPredicate(field, value as Record<string, unknown>));
    }
  }
  return parts.length ? parts.map((p) => `(${p})`).join(" AND ") : "TRUE";
}

export interface RefOrder {
  readonly field: string;
  readonly direction?: "ASC" | "DESC";
  readonly nulls?: "FIRST" | "LAST";
}

export function orderByText(
  ctx: ReferenceContext,
  orderBy: readonly RefOrder[] | undefined,
  rowKey: string,
): string {
  const keys = (orderBy ?? []).map((o) => {
    const field = ctx.fields[o.field];
    if (!field) throw new Error(`reference: unknown sort field ${o.field}`);
    return `${field.sql} ${o.direction ?? "ASC"} NULLS ${o.nulls ?? "LAST"}`;
  });
  if (!orderBy?.length) keys.push('"timestamp" DESC NULLS LAST');
  return [...keys, rowKey].join(", ");
}

export function inList(values: readonly string[]): string {
  return values.length ? `(${values.map(lit).join(", ")})` : "(NULL)";
}
