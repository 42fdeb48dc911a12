/**
 * Experiments: the list (keyset by name, id) and one by id. Unreadable and missing look the same.
 *
 * Header prefetch: when the selection asks for an experiment's devices, contributors, macros or freshness, they
 * ride in the experiment statement as correlated list aggregates and prime the loaders, so a dashboard header
 * costs one statement instead of five.
 */
import type { GraphQLResolveInfo } from "graphql";
import type { NestedType } from "../../lakehouse/dialect.js";
import type { RowValue } from "../../lakehouse/lakehouse.js";
import { dialectSql, ident, join, type Sql, sql, table } from "../../lakehouse/sql.js";
import type { ExperimentAccess } from "../access/experiment-access.js";
import type { GatewayContext } from "../context.js";
import { NotFoundError } from "../errors.js";
import {
  CONTRIBUTOR_COLUMNS,
  type ContributorRow,
  DEVICE_COLUMNS,
  type DeviceRow,
  type ExperimentRow,
  MACRO_INFO_COLUMNS,
  type MacroInfoRow,
  type RelationColumns,
  STATUS_COLUMNS,
  type StatusRow,
  sortContributors,
  sortDevices,
  sortMacros,
} from "../loaders/request-loaders.js";
import { buildConnection, type Connection, type PageArgs, planPage } from "../pagination/connection.js";
import { cursorSignature } from "../pagination/cursor.js";
import type { SortKey } from "../pagination/keyset.js";
import { pageStatement, readPage } from "../pagination/page-statement.js";
import { nestedSelections, selects, selectsField } from "../selection.js";

const EXPERIMENT_SORT: readonly SortKey[] = [
  {
    expr: ident("e", "name"),
    alias: "__k_name",
    direction: "ASC",
    nulls: "LAST",
    type: "string",
    nullable: false,
  },
  {
    expr: ident("e", "experiment_id"),
    alias: "__k_id",
    direction: "ASC",
    nulls: "LAST",
    type: "string",
    nullable: false,
  },
];

const EXPERIMENT_PROJECTION: readonly Sql[] = [
  "experiment_id",
  "name",
  "description",
  "visibility",
  "status",
  "anonymize_contributors",
  "created_at",
].map((c) => ident("e", c));

export interface HeaderPrefetch {
  readonly devices: boolean;
  readonly contributors: boolean;
  readonly macros: boolean;
  readonly status: boolean;
}

/** Which relations the experiment selection sets ask for. */
export function headerPrefetch(info: GraphQLResolveInfo, path: readonly string[] = []): HeaderPrefetch {
  const sets = path.length ? nestedSelections(info, path) : null;
  const asks = (...names: string[]) =>
    names.some((name) => (sets ? sets.some((set) => selects(set, name, info)) : selectsField(info, name)));
  return {
    devices: asks("devices", "deviceCount"),
    contributors: asks("contributors", "contributorCount"),
    macros: asks("macros"),
    status: asks("freshness"),
  };
}

/**
 * The relation's rows of experiment `e` as one list column `name`; `types` names the fields that are not plain
 * JSON (timestamps, 64-bit counts), so every lakehouse returns them exactly (`Dialect.complexColumn`).
 */
function listOf(
  columns: RelationColumns,
  types: Readonly<Record<string, NestedType>>,
  from: Sql,
  alias: string,
  name: string,
): Sql {
  const list = sql`(SELECT ${dialectSql((d) => d.aggregateList(columns))} FROM ${from} ${ident(alias)}
    WHERE ${ident(alias, "experiment_id")} = ${ident("e", "experiment_id")})`;
  return dialectSql((d) => d.complexColumn(list, { list: { struct: types } }, name));
}

const DEVICE_TYPES = {
  first_seen: "timestamp",
  last_seen: "timestamp",
  total_measurements: "bigint",
} as const;
const CONTRIBUTOR_TYPES = {
  anonymized: "boolean",
  first_contribution: "timestamp",
  last_contribution: "timestamp",
  total_contributions: "bigint",
} as const;
const MACRO_TYPES = { first_seen: "timestamp", last_seen: "timestamp", sample_count: "bigint" } as const;
const STATUS_TYPES = {
  latest_timestamp: "timestamp",
  latest_processed_timestamp: "timestamp",
  status_updated_at: "timestamp",
} as const;

function prefetchColumns(include: HeaderPrefetch, access: ExperimentAccess): Sql[] {
  const out: Sql[] = [];
  if (include.devices) {
    out.push(listOf(DEVICE_COLUMNS("d"), DEVICE_TYPES, table("experiment_device_data"), "d", "__devices"));
  }
  if (include.contributors) {
    out.push(
      listOf(
        CONTRIBUTOR_COLUMNS("c", "e", access),
        CONTRIBUTOR_TYPES,
        table("experiment_contributors"),
        "c",
        "__contributors",
      ),
    );
  }
  if (include.macros) {
    out.push(listOf(MACRO_INFO_COLUMNS("m"), MACRO_TYPES, table("experiment_macros"), "m", "__macros"));
  }
  if (include.status) {
    out.push(listOf(STATUS_COLUMNS("s"), STATUS_TYPES, table("experiment_status"), "s", "__status"));
  }
  return out;
}

type ExperimentWithPrefetch = ExperimentRow & Record<string, RowValue | undefined>;

const asList = <T>(value: RowValue | undefined): T[] => (Array.isArray(value) ? (value as T[]) : []);

function primeLoaders(ctx: GatewayContext, row: ExperimentWithPrefetch, include: HeaderPrefetch): void {
  const id = row.experiment_id;
  ctx.loaders.experiment.prime(id, row);
  if (include.devices)
    ctx.loaders.devicesByExperiment.prime(id, sortDevices(asList<DeviceRow>(row.__devices)));
  if (include.contributors) {
    ctx.loaders.contributorsByExperiment.prime(
      id,
      sortContributors(asList<ContributorRow>(row.__contributors)),
    );
  }
  if (include.macros)
    ctx.loaders.macrosByExperiment.prime(id, sortMacros(asList<MacroInfoRow>(row.__macros)));
  if (include.status) ctx.loaders.status.prime(id, asList<StatusRow>(row.__status)[0] ?? null);
}

export async function experimentConnection(
  ctx: GatewayContext,
  args: PageArgs,
  options: { withTotal: boolean; include: HeaderPrefetch },
): Promise<Connection<ExperimentRow>> {
  const signature = cursorSignature(["experiments", "name", "id"]);
  const plan = planPage(args, EXPERIMENT_SORT, signature, ctx.limits);
  const statement = pageStatement({
    projection: [...EXPERIMENT_PROJECTION, ...prefetchColumns(options.include, ctx.access)],
    from: sql`${table("experiments")} ${ident("e")}`,
    filters: [ctx.access.readable(ident("e", "experiment_id"))],
    plan,
    withTotal: options.withTotal,
  });
  const rows = await ctx.lakehouse.query<ExperimentWithPrefetch>(statement, {
    signal: ctx.signal,
    cacheTags: "all",
  });
  const page = readPage(rows, options.withTotal, "experiment_id");
  for (const row of page.rows) primeLoaders(ctx, row, options.include);
  return buildConnection(plan, page.rows, (r) => r as ExperimentRow, page.total, EXPERIMENT_SORT);
}

/** The experiment, or NOT_FOUND — the same answer for a missing and an unreadable private experiment. */
export async function requireExperiment(
  ctx: GatewayContext,
  id: string,
  include?: HeaderPrefetch,
): Promise<ExperimentRow> {
  const extra = include ? prefetchColumns(include, ctx.access) : [];
  let row: ExperimentRow | null;
  if (extra.length === 0) {
    row = await ctx.loaders.experiment.load(id);
  } else {
    const rows = await ctx.lakehouse.query<ExperimentWithPrefetch>(
      sql`SELECT ${join([...EXPERIMENT_PROJECTION, ...extra])}
        FROM ${table("experiments")} ${ident("e")}
        WHERE ${ident("e", "experiment_id")} = ${id} AND ${ctx.access.readable(ident("e", "experiment_id"))}`,
      { signal: ctx.signal, cacheTags: [id] },
    );
    row = rows[0] ?? null;
    if (row) primeLoaders(ctx, rows[0]!, include!);
  }
  if (!row) throw new NotFoundError(`No experiment with id "${id}".`);
  return row;
}
