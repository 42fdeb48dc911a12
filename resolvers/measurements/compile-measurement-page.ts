/**
 * Selection + arguments → one page statement over `experiment_macro_data` for one macro.
 *
 * - Only the selected VARIANT paths are projected, each try-cast to its type: a malformed value in one row is
 *   NULL for that field, never a failed statement.
 * - Rows with `macro_error` are excluded unless asked for.
 * - The access predicate is always part of the filters.
 * - Keyset order: the requested sort keys, then the row key (id, experiment_id) so no two rows tie.
 *
 * Relations (device, contributor, annotations, sample) are not joined here: dataloaders batch them per page.
 */
import type { MacroTypeModel } from "../../codegen/macro-type-model.js";
import type { Dialect, VariantCastType } from "../../lakehouse/dialect.js";
import { dialectSql, ident, join, type Sql, sql } from "../../lakehouse/sql.js";
import { variantCastOf } from "../../lakehouse/variant-casts.js";
import type { ExperimentAccess } from "../access/experiment-access.js";
import type { PageArgs, PagePlan } from "../pagination/connection.js";
import { planPage } from "../pagination/connection.js";
import { cursorSignature } from "../pagination/cursor.js";
import type { SortKey } from "../pagination/keyset.js";
import { pageStatement } from "../pagination/page-statement.js";
import { baseColumn } from "../rows.js";
import { answerLeaves, type MeasurementSelection, modelLeaves } from "./measurement-selection.js";
import { measurementQuerySource } from "./query-fields.js";

export const OUTPUT_ALIAS = "__output";

export const BASE_COLUMNS = [
  "experiment_id",
  "macro_filename",
  "macro_name",
  "id",
  "timestamp",
  "device_id",
  "device_name",
  "user_id",
  "questions",
  "macro_error",
  "processed_timestamp",
] as const;

/** Which experiments a page reads: one, an explicit list, or every experiment the viewer may read (null). */
export type ExperimentScope = readonly string[] | null;

export const ROW_KEY: readonly SortKey[] = [
  { expr: ident("id"), alias: "__k_id", direction: "DESC", nulls: "LAST", type: "bigint", nullable: false },
  {
    expr: ident("experiment_id"),
    alias: "__k_exp",
    direction: "ASC",
    nulls: "LAST",
    type: "string",
    nullable: false,
  },
];

export const DEFAULT_SORT: readonly SortKey[] = [
  {
    expr: ident("timestamp"),
    alias: "__k_ts",
    direction: "DESC",
    nulls: "LAST",
    type: "timestamp",
    nullable: true,
  },
];

export interface MeasurementPageInput {
  readonly model: MacroTypeModel;
  readonly scope: ExperimentScope;
  readonly access: ExperimentAccess;
  readonly selection: MeasurementSelection;
  readonly includeErrors: boolean;
  /** Extra filter (compiled `where`), already a predicate over `experiment_macro_data` columns. */
  readonly filter?: Sql;
  /** Sort keys before the row key; default newest first. */
  readonly sort?: readonly SortKey[];
  /** Identifies filter and sort for the cursor signature. */
  readonly signatureParts?: unknown;
  readonly args: PageArgs;
  readonly withTotal: boolean;
  readonly limits: { maxPageSize: number; defaultPageSize: number };
}

export interface CompiledMeasurementPage {
  readonly statement: Sql;
  readonly plan: PagePlan;
  /** Sort keys in forward order (for cursors). */
  readonly keys: readonly SortKey[];
}

/** The filters every measurement read applies: macro, scope, errors, access. */
export function measurementFilters(
  model: MacroTypeModel,
  scope: ExperimentScope,
  access: ExperimentAccess,
  includeErrors: boolean,
): Sql[] {
  const filters: Sql[] = [sql`macro_filename = ${model.macroFilename}`];
  if (scope) {
    filters.push(scope.length ? sql`experiment_id IN (${join(scope.map((id) => sql`${id}`))})` : sql`FALSE`);
  }
  if (!includeErrors) filters.push(sql`macro_error IS NULL`);
  filters.push(access.readable(ident("experiment_id")));
  return filters;
}

export function measurementProjection(model: MacroTypeModel, selection: MeasurementSelection): Sql[] {
  const leaves = modelLeaves(model);
  const output = ident("macro_output");
  const projection: Sql[] = BASE_COLUMNS.map((c) => baseColumn(c));
  if (selection.output) {
    projection.push(sql`${dialectJson(output)} AS ${ident(OUTPUT_ALIAS)}`);
  }
  for (const field of selection.leaves) {
    const alias = leaves.get(field)!;
    const cast = variantCastOf(field.type);
    const value =
      cast === "json" ? variantJsonAt(output, field.path) : variantGetAt(output, field.path, cast);
    projection.push(sql`${value} AS ${ident(alias)}`);
  }
  const answers = answerLeaves(model);
  for (const field of selection.answers) {
    projection.push(
      sql`${answerValue(field.path[0]!, variantCastOf(field.type))} AS ${ident(answers.get(field)!)}`,
    );
  }
  return projection;
}

export function compileMeasurementPage(input: MeasurementPageInput): CompiledMeasurementPage {
  const keys = [...(input.sort ?? DEFAULT_SORT), ...ROW_KEY];
  const signature = cursorSignature([
    "measurements",
    input.model.macroFilename,
    input.scope,
    input.includeErrors,
    input.signatureParts ?? null,
    keys.map((k) => [k.alias, k.direction, k.nulls]),
  ]);
  const plan = planPage(input.args, keys, signature, input.limits);
  const filters = measurementFilters(input.model, input.scope, input.access, input.includeErrors);
  if (input.filter) filters.push(input.filter);
  const statement = pageStatement({
    projection: measurementProjection(input.model, input.selection),
    // Aliased (`m`) so correlated filters (annotations) can name the row.
    from: measurementQuerySource(input.model).from,
    rowKey: { alias: "m", columns: ["experiment_id", "macro_filename", "id"] },
    filters,
    plan,
    withTotal: input.withTotal,
  });
  return { statement, plan, keys };
}

// Dialect-dependent pieces, resolved when the statement is rendered.
function dialectJson(column: Sql): Sql {
  return dialectSql((d: Dialect) => d.variantJson(column, []));
}

function variantJsonAt(column: Sql, path: readonly string[]): Sql {
  return dialectSql((d: Dialect) => d.variantJson(column, path));
}

/** A typed answer as a page reads it: where the shape keeps it (`questionAnswerSource`), try-cast or as JSON. */
function answerValue(label: string, cast: VariantCastType | "json"): Sql {
  return dialectSql((d: Dialect) => {
    const { column, path } = d.questionAnswerSource("m", label);
    return cast === "json" ? d.variantJson(column, path) : d.variantGet(column, path, cast);
  });
}

function variantGetAt(column: Sql, path: readonly string[], type: VariantCastType): Sql {
  return dialectSql((d: Dialect) => d.variantGet(column, path, type));
}
