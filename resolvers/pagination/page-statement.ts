/**
 * One statement per page. When `totalCount` is selected it rides in the same statement:
 *
 *   SELECT t.__total, p.* FROM (SELECT count(*) AS __total FROM src WHERE filters) t
 *   LEFT JOIN (SELECT … FROM src WHERE filters AND keyset ORDER BY … LIMIT n + 1) p ON TRUE
 *   ORDER BY p.sortkeys
 *
 * The LEFT JOIN keeps one row even when the page is empty, so the count is never lost. On a first page (no
 * cursor) the count is a window over the same pass instead — `count(*) OVER ()` before the LIMIT — and an empty
 * page means a total of 0.
 *
 * Late materialization (`rowKey`): the page's rows are chosen from the sort keys and filters alone, and the
 * projection — VARIANT paths with try-casts, JSON payloads — is computed for those n + 1 rows only:
 *
 *   SELECT <projection>, m.<sort keys> FROM (SELECT m.*, k.<sort keys>
 *     FROM (SELECT <row key>, <sort keys> FROM src m WHERE … ORDER BY … LIMIT n + 1) k
 *     JOIN src m ON m.<row key> = k.<row key>) m ORDER BY m.<sort keys>
 *
 * Without it an engine evaluates the projection for every matching row before the top-n (measured 7.7× slower
 * than this on the bench preset for a 100-row page with 10 typed fields). It is skipped when a sort key is itself
 * computed from a VARIANT path: then every matching row is evaluated anyway, the picked rows are scattered over
 * the table, and the join back costs more than it saves (measured 866 vs 623 ms, sorting 360k rows by Phi2).
 */
import { dialectSql, ident, join, keyword, type Sql, sql } from "../../lakehouse/sql.js";
import type { PagePlan } from "./connection.js";
import { keysetAfter, orderByList, type SortKey, selectedKey } from "./keyset.js";

export const TOTAL_ALIAS = "__total";

export interface PageStatementSpec {
  /** Select-list items, each already `expr AS "alias"`. Sort keys are added by the builder. */
  readonly projection: readonly Sql[];
  readonly from: Sql;
  /** Filters (including the access predicate); combined with AND. */
  readonly filters: readonly Sql[];
  readonly plan: PagePlan;
  readonly withTotal: boolean;
  /** Columns that identify one row of `from` (under `alias`): turns on late materialization. */
  readonly rowKey?: { readonly alias: string; readonly columns: readonly string[] };
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
  // First page: the total is a window over the rows the page is chosen from (one pass, no second scan).
  const windowTotal = spec.withTotal && !plan.position;
  const sortItems = [
    ...plan.keys.map((k) => sql`${selectedKey(k)} AS ${ident(k.alias)}`),
    ...(windowTotal ? [sql`count(*) OVER () AS ${ident(TOTAL_ALIAS)}`] : []),
  ];
  const select = join([...spec.projection, ...sortItems]);
  const where = andAll(
    plan.position ? [...spec.filters, keysetAfter(plan.keys, plan.position)] : spec.filters,
  );
  const limit = plan.size + 1;
  // The statements order by the sort keys' select-list aliases, never by their expressions: a key may hold a
  // subquery (the contributor id's anonymization rule), and Spark allows IN/EXISTS subqueries in a projection
  // but not in a Sort (UNSUPPORTED_IN_EXISTS_SUBQUERY).
  const byAlias: SortKey[] = plan.keys.map((k) => ({ ...k, expr: ident(k.alias) }));
  // `OFFSET` only when asked for: the statement text (and its cache entry) stays the same otherwise.
  const skip = plan.offset > 0 ? sql` OFFSET ${plan.offset}` : sql``;
  let page: Sql;
  if (spec.rowKey && !plan.keys.some((k) => k.computed)) {
    const { alias, columns: keyColumns } = spec.rowKey;
    // The dialect's physical row locator when it has one (DuckDB `rowid`: a join on it fetches just those
    // rows), else the key columns.
    const locate = (build: (columns: readonly string[]) => Sql) =>
      dialectSql((d) => build(d.rowLocator ? [d.rowLocator] : keyColumns));
    const keyItems = locate((columns) =>
      join(columns.map((c) => sql`${ident(alias, c)} AS ${ident(`__rk_${c}`)}`)),
    );
    const picked = sql`SELECT ${join([keyItems, ...sortItems])} FROM ${spec.from} WHERE ${where} ORDER BY ${orderByList(
      byAlias,
    )} LIMIT ${limit}${skip}`;
    const on = locate((columns) =>
      join(
        columns.map((c) => sql`${ident(alias, c)} = ${ident("k", `__rk_${c}`)}`),
        " AND ",
      ),
    );
    const carriedAliases = [...plan.keys.map((k) => k.alias), ...(windowTotal ? [TOTAL_ALIAS] : [])];
    const carried = carriedAliases.map((a) => sql`${ident("k", a)} AS ${ident(a)}`);
    // The picked rows are joined first, whole, and the projection is computed over that join (named like the
    // source, so it reads the same columns): an engine that pushes VARIANT path extraction into the scan
    // would otherwise extract the paths of every row the scan reads, not of the n + 1 rows the join keeps
    // (DuckDB: 110 → 30 ms CPU for a 100-row page with three typed fields on the bench preset).
    const joined = sql`SELECT ${ident(alias)}.*, ${join(carried)} FROM (${picked}) ${ident("k")} JOIN ${
      spec.from
    } ON ${on}`;
    const outerKeys: SortKey[] = plan.keys.map((k) => ({ ...k, expr: ident(alias, k.alias) }));
    page = sql`SELECT ${join([...spec.projection, ...carriedAliases.map((a) => sql`${ident(alias, a)} AS ${ident(a)}`)])} FROM (${joined}) ${ident(
      alias,
    )} ORDER BY ${orderByList(outerKeys)}`;
  } else {
    page = sql`SELECT ${select} FROM ${spec.from} WHERE ${where} ORDER BY ${orderByList(byAlias)} LIMIT ${limit}${skip}`;
  }
  if (!spec.withTotal || windowTotal) return page;
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
