/** Resolves `<macro>Distinct`: one statement of distinct values with counts (see `compile-distinct.ts`). */
import type { GraphQLResolveInfo } from "graphql";
import type { MacroTypeModel } from "../../codegen/macro-type-model.js";
import type { GatewayContext } from "../context.js";
import { selectsField } from "../selection.js";
import { compileDistinct, type DistinctValues, readDistinct } from "./compile-distinct.js";
import { type ExperimentScope, measurementFilters } from "./compile-measurement-page.js";
import { compileWhere, type WhereArgs } from "./compile-where.js";
import { measurementQuerySource } from "./query-fields.js";

export interface MeasurementDistinctArgs {
  readonly field: string;
  readonly first?: number | null;
  readonly where?: WhereArgs | null;
  /** Also count rows where the macro failed. */
  readonly includeErrors?: boolean | null;
}

export interface DistinctResult extends DistinctValues {
  /** The field whose values these are (for converting them to JSON). */
  readonly fieldName: string;
}

export async function measurementDistinct(
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
  model: MacroTypeModel,
  scope: ExperimentScope,
  args: MeasurementDistinctArgs,
): Promise<DistinctResult> {
  const source = measurementQuerySource(model);
  const where = compileWhere(source, args.where);
  const filters = measurementFilters(model, scope, ctx.access, args.includeErrors ?? false);
  if (where.predicate) filters.push(where.predicate);
  const compiled = compileDistinct({
    source,
    filters,
    field: args.field,
    first: args.first,
    withTotal: selectsField(info, "totalCount"),
  });
  const rows = await ctx.lakehouse.query(compiled.statement, {
    signal: ctx.signal,
    cacheTags: scope ?? "all",
  });
  return { ...readDistinct(compiled, rows), fieldName: compiled.field.name };
}
