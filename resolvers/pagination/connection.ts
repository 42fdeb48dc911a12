/**
 * Relay connections over keyset pages. A page statement fetches `size + 1` rows: the extra row only tells whether
 * another page exists. Backward paging (`last`/`before`) runs the reversed order and flips the rows back.
 */

import type { Row, RowValue } from "../../lakehouse/lakehouse.js";
import type { ParamValue } from "../../lakehouse/sql.js";
import { BadUserInputError } from "../errors.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { reverseKeys, type SortKey } from "./keyset.js";

export interface PageArgs {
  readonly first?: number | null;
  readonly after?: string | null;
  readonly last?: number | null;
  readonly before?: string | null;
  /** Rows to skip first (capped at `MAX_OFFSET`). */
  readonly offset?: number | null;
}

/** The deepest `offset`: the lakehouse reads every skipped row, so deep pages belong to cursors. */
export const MAX_OFFSET = 10_000;

export interface PagePlan {
  /** Rows the caller asked for. */
  readonly size: number;
  readonly backward: boolean;
  /** Sort keys in the order the statement must use (reversed when paging backward). */
  readonly keys: readonly SortKey[];
  /** Position to continue after (in statement order), or null for the first page. */
  readonly position: ParamValue[] | null;
  readonly signature: string;
  readonly hadCursor: boolean;
  /** Rows skipped before the page (after the cursor, if any). */
  readonly offset: number;
}

export interface Connection<N> {
  readonly edges: { cursor: string; node: N }[];
  readonly pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  readonly totalCount: number | null;
}

export function planPage(
  args: PageArgs,
  keys: readonly SortKey[],
  signature: string,
  options: { maxPageSize: number; defaultPageSize: number },
): PagePlan {
  const { first, last, after, before } = args;
  if (first != null && last != null) {
    throw new BadUserInputError("Pass either `first` or `last`, not both.");
  }
  for (const [name, value] of [
    ["first", first],
    ["last", last],
  ] as const) {
    if (value != null && (value < 0 || value > options.maxPageSize)) {
      throw new BadUserInputError(
        `\`${name}\` must be between 0 and ${options.maxPageSize}; page with cursors.`,
        {
          argument: name,
        },
      );
    }
  }
  const offset = args.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
    throw new BadUserInputError(`\`offset\` must be between 0 and ${MAX_OFFSET}; page deeper with cursors.`, {
      argument: "offset",
    });
  }
  if (after != null && before != null) {
    throw new BadUserInputError("Pass either `after` or `before`, not both.");
  }
  const backward = last != null || (before != null && first == null);
  const size = (backward ? last : first) ?? options.defaultPageSize;
  const cursor = backward ? before : after;
  const types = keys.map((k) => k.type);
  const position = cursor != null ? decodeCursor(cursor, signature, types) : null;
  return {
    size,
    backward,
    keys: backward ? reverseKeys(keys) : keys,
    position,
    signature,
    hadCursor: cursor != null,
    offset,
  };
}

function toParam(value: RowValue | undefined): ParamValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}

/** The cursor of a page row: its values of the forward sort keys, bound to the query's signature. */
export function rowCursor(signature: string, forwardKeys: readonly SortKey[], row: object): string {
  return encodeCursor(
    signature,
    forwardKeys.map((k) => toParam((row as Row)[k.alias])),
  );
}

/** Builds the connection from `size + 1` fetched rows (in statement order). */
export function buildConnection<R extends object, N>(
  plan: PagePlan,
  rows: readonly R[],
  toNode: (row: R) => N,
  totalCount: number | null,
  /** Sort keys in the caller's (forward) order; their aliases are read from each row for its cursor. */
  forwardKeys: readonly SortKey[],
): Connection<N> {
  const hasMore = rows.length > plan.size;
  let page = rows.slice(0, plan.size);
  if (plan.backward) page = [...page].reverse();
  const edges = page.map((row) => ({
    cursor: rowCursor(plan.signature, forwardKeys, row),
    node: toNode(row),
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: plan.backward ? plan.hadCursor || plan.offset > 0 : hasMore,
      hasPreviousPage: plan.backward ? hasMore : plan.hadCursor || plan.offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}
