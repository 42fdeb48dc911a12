/** Experiments: the list (keyset by name, id) and one by id. Unreadable and missing look the same. */
import { NotFoundError } from "../../gateway/errors.js";
import { ident, type Sql, table } from "../../gateway/lakehouse/sql.js";
import type { GatewayContext } from "../context.js";
import type { ExperimentRow } from "../loaders/request-loaders.js";
import { buildConnection, type Connection, type PageArgs, planPage } from "../pagination/connection.js";
import { cursorSignature } from "../pagination/cursor.js";
import type { SortKey } from "../pagination/keyset.js";
import { pageStatement, readPage } from "../pagination/page-statement.js";

const EXPERIMENT_SORT: readonly SortKey[] = [
  {
    expr: ident("name"),
    alias: "__k_name",
    direction: "ASC",
    nulls: "LAST",
    type: "string",
    nullable: false,
  },
  {
    expr: ident("experiment_id"),
    alias: "__k_id",
    direction: "ASC",
    nulls: "LAST",
    type: "string",
    nullable: false,
  },
];

const PROJECTION: readonly Sql[] = [
  "experiment_id",
  "name",
  "description",
  "visibility",
  "status",
  "anonymize_contributors",
  "created_at",
].map((c) => ident(c));

export async function experimentConnection(
  ctx: GatewayContext,
  args: PageArgs,
  options: { withTotal: boolean },
): Promise<Connection<ExperimentRow>> {
  const signature = cursorSignature(["experiments", "name", "id"]);
  const plan = planPage(args, EXPERIMENT_SORT, signature, ctx.limits);
  const statement = pageStatement({
    projection: PROJECTION,
    from: table("experiments"),
    filters: [ctx.access.readable(ident("experiment_id"))],
    plan,
    withTotal: options.withTotal,
  });
  const rows = await ctx.lakehouse.query<ExperimentRow>(statement, { signal: ctx.signal });
  const page = readPage(rows, options.withTotal, "experiment_id");
  for (const row of page.rows) ctx.loaders.experiment.prime(row.experiment_id, row);
  return buildConnection(plan, page.rows, (r) => r, page.total, EXPERIMENT_SORT);
}

/** The experiment, or NOT_FOUND — the same answer for a missing and an unreadable private experiment. */
export async function requireExperiment(ctx: GatewayContext, id: string): Promise<ExperimentRow> {
  const row = await ctx.loaders.experiment.load(id);
  if (!row) throw new NotFoundError(`No experiment with id "${id}".`);
  return row;
}
