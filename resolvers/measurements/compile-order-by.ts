/**
 * `orderBy` argument → keyset sort keys over a query source. The page compiler appends the row key, so the order is
 * total: ties and nulls never make a page skip or repeat a row, and cursors carry every key's value.
 *
 * `nulls` defaults to LAST in both directions (a table shows missing values at the end whichever way it sorts).
 * A field may appear once; list and JSON fields are not sortable (they are not in the field enum at all).
 */
import { BadUserInputError } from "../errors.js";
import type { Direction, NullsPlacement, SortKey } from "../pagination/keyset.js";
import type { QuerySource } from "./query-fields.js";

export const MAX_ORDER_BY = 8;

export interface OrderByArgs {
  /** A field name of the source (the field enum's value). */
  readonly field: string;
  readonly direction?: Direction | null;
  readonly nulls?: NullsPlacement | null;
}

export interface CompiledOrderBy {
  /** Sort keys before the row key; undefined when no order was asked for (the connection's default applies). */
  readonly keys: readonly SortKey[] | undefined;
  /** Canonical form for cursor signatures. */
  readonly normalized: unknown;
}

export function compileOrderBy(
  source: QuerySource,
  orderBy: readonly OrderByArgs[] | null | undefined,
): CompiledOrderBy {
  if (orderBy == null || orderBy.length === 0) return { keys: undefined, normalized: null };
  if (orderBy.length > MAX_ORDER_BY) {
    throw new BadUserInputError(`\`orderBy\` takes at most ${MAX_ORDER_BY} fields.`, { argument: "orderBy" });
  }
  const seen = new Set<string>();
  const keys = orderBy.map((item, i): SortKey => {
    const field = source.byName.get(item.field);
    if (!field) {
      throw new BadUserInputError(`\`orderBy[${i}].field\`: ${JSON.stringify(item.field)} is not sortable.`, {
        argument: "orderBy",
      });
    }
    if (seen.has(field.name)) {
      throw new BadUserInputError(`\`orderBy\` lists ${field.name} twice; keep one entry per field.`, {
        argument: "orderBy",
      });
    }
    seen.add(field.name);
    const direction = item.direction ?? "ASC";
    if (direction !== "ASC" && direction !== "DESC") {
      throw new BadUserInputError(`\`orderBy[${i}].direction\` must be ASC or DESC.`);
    }
    const nulls = item.nulls ?? "LAST";
    if (nulls !== "FIRST" && nulls !== "LAST") {
      throw new BadUserInputError(`\`orderBy[${i}].nulls\` must be FIRST or LAST.`);
    }
    return {
      expr: field.expr,
      alias: `__s${i}`,
      direction,
      nulls,
      type: field.paramType,
      decimalScale: field.decimalScale,
      nullable: field.nullable,
      computed: field.origin !== "base",
    };
  });
  return {
    keys,
    normalized: keys.map((k, i) => [orderBy[i]!.field, k.direction, k.nulls]),
  };
}
