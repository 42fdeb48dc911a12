/**
 * Resolves `<macro>Aggregate`: the selection decides which measures the ONE statement computes (only the
 * `sum { Phi2 }`, `corr(a, b)`, … that are asked for), then `compile-aggregate.ts` builds it.
 */
import {
  type GraphQLField,
  type GraphQLResolveInfo,
  getArgumentValues,
  getNamedType,
  isObjectType,
} from "graphql";
import type { MacroTypeModel } from "../../codegen/macro-type-model.js";
import type { TimeBucketUnit } from "../../lakehouse/dialect.js";
import type { GatewayContext } from "../context.js";
import { allFields, nestedSelections } from "../selection.js";
import {
  AGGREGATE_FUNCTIONS,
  type AggregateFunction,
  type AggregateGroup,
  type AggregateMeasure,
  aggregateRowCount,
  compileAggregate,
  type GroupByArgs,
  readAggregate,
} from "./compile-aggregate.js";
import type { AggregateOrderByArgs } from "./compile-aggregate-order.js";
import { type ExperimentScope, measurementFilters } from "./compile-measurement-page.js";
import { compileWhere, type WhereArgs } from "./compile-where.js";
import { measurementQuerySource } from "./query-fields.js";

export interface MeasurementAggregateArgs {
  readonly where?: WhereArgs | null;
  readonly groupBy?: readonly GroupByArgs[] | null;
  readonly timeBucket?: TimeBucketUnit | null;
  readonly timeZone?: string | null;
  readonly orderBy?: readonly AggregateOrderByArgs[] | null;
  readonly limit?: number | null;
  readonly offset?: number | null;
  /** Also aggregate rows where the macro failed (their outputs are mostly null). */
  readonly includeErrors?: boolean | null;
}

export interface AggregateResult {
  /** Rows over all groups (also those `limit` and `offset` leave out). */
  readonly count: number;
  readonly groups: readonly AggregateGroup[];
}

/** The measures selected under `groups` (through fragments and aliases; corr with its arguments). */
export function selectedMeasures(info: GraphQLResolveInfo): AggregateMeasure[] {
  const aggregateType = getNamedType(info.returnType);
  const groupsField = isObjectType(aggregateType) ? aggregateType.getFields().groups : undefined;
  const groupType = groupsField ? getNamedType(groupsField.type) : undefined;
  const corrDef: GraphQLField<unknown, unknown> | undefined = isObjectType(groupType)
    ? groupType.getFields().corr
    : undefined;
  const out: AggregateMeasure[] = [];
  for (const set of nestedSelections(info, ["groups"])) {
    for (const node of allFields(set, info)) {
      const name = node.name.value;
      if ((AGGREGATE_FUNCTIONS as readonly string[]).includes(name) && node.selectionSet) {
        for (const leaf of allFields(node.selectionSet, info)) {
          if (leaf.name.value.startsWith("__")) continue;
          out.push({ fn: name as AggregateFunction, field: leaf.name.value });
        }
      } else if (name === "corr" && corrDef) {
        const args = getArgumentValues(corrDef, node, info.variableValues) as { a: string; b: string };
        out.push({ fn: "corr", a: args.a, b: args.b });
      }
    }
  }
  return out;
}

export async function measurementAggregate(
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
  model: MacroTypeModel,
  scope: ExperimentScope,
  args: MeasurementAggregateArgs,
): Promise<AggregateResult> {
  const source = measurementQuerySource(model);
  const where = compileWhere(source, args.where);
  const filters = measurementFilters(model, scope, ctx.access, args.includeErrors ?? false);
  if (where.predicate) filters.push(where.predicate);
  const compiled = compileAggregate({
    source,
    filters,
    groupBy: args.groupBy,
    timeBucket: args.timeBucket,
    timeZone: args.timeZone,
    measures: selectedMeasures(info),
    orderBy: args.orderBy,
    limit: args.limit,
    offset: args.offset,
    maxGroups: ctx.limits.maxGroups,
  });
  const rows = await ctx.lakehouse.query(compiled.statement, {
    signal: ctx.signal,
    cacheTags: scope ?? "all",
  });
  const groups = readAggregate(compiled, rows);
  return { count: aggregateRowCount(compiled, rows, groups), groups };
}
