/**
 * Keyset pagination over any sort order, null-aware: the rows strictly after a cursor position are
 *   after(k1) OR (k1 = v1 AND (after(k2) OR (k2 = v2 AND … after(rowKey))))
 * where "after" and "equal" respect the direction and the NULLS FIRST/LAST placement of each key. The last keys
 * are the row key (unique, non-null), so there is no tie and no row is skipped or repeated.
 */
import type { Dialect } from "../../lakehouse/dialect.js";
import {
  dialectSql,
  keyword,
  type ParamType,
  type ParamValue,
  param,
  type Sql,
  sql,
} from "../../lakehouse/sql.js";

export type Direction = "ASC" | "DESC";
export type NullsPlacement = "FIRST" | "LAST";

export interface SortKey {
  /** The expression to sort by (as selected in the page statement). */
  readonly expr: Sql;
  /** The name it is selected under, so its value can be read back from a row for the cursor. */
  readonly alias: string;
  readonly direction: Direction;
  readonly nulls: NullsPlacement;
  readonly type: ParamType;
  /**
   * The scale of a Decimal key. `expr` is then a DECIMAL(38, scale) number; the page statement selects it as exact
   * text (for the cursor) and sorts by that text cast back, so the order is numeric and the cursor exact.
   */
  readonly decimalScale?: number | null;
  /** False for row-key columns; saves the IS NULL branches. */
  readonly nullable: boolean;
  /**
   * True when the key is computed from a VARIANT path rather than read from a column: the engine evaluates it
   * for every matching row anyway, so late materialization buys nothing (see page-statement.ts).
   */
  readonly computed?: boolean;
}

export function reverseKeys(keys: readonly SortKey[]): SortKey[] {
  return keys.map((k) => ({
    ...k,
    direction: k.direction === "ASC" ? "DESC" : "ASC",
    nulls: k.nulls === "FIRST" ? "LAST" : "FIRST",
  }));
}

/** The key as the page statement selects it under its alias: a Decimal as exact text. */
export function selectedKey(k: SortKey): Sql {
  const scale = k.decimalScale;
  return scale == null ? k.expr : dialectSql((d: Dialect) => d.decimalText(k.expr));
}

/** The value to bind for a key: a Decimal's text cast to DECIMAL(38, scale). */
function keyValue(k: SortKey, v: ParamValue): Sql {
  const p = param(v, k.type);
  const scale = k.decimalScale;
  return scale == null ? sql`${p}` : dialectSql((d: Dialect) => d.decimal(sql`${p}`, scale));
}

/**
 * ORDER BY over the selected keys (`expr` names each key's select-list alias or a column of a subquery that carries
 * it): a Decimal key is its exact text there, so it is cast back to sort numerically.
 */
export function orderByList(keys: readonly SortKey[]): Sql {
  return keys.reduce<Sql | null>((acc, k) => {
    const scale = k.decimalScale;
    const by = scale == null ? k.expr : dialectSql((d: Dialect) => d.decimal(k.expr, scale));
    const term = sql`${by} ${k.direction === "ASC" ? keyword("ASC") : keyword("DESC")} ${
      k.nulls === "FIRST" ? keyword("NULLS FIRST") : keyword("NULLS LAST")
    }`;
    return acc ? sql`${acc}, ${term}` : term;
  }, null)!;
}

function strictlyAfter(k: SortKey, v: ParamValue): Sql {
  const value = keyValue(k, v);
  const cmp = k.direction === "ASC" ? sql`${k.expr} > ${value}` : sql`${k.expr} < ${value}`;
  if (!k.nullable) return cmp;
  if (v === null) {
    // Nulls first: every non-null comes after; nulls last: nothing comes after a null except ties.
    return k.nulls === "FIRST" ? sql`${k.expr} IS NOT NULL` : sql`FALSE`;
  }
  return k.nulls === "LAST" ? sql`(${cmp} OR ${k.expr} IS NULL)` : cmp;
}

function equal(k: SortKey, v: ParamValue): Sql {
  if (v === null) return sql`${k.expr} IS NULL`;
  return sql`${k.expr} = ${keyValue(k, v)}`;
}

/** The predicate for rows strictly after the position `values` (one value per key) in the order `keys`. */
export function keysetAfter(keys: readonly SortKey[], values: readonly ParamValue[]): Sql {
  const build = (i: number): Sql => {
    const k = keys[i]!;
    const v = values[i] as ParamValue;
    if (i === keys.length - 1) return strictlyAfter(k, v);
    return sql`(${strictlyAfter(k, v)} OR (${equal(k, v)} AND ${build(i + 1)}))`;
  };
  return build(0);
}
