/**
 * An offline stand-in for the rules of Spark's `CheckAnalysis` that the syntax check cannot see, applied to the
 * `@guanmingchiu/sqlparser-ts` AST (dialect `databricks`) of one statement. A statement that breaks one fails on a
 * warehouse with an analysis error even though it parses:
 *
 * - IN / EXISTS subqueries only in a Filter, Project, Aggregate, Window or Join — so never in `ORDER BY` or `LIMIT`
 *   (`UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.UNSUPPORTED_IN_EXISTS_SUBQUERY`);
 * - a scalar subquery in `ORDER BY` is refused too: Spark allows it only when uncorrelated, which the AST cannot
 *   tell reliably, and the gateway never needs one there (stricter than Spark, on purpose);
 * - no window function in `WHERE`, `HAVING`, `GROUP BY` or a join condition (`INVALID_WINDOW_FUNCTION…`);
 * - no aggregate function in `WHERE` or a join condition;
 * - no non-deterministic function (`rand`, `uuid`, …) in a join condition (`INVALID_NON_DETERMINISTIC_EXPRESSIONS`).
 *
 * `limitPlaceholders` lists the parameter markers that `LIMIT` / `OFFSET` read, so callers can check that they are
 * bound as `INTEGER` (Databricks refuses any other type: `INVALID_LIMIT_LIKE_EXPRESSION.DATA_TYPE`).
 */
import { init, parse } from "@guanmingchiu/sqlparser-ts";
import { expect } from "vitest";
import { toNamedParameters } from "../../lakehouse/databricks/databricks-lakehouse.js";
import type { BoundParam } from "../../lakehouse/sql.js";

await init();

type Where = "select" | "where" | "having" | "groupBy" | "orderBy" | "limit" | "joinOn" | "window" | "from";

export interface SparkRuleViolation {
  /** The Spark error class a warehouse answers with. */
  readonly errorClass: string;
  readonly detail: string;
}

export interface SparkAnalysis {
  readonly violations: readonly SparkRuleViolation[];
  /** Parameter markers (`:p3`) read by a `LIMIT` or `OFFSET`, in document order. */
  readonly limitPlaceholders: readonly string[];
  /** Every parameter marker, in document order. */
  readonly placeholders: readonly string[];
}

const NON_DETERMINISTIC = new Set([
  "rand",
  "randn",
  "random",
  "uuid",
  "shuffle",
  "monotonically_increasing_id",
  "spark_partition_id",
  "input_file_name",
]);

const AGGREGATES = new Set([
  "count",
  "sum",
  "avg",
  "mean",
  "min",
  "max",
  "collect_list",
  "collect_set",
  "array_agg",
  "first",
  "last",
  "any_value",
  "stddev",
  "stddev_pop",
  "stddev_samp",
  "variance",
  "var_pop",
  "var_samp",
  "percentile",
  "percentile_approx",
  "approx_count_distinct",
  "median",
  "bool_and",
  "bool_or",
  "every",
  "some",
  "any",
  "count_if",
  "schema_of_variant_agg",
]);

const WHERE_NAMES: Record<Where, string> = {
  select: "the select list",
  where: "WHERE",
  having: "HAVING",
  groupBy: "GROUP BY",
  orderBy: "ORDER BY",
  limit: "LIMIT/OFFSET",
  joinOn: "a join condition",
  window: "a window specification",
  from: "FROM",
};

type Node = Record<string, unknown>;

function isObject(value: unknown): value is Node {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isQuery(node: Node): boolean {
  return "body" in node && "locks" in node;
}

function functionName(fn: Node): string {
  const name = fn.name as unknown[] | undefined;
  const last = Array.isArray(name) ? (name.at(-1) as Node | undefined) : undefined;
  const ident = isObject(last) && isObject(last.Identifier) ? last.Identifier : undefined;
  return typeof ident?.value === "string" ? ident.value.toLowerCase() : "";
}

/** Analyses one Databricks statement (throws when it does not parse). */
export function analyzeSparkRules(sqlText: string): SparkAnalysis {
  const statements = parse(sqlText, "databricks") as unknown[];
  const violations: SparkRuleViolation[] = [];
  const limitPlaceholders: string[] = [];
  const placeholders: string[] = [];
  const violate = (errorClass: string, detail: string) => violations.push({ errorClass, detail });

  const visitQuery = (query: Node): void => {
    visit(query.with, "select");
    visitBody(query.body);
    visit(query.order_by, "orderBy");
    visit(query.limit_clause, "limit");
  };

  const visitBody = (body: unknown): void => {
    if (!isObject(body)) {
      visit(body, "select");
      return;
    }
    if (isObject(body.Select)) {
      visitSelect(body.Select);
      return;
    }
    if (isObject(body.SetOperation)) {
      visitBody(body.SetOperation.left);
      visitBody(body.SetOperation.right);
      return;
    }
    if (isObject(body.Query)) {
      visitQuery(body.Query);
      return;
    }
    visit(body, "select");
  };

  const visitSelect = (select: Node): void => {
    visit(select.projection, "select");
    for (const from of (select.from as unknown[] | undefined) ?? []) {
      if (!isObject(from)) continue;
      visit(from.relation, "from");
      for (const joined of (from.joins as unknown[] | undefined) ?? []) {
        if (!isObject(joined)) continue;
        visit(joined.relation, "from");
        visit(joined.join_operator, "joinOn");
      }
    }
    visit(select.selection, "where");
    visit(select.group_by, "groupBy");
    visit(select.having, "having");
    visit(select.qualify, "where");
    visit(select.named_window, "window");
  };

  const visit = (node: unknown, where: Where): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, where);
      return;
    }
    if (!isObject(node)) return;
    if (isQuery(node)) {
      visitQuery(node);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === "Query" && isObject(value)) {
        visitQuery(value);
        continue;
      }
      if ((key === "InSubquery" || key === "Exists") && (where === "orderBy" || where === "limit")) {
        violate(
          "UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.UNSUPPORTED_IN_EXISTS_SUBQUERY",
          `${key === "Exists" ? "an EXISTS" : "an IN"} subquery in ${WHERE_NAMES[where]}`,
        );
      }
      if (key === "Subquery" && where === "orderBy") {
        violate(
          "UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.UNSUPPORTED_CORRELATED_SCALAR_SUBQUERY",
          "a scalar subquery in ORDER BY",
        );
      }
      if (key === "Placeholder" && typeof value === "string") {
        placeholders.push(value);
        if (where === "limit") limitPlaceholders.push(value);
      }
      if (key === "Function" && isObject(value)) {
        const name = functionName(value);
        const windowed = value.over !== undefined && value.over !== null;
        if (
          windowed &&
          (where === "where" || where === "having" || where === "groupBy" || where === "joinOn")
        ) {
          violate("INVALID_WINDOW_FUNCTION_USAGE", `window function ${name}() in ${WHERE_NAMES[where]}`);
        }
        if (!windowed && AGGREGATES.has(name) && (where === "where" || where === "joinOn")) {
          violate("INVALID_WHERE_CONDITION", `aggregate function ${name}() in ${WHERE_NAMES[where]}`);
        }
        if (NON_DETERMINISTIC.has(name) && where === "joinOn") {
          violate(
            "INVALID_NON_DETERMINISTIC_EXPRESSIONS",
            `non-deterministic ${name}() in ${WHERE_NAMES[where]}`,
          );
        }
        for (const [k, v] of Object.entries(value)) visit(v, k === "over" ? "window" : where);
        continue;
      }
      visit(value, where);
    }
  };

  visit(statements, "select");
  return { violations, limitPlaceholders, placeholders };
}

/** The types of the bound parameters, by marker name without the colon (as `DBSQLParameter.type`). */
export type BoundTypes = Readonly<Record<string, string | undefined>>;

/**
 * What a warehouse would answer a statement with before running it, as the driver's error message
 * (`[ERROR_CLASS] …`), or null when it would accept it: a parse error, a marker without a bound parameter, a
 * `LIMIT`/`OFFSET` marker not bound as `INTEGER`, or a broken analysis rule (above).
 */
export function warehouseRejection(sqlText: string, types: BoundTypes): string | null {
  let analysis: SparkAnalysis;
  try {
    analysis = analyzeSparkRules(sqlText);
  } catch (error) {
    return `[PARSE_SYNTAX_ERROR] Syntax error: ${(error as Error).message}`;
  }
  const unbound = analysis.placeholders.map((m) => m.slice(1)).find((name) => !(name in types));
  if (unbound) return `[UNBOUND_SQL_PARAMETER] Found the unbound parameter: ${unbound}.`;
  for (const marker of analysis.limitPlaceholders) {
    const type = types[marker.slice(1)];
    if (type !== "INTEGER") {
      return `[INVALID_LIMIT_LIKE_EXPRESSION.DATA_TYPE] The limit like expression "${marker}" is invalid. The limit expression must be integer type, but got "${type ?? "VOID"}". SQLSTATE: 42K0E`;
    }
  }
  const [first] = analysis.violations;
  return first ? `[${first.errorClass}] ${first.detail}. SQLSTATE: 0A000` : null;
}

/** Fails (with the warehouse's answer and the statement) unless a warehouse would accept `sqlText` with `params`. */
export function expectWarehouseAccepts(sqlText: string, params: readonly BoundParam[]): void {
  const named = toNamedParameters(params);
  const types = Object.fromEntries(Object.entries(named).map(([name, p]) => [name, p.type]));
  const rejection = warehouseRejection(sqlText, types);
  expect(rejection, `a warehouse would reject this statement:\n${sqlText}`).toBeNull();
}
