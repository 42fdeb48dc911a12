import { ident, type Sql, sql, table } from "../../gateway/lakehouse/sql.js";
import type { GatewayContext } from "../context.js";
import { buildConnection, type Connection, type PageArgs, planPage } from "../pagination/connection.js";
import { cursorSignature } from "../pagination/cursor.js";
import type { SortKey } from "../pagination/keyset.js";
import { pageStatement, readPage } from "../pagination/page-statement.js";

export interface SampleRow {
  experiment_id: string;
  id: bigint;
  device_id: string | null;
  device_name: string | null;
  timestamp: string | null;
  user_id: string | null;
  sample: string | null;
  measurement_sets: string[] | null;
  questions:
    | { question_label: string | null; question_text: string | null; question_answer: string | null }[]
    | null;
  macros: { id: string | null; name: string | null; filename: string | null }[] | null;
  processed_timestamp: string | null;
}

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
].map((c) => ident(c));

export async function sampleConnection(
  ctx: GatewayContext,
  experimentId: string,
  args: PageArgs,
  options: { withTotal: boolean },
): Promise<Connection<SampleRow>> {
  const signature = cursorSignature(["samples", experimentId, "timestamp desc", "id desc"]);
  const plan = planPage(args, SAMPLE_SORT, signature, ctx.limits);
  const statement = pageStatement({
    projection: PROJECTION,
    from: table("experiment_raw_data"),
    filters: [sql`experiment_id = ${experimentId}`, ctx.access.readable(ident("experiment_id"))],
    plan,
    withTotal: options.withTotal,
  });
  const rows = await ctx.lakehouse.query<SampleRow>(statement, { signal: ctx.signal });
  const page = readPage(rows, options.withTotal, "id");
  return buildConnection(plan, page.rows, (r) => r, page.total, SAMPLE_SORT);
}
