import { ident, type Sql, sql } from "../../lakehouse/sql.js";
import type { ExperimentAccess } from "../access/experiment-access.js";
import type { GatewayContext, PagingLimits } from "../context.js";
import { compileOrderBy, type OrderByArgs } from "../measurements/compile-order-by.js";
import { compileWhere, type WhereArgs } from "../measurements/compile-where.js";
import { sampleQuerySource } from "../measurements/query-fields.js";
import {
  buildConnection,
  type Connection,
  type PageArgs,
  type PagePlan,
  planPage,
} from "../pagination/connection.js";
import { cursorSignature } from "../pagination/cursor.js";
import type { SortKey } from "../pagination/keyset.js";
import { pageStatement, readPage } from "../pagination/page-statement.js";

import { baseColumn, type SampleRow } from "../rows.js";

export type { SampleRow };

export const SAMPLE_SORT: readonly SortKey[] = [
  {
    expr: ident("timestamp"),
    alias: "__k_ts",
    direction: "DESC",
    nulls: "LAST",
    type: "timestamp",
    nullable: true,
  },
  { expr: ident("id"), alias: "__k_id", direction: "DESC", nulls: "LAST", type: "bigint", nullable: false },
];

const PROJECTION: readonly Sql[] = [
  "experiment_id",
  "id",
  "device_id",
  "device_name",
  "timestamp",
  "user_id",
  "sample",
  "measurement_sets",
  "questions",
  "macros",
  "processed_timestamp",
].map((c) => baseColumn(c));

/** The row key after any requested order: ids are unique within an experiment. */
const SAMPLE_ROW_KEY: readonly SortKey[] = SAMPLE_SORT.slice(1);

export interface SampleConnectionArgs extends PageArgs {
  readonly where?: WhereArgs | null;
  readonly orderBy?: readonly OrderByArgs[] | null;
}

export interface CompiledSamplePage {
  readonly statement: Sql;
  readonly plan: PagePlan;
  /** Sort keys in forward order (for cursors). */
  readonly keys: readonly SortKey[];
}

/** Arguments → one page statement over one experiment's samples (the connection's and the export's). */
export function compileSamplePage(
  access: ExperimentAccess,
  experimentId: string,
  args: SampleConnectionArgs,
  options: { withTotal: boolean; limits: PagingLimits },
): CompiledSamplePage {
  const source = sampleQuerySource();
  const where = compileWhere(source, args.where);
  const order = compileOrderBy(source, args.orderBy);
  const keys = order.keys ? [...order.keys, ...SAMPLE_ROW_KEY] : SAMPLE_SORT;
  const signature = cursorSignature([
    "samples",
    experimentId,
    where.normalized,
    keys.map((k) => [k.alias, k.direction, k.nulls]),
    order.normalized,
  ]);
  const plan = planPage(args, keys, signature, options.limits);
  const filters = [sql`experiment_id = ${experimentId}`, access.readable(ident("experiment_id"))];
  if (where.predicate) filters.push(where.predicate);
  const statement = pageStatement({
    projection: PROJECTION,
    // Aliased (`r`) so correlated filters (annotations) can name the row.
    from: source.from,
    rowKey: { alias: "r", columns: ["experiment_id", "id"] },
    filters,
    plan,
    withTotal: options.withTotal,
  });
  return { statement, plan, keys };
}

export async function sampleConnection(
  ctx: GatewayContext,
  experimentId: string,
  args: SampleConnectionArgs,
  options: { withTotal: boolean },
): Promise<Connection<SampleRow>> {
  const { statement, plan, keys } = compileSamplePage(ctx.access, experimentId, args, {
    withTotal: options.withTotal,
    limits: ctx.limits,
  });
  const rows = await ctx.lakehouse.query<SampleRow>(statement, {
    signal: ctx.signal,
    cacheTags: [experimentId],
  });
  const page = readPage(rows, options.withTotal, "id");
  return buildConnection(plan, page.rows, (r) => r, page.total, keys);
}
