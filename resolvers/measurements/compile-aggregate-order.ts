/**
 * An aggregate's `orderBy`, `limit` and `offset` → the tail of its ONE statement:
 *
 *   … GROUP BY g0, g1 ORDER BY "__count" DESC NULLS LAST, g0 ASC NULLS LAST, g1 ASC NULLS LAST LIMIT $n OFFSET $m
 *
 * Each `orderBy` entry sets exactly one of `key` (a `groupBy` entry), `count` or `measure {fn, field}`; the group
 * keys not already ordered by follow, ascending, so ties always come back in one order. Nulls go LAST unless asked
 * otherwise, in both directions (as the connections' `orderBy`).
 *
 * Window measures (`cumsum`) are evaluated before ORDER BY and LIMIT in SQL's logical order, so they stay running
 * sums in key order over *all* groups: ordering or cutting the groups never changes a group's `cumsum`.
 *
 * Pure: arguments in, plans and `Sql` out; `compile-aggregate.ts` puts them into the statement.
 */
import type { Sql } from "../../lakehouse/sql.js";
import { join, sql } from "../../lakehouse/sql.js";
import { BadUserInputError } from "../errors.js";
import { MAX_OFFSET } from "../pagination/connection.js";
import type { Direction, NullsPlacement } from "../pagination/keyset.js";
import { type AggregateMeasure, type Dimension, type GroupByArgs, groupingEntry } from "./aggregate-terms.js";

export const MAX_AGGREGATE_ORDER_BY = 8;
/** The measures groups can be ordered by (the field's numeric aggregates). */
export const ORDERABLE_FUNCTIONS = ["sum", "avg", "min", "max", "stddev", "variance"] as const;
export type OrderableFunction = (typeof ORDERABLE_FUNCTIONS)[number];

export interface AggregateOrderByArgs {
  /** A `groupBy` entry of the same aggregate. */
  readonly key?: GroupByArgs | null;
  /** The group's row count. */
  readonly count?: boolean | null;
  readonly measure?: { readonly fn: OrderableFunction; readonly field: string } | null;
  readonly direction?: Direction | null;
  readonly nulls?: NullsPlacement | null;
}

type OrderTerm =
  | { readonly kind: "key"; readonly alias: string }
  | { readonly kind: "count" }
  | { readonly kind: "measure"; readonly measure: AggregateMeasure };

export interface AggregateOrder {
  readonly terms: readonly (OrderTerm & { readonly direction: Direction; readonly nulls: NullsPlacement })[];
  /** Measures the order reads; computed with the selected ones (they may not be selected). */
  readonly measures: readonly AggregateMeasure[];
}

/** The identity of a grouping, as `groupBy` and `orderBy[].key` both name it. */
export function dimensionIdentity(d: Dimension): string {
  switch (d.kind) {
    case "question":
      return `question:${d.label}`;
    case "time":
    case "field":
      return `${d.kind}:${d.field.name}`;
    default:
      return d.kind;
  }
}

function keyIdentity(key: GroupByArgs, at: string): string {
  const [kind, value] = groupingEntry(key, at, "orderBy");
  return value === true ? kind : `${kind}:${String(value)}`;
}

export function planAggregateOrder(
  orderBy: readonly AggregateOrderByArgs[] | null | undefined,
  dimensions: readonly Dimension[],
): AggregateOrder {
  const list = orderBy ?? [];
  if (list.length > MAX_AGGREGATE_ORDER_BY) {
    throw new BadUserInputError(`\`orderBy\` takes at most ${MAX_AGGREGATE_ORDER_BY} entries.`, {
      argument: "orderBy",
    });
  }
  const byIdentity = new Map(dimensions.map((d) => [dimensionIdentity(d), d]));
  const seen = new Set<string>();
  const measures: AggregateMeasure[] = [];
  const terms = list.map((item, i) => {
    const at = `orderBy[${i}]`;
    const direction = item.direction ?? "ASC";
    const nulls = item.nulls ?? "LAST";
    if (direction !== "ASC" && direction !== "DESC") {
      throw new BadUserInputError(`\`${at}.direction\` must be ASC or DESC.`, { argument: "orderBy" });
    }
    if (nulls !== "FIRST" && nulls !== "LAST") {
      throw new BadUserInputError(`\`${at}.nulls\` must be FIRST or LAST.`, { argument: "orderBy" });
    }
    const set = (["key", "count", "measure"] as const).filter(
      (m) => item[m] !== null && item[m] !== undefined,
    );
    if (set.length !== 1) {
      throw new BadUserInputError(`\`${at}\` must set exactly one of key, count, measure.`, {
        argument: "orderBy",
      });
    }
    let term: OrderTerm;
    let identity: string;
    if (item.key != null) {
      identity = keyIdentity(item.key, `${at}.key`);
      const d = byIdentity.get(identity);
      if (!d) {
        throw new BadUserInputError(
          `\`${at}.key\` is not one of this aggregate's \`groupBy\` entries; order by a grouping you group by.`,
          { argument: "orderBy" },
        );
      }
      term = { kind: "key", alias: d.alias };
    } else if (item.count != null) {
      if (item.count !== true) {
        throw new BadUserInputError(`\`${at}.count\` must be true; leave the entry out otherwise.`, {
          argument: "orderBy",
        });
      }
      identity = "count";
      term = { kind: "count" };
    } else {
      const { fn, field } = item.measure!;
      if (!(ORDERABLE_FUNCTIONS as readonly string[]).includes(fn)) {
        throw new BadUserInputError(
          `\`${at}.measure.fn\` must be one of ${ORDERABLE_FUNCTIONS.join(", ")}.`,
          { argument: "orderBy" },
        );
      }
      identity = `measure:${fn}:${field}`;
      const measure: AggregateMeasure = { fn, field };
      measures.push(measure);
      term = { kind: "measure", measure };
    }
    if (seen.has(identity)) {
      throw new BadUserInputError(`\`orderBy\` lists ${identity} twice; keep one entry.`, {
        argument: "orderBy",
      });
    }
    seen.add(identity);
    return { ...term, direction, nulls };
  });
  return { terms, measures };
}

/**
 * ORDER BY terms: the asked ones, then every group key not ordered by yet (ascending, nulls last) — a total order
 * of the groups, whatever ties the asked terms leave. `measureAlias` maps a measure to its column.
 */
export function orderTerms(
  order: AggregateOrder,
  dimensions: readonly Dimension[],
  dimensionKey: (d: Dimension) => Sql,
  count: Sql,
  measureKey: (m: AggregateMeasure) => Sql,
): Sql {
  const used = new Set<string>();
  const byAlias = new Map(dimensions.map((d) => [d.alias, d]));
  const out: Sql[] = order.terms.map((t) => {
    const column =
      t.kind === "key"
        ? dimensionKey(byAlias.get(t.alias)!)
        : t.kind === "count"
          ? count
          : measureKey(t.measure);
    if (t.kind === "key") used.add(t.alias);
    return sql`${column} ${t.direction === "DESC" ? sql`DESC` : sql`ASC`} ${
      t.nulls === "FIRST" ? sql`NULLS FIRST` : sql`NULLS LAST`
    }`;
  });
  for (const d of dimensions) {
    if (!used.has(d.alias)) out.push(sql`${dimensionKey(d)} ASC NULLS LAST`);
  }
  return join(out, ", ");
}

/** `limit` and `offset`, checked: `limit` is at most the gateway's group cap (BAD_USER_INPUT past it, as `first`). */
export function checkGroupWindow(
  limit: number | null | undefined,
  offset: number | null | undefined,
  maxGroups: number,
): { readonly limit: number | null; readonly offset: number } {
  if (limit != null && (!Number.isInteger(limit) || limit < 1 || limit > maxGroups)) {
    throw new BadUserInputError(
      `\`limit\` must be between 1 and ${maxGroups.toLocaleString("en-US")}; narrow \`where\` or page with \`offset\`.`,
      { argument: "limit" },
    );
  }
  const from = offset ?? 0;
  if (!Number.isInteger(from) || from < 0 || from > MAX_OFFSET) {
    throw new BadUserInputError(`\`offset\` must be between 0 and ${MAX_OFFSET.toLocaleString("en-US")}.`, {
      argument: "offset",
    });
  }
  return { limit: limit ?? null, offset: from };
}
