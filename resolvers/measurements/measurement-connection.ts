/** Resolves a macro's measurement connection: selection → one page statement → Relay connection. */
import type { GraphQLResolveInfo } from "graphql";
import type { MacroTypeModel } from "../../codegen/macro-type-model.js";
import type { Sql } from "../../lakehouse/sql.js";
import type { GatewayContext } from "../context.js";
import { buildConnection, type Connection, type PageArgs } from "../pagination/connection.js";
import type { SortKey } from "../pagination/keyset.js";
import { readPage } from "../pagination/page-statement.js";
/** A measurement row as read by a page statement: base columns plus `v<n>` leaf values and `__output`. */
import type { MeasurementRow } from "../rows.js";
import { nestedSelections, selectsField } from "../selection.js";
import { compileMeasurementPage, type ExperimentScope } from "./compile-measurement-page.js";
import { compileOrderBy, type OrderByArgs } from "./compile-order-by.js";
import { compileWhere, type WhereArgs } from "./compile-where.js";
import { selectMeasurementFields } from "./measurement-selection.js";
import { measurementQuerySource } from "./query-fields.js";

export type { MeasurementRow };

export interface MeasurementConnectionArgs extends PageArgs {
  readonly includeErrors?: boolean | null;
  readonly where?: WhereArgs | null;
  readonly orderBy?: readonly OrderByArgs[] | null;
}

export interface MeasurementQueryParts {
  readonly filter?: Sql;
  readonly sort?: readonly SortKey[];
  readonly signatureParts?: unknown;
}

export async function measurementConnection(
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
  model: MacroTypeModel,
  scope: ExperimentScope,
  args: MeasurementConnectionArgs,
  parts: MeasurementQueryParts = queryParts(model, args),
): Promise<Connection<MeasurementRow>> {
  const selection = selectMeasurementFields(model, nestedSelections(info, ["edges", "node"]), info);
  const withTotal = selectsField(info, "totalCount");
  const compiled = compileMeasurementPage({
    model,
    scope,
    access: ctx.access,
    selection,
    includeErrors: args.includeErrors ?? false,
    filter: parts.filter,
    sort: parts.sort,
    signatureParts: parts.signatureParts,
    args,
    withTotal,
    limits: ctx.limits,
  });
  const rows = await ctx.lakehouse.query<MeasurementRow>(compiled.statement, {
    signal: ctx.signal,
    cacheTags: scope ?? "all",
  });
  const page = readPage(rows, withTotal, "id");
  return buildConnection(compiled.plan, page.rows, (r) => r, page.total, compiled.keys);
}

/** Compiles `where` and `orderBy`; both go into the cursor signature, so a cursor only continues its own query. */
export function queryParts(model: MacroTypeModel, args: MeasurementConnectionArgs): MeasurementQueryParts {
  const source = measurementQuerySource(model);
  const where = compileWhere(source, args.where);
  const order = compileOrderBy(source, args.orderBy);
  return {
    filter: where.predicate ?? undefined,
    sort: order.keys,
    signatureParts: { where: where.normalized, orderBy: order.normalized },
  };
}
