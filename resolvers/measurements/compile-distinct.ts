/**
 * Distinct values of one field with their row counts, for filter pickers — ONE statement:
 *
 *   SELECT "__value", count(*) AS "__count" [, count(*) OVER () AS "__total"]
 *   FROM (SELECT <field> AS "__value" FROM <source> WHERE <filters>) AS q
 *   GROUP BY "__value" ORDER BY "__count" DESC, "__value" ASC NULLS LAST LIMIT <first + 1>
 *
 * The extra row only tells whether more values exist (`hasMore`). The values are exactly what `where` accepts for
 * the field again (e.g. contributor pseudonyms in anonymized experiments).
 */

import type { Dialect } from "../../lakehouse/dialect.js";
import type { Row, RowValue } from "../../lakehouse/lakehouse.js";
import { dialectSql, ident, type Sql, sql } from "../../lakehouse/sql.js";
import { BadUserInputError } from "../errors.js";
import { andAll } from "../pagination/page-statement.js";
import { type QueryField, type QuerySource, selectValue } from "./query-fields.js";

export const DEFAULT_DISTINCT_FIRST = 200;
export const MAX_DISTINCT_FIRST = 1000;

export interface DistinctInput {
  readonly source: QuerySource;
  /** Scope, access and the compiled where; combined with AND. */
  readonly filters: readonly Sql[];
  /** A field name of the source (the field enum's value). */
  readonly field: string;
  readonly first?: number | null;
  /** Also count all distinct values (a window over the groups, in the same statement). */
  readonly withTotal: boolean;
}

export interface CompiledDistinct {
  readonly statement: Sql;
  readonly field: QueryField;
  readonly first: number;
  readonly withTotal: boolean;
}

export interface DistinctValues {
  readonly values: { value: RowValue; count: number }[];
  readonly hasMore: boolean;
  readonly totalCount: number | null;
}

const VALUE = "__value";
const COUNT = "__count";
const TOTAL = "__total";

export function compileDistinct(input: DistinctInput): CompiledDistinct {
  const field = input.source.byName.get(input.field);
  if (!field) {
    throw new BadUserInputError(`\`field\`: ${JSON.stringify(input.field)} is not a field.`, {
      argument: "field",
    });
  }
  const first = input.first ?? DEFAULT_DISTINCT_FIRST;
  if (!Number.isInteger(first) || first < 1 || first > MAX_DISTINCT_FIRST) {
    throw new BadUserInputError(
      `\`first\` must be between 1 and ${MAX_DISTINCT_FIRST}; narrow \`where\` to see the rest.`,
      { argument: "first" },
    );
  }
  const value = ident(VALUE);
  const count = ident(COUNT);
  const total = input.withTotal ? sql`, count(*) OVER () AS ${ident(TOTAL)}` : sql``;
  // A Decimal is selected as its exact text (one text per value) and ties sort by the number it spells.
  const scale = field.decimalScale;
  const byValue = scale === null ? value : dialectSql((d: Dialect) => d.decimal(value, scale));
  const statement = sql`SELECT ${value}, count(*) AS ${count}${total} FROM (SELECT ${selectValue(field, field.expr)} AS ${value} FROM ${
    input.source.from
  } WHERE ${andAll(input.filters)}) AS ${ident("q")} GROUP BY ${value} ORDER BY ${count} DESC, ${byValue} ASC NULLS LAST LIMIT ${
    first + 1
  }`;
  return { statement, field, first, withTotal: input.withTotal };
}

export function readDistinct(compiled: CompiledDistinct, rows: readonly Row[]): DistinctValues {
  const page = rows.slice(0, compiled.first);
  const totalValue = rows[0]?.[TOTAL];
  return {
    values: page.map((r) => ({ value: r[VALUE] ?? null, count: Number(r[COUNT] ?? 0) })),
    hasMore: rows.length > compiled.first,
    totalCount: compiled.withTotal ? (totalValue == null ? 0 : Number(totalValue)) : null,
  };
}
