/**
 * One statement per page. When `totalCount` is selected it rides in the same statement:
 *
 *   SELECT t.__total, p.* FROM (SELECT count(*) AS __total FROM src WHERE filters) t
 *   LEFT JOIN (SELECT … FROM src WHERE filters AND keyset ORDER BY … LIMIT n + 1) p ON TRUE
 *   ORDER BY p.sortkeys
 *
 * The LEFT JOIN keeps one row even when the page is empty, so the count is never lost.
 */
import { ident, join, keyword, type Sql, sql } from "../../gateway/lakehouse/sql.js";
import type { PagePlan } from "./connection.js";
import { keysetAfter, orderByList, type SortKey } from "./keyset.js";

export const TOTAL_ALIAS = "__total";

export interface PageStatementSpec {
  /** Select-list items, each already `expr AS "alias"`. Sort keys are added by the builder. */
  readonly projection: readonly Sql[];
  readonly from: Sql;
  /** Filters (including the access predicate); combined with AND. */
  readonly filters: readonly Sql[];
  readonly plan: PagePlan;
  readonly withTotal: boolean;
}

export function andAll(filters: readonly Sql[]): Sql {
  const real = filters.filter((f) => !f.isEmpty);
  return real.length === 0
    ? sql`TRUE`
    : join(
        real.map((f) => sql`(${f})`),
        " AND ",
      );
}

export function pageStatement(spec: PageStatementSpec): Sql {
  const { plan } = spec;
  const sortItems = plan.keys.map((k) => sql`${k.expr} AS ${ident(k.alias)}`);
  const select = join([...spec.projection, ...sortItems]);
  const where = andAll(
    plan.position ? [...spec.filters, keysetAfter(plan.keys, plan.position)] : spec.filters,
  );
  const limit = plan.size + 1;
  const page = sql`SELECT ${select} FROM ${spec.from} WHERE ${where} ORDER BY ${orderByList(plan.keys)} LIMIT ${limit}`;
  if (!spec.withTotal) return page;
  const outerKeys: SortKey[] = plan.keys.map((k) => ({ ...k, expr: ident("p", k.alias) }));
  return sql`SELECT ${ident("t", TOTAL_ALIAS)}, ${keyword("p.*")} FROM (SELECT count(*) AS ${ident(TOTAL_ALIAS)} FROM ${
    spec.from
  } WHERE ${andAll(spec.filters)}) ${ident("t")} LEFT JOIN (${page}) ${ident("p")} ON TRUE ORDER BY ${orderByList(outerKeys)}`;
}

/** Splits the rows of a page statement into page rows and the total (when selected). */
export function readPage<R extends object>(
  rows: readonly R[],
  withTotal: boolean,
  rowKeyAlias: string,
): { rows: R[]; total: number | null } {
  if (!withTotal) return { rows: [...rows], total: null };
  const totalValue = (rows[0] as Record<string, unknown> | undefined)?.[TOTAL_ALIAS];
  const total = totalValue == null ? 0 : Number(totalValue);
  return { rows: rows.filter((r) => (r as Record<string, unknown>)[rowKeyAlias] != null), total };
}
