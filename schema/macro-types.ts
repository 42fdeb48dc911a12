/**
 * One GraphQL type per macro, generated from the catalog's type models: `interface Measurement` with the common
 * fields, `<Macro>Measurement implements Measurement` with the typed output fields (nested objects become nested
 * types), a connection field on `Experiment` and a cross-experiment root field on `Query`.
 *
 * Values arrive from the page statement already try-cast (row mode, by column alias); inside lists of objects the
 * elements come as JSON and fields are picked by their original key (element mode).
 */
import type { MacroTypeModel, ModelField, ModelFieldType, ObjectModel } from "../codegen/macro-type-model.js";
import { BadUserInputError } from "../gateway/errors.js";
import type { RowValue } from "../gateway/lakehouse/lakehouse.js";
import { type ExperimentScope, OUTPUT_ALIAS } from "../resolvers/measurements/compile-measurement-page.js";
import { MAX_IN_LIST } from "../resolvers/measurements/compile-where.js";
import { measurementAggregate } from "../resolvers/measurements/measurement-aggregate.js";
import {
  type MeasurementRow,
  measurementConnection,
} from "../resolvers/measurements/measurement-connection.js";
import { measurementDistinct } from "../resolvers/measurements/measurement-distinct.js";
import { modelLeaves } from "../resolvers/measurements/measurement-selection.js";
import type { GatewayBuilder } from "./builder.js";
import {
  aggregateArgs,
  distinctArgs,
  macroQueryTypes,
  queryArgs,
  queryLanguageTypes,
} from "./macro-query-types.js";
import { type CoreTypes, pagingArgs, parseJson } from "./static/core-types.js";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Coerces a value (from SQL or from JSON) to what a GraphQL type serializes; anything off-shape is null. */
export function coerceValue(type: ModelFieldType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case "list":
      return Array.isArray(value) ? value.map((v) => coerceValue(type.of, v)) : null;
    case "object":
      return typeof value === "object" && !Array.isArray(value) ? value : null;
    case "scalar":
      switch (type.scalar) {
        case "Int": {
          const n =
            typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : Number.NaN;
          return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX ? n : null;
        }
        case "BigInt":
          if (typeof value === "bigint") return value;
          if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
          if (typeof value === "string" && /^-?\d{1,19}$/.test(value)) return BigInt(value);
          return null;
        case "Float": {
          const n =
            typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : Number.NaN;
          return Number.isFinite(n) ? n : null;
        }
        case "String":
          return typeof value === "string"
            ? value
            : typeof value === "object"
              ? JSON.stringify(value)
              : String(value);
        case "Boolean":
          return typeof value === "boolean" ? value : null;
        case "Date":
        case "DateTime":
          return typeof value === "string" ? value : null;
        case "JSON":
          return value;
      }
  }
}

function graphqlTypeOf(type: ModelFieldType, objects: Map<string, unknown>): unknown {
  switch (type.kind) {
    case "scalar":
      return type.scalar;
    case "object":
      return objects.get(type.object.typeName)!;
    case "list":
      return [graphqlTypeOf(type.of, objects)];
  }
}

function collectObjects(fields: readonly ModelField[], out: ObjectModel[]): void {
  for (const f of fields) {
    let t: ModelFieldType = f.type;
    while (t.kind === "list") t = t.of;
    if (t.kind === "object") {
      out.push(t.object);
      collectObjects(t.object.fields, out);
    }
  }
}

export interface MacroTypesResult {
  readonly Measurement: unknown;
}

/** `experimentIds` of a root field: null (every readable experiment) or at most MAX_IN_LIST ids. */
function experimentScope(ids: readonly (string | number)[] | null | undefined): ExperimentScope {
  if (ids == null) return null;
  if (ids.length > MAX_IN_LIST) {
    throw new BadUserInputError(
      `\`experimentIds\` has ${ids.length} ids; at most ${MAX_IN_LIST} are allowed. Leave it out to read every experiment you may read.`,
      { argument: "experimentIds" },
    );
  }
  return ids.map(String);
}

export function addMacroTypes(builder: GatewayBuilder, core: CoreTypes, models: readonly MacroTypeModel[]) {
  const shared = queryLanguageTypes(builder);
  const Measurement = builder.interfaceRef<MeasurementRow>("Measurement").implement({
    description:
      "One macro's output for one sample. Every macro has its own type implementing this interface.",
    fields: (t) => ({
      id: t.id({
        nullable: false,
        description: "The sample's 64-bit row id, as a string.",
        resolve: (m) => m.id.toString(),
      }),
      experimentId: t.id({ nullable: false, resolve: (m) => m.experiment_id }),
      macroName: t.string({ nullable: false, resolve: (m) => m.macro_name }),
      macroFilename: t.string({ nullable: false, resolve: (m) => m.macro_filename }),
      timestamp: t.field({ type: "DateTime", resolve: (m) => m.timestamp }),
      deviceId: t.string({ resolve: (m) => m.device_id }),
      device: t.field({
        type: core.Device,
        resolve: (m, _a, ctx) =>
          m.device_id ? ctx.loaders.device.load([m.experiment_id, m.device_id]) : null,
      }),
      contributor: t.field({
        type: core.Contributor,
        resolve: (m, _a, ctx) =>
          m.user_id ? ctx.loaders.contributor.load([m.experiment_id, m.user_id]) : null,
      }),
      questions: t.field({
        type: [core.Question],
        nullable: false,
        resolve: (m) => (m.questions as never) ?? [],
      }),
      annotations: t.field({
        type: [core.Annotation],
        description:
          "Comments and flags (null when they could not be read; the rest of the row is still served).",
        resolve: (m, _a, ctx) =>
          ctx.loaders.annotations.load({
            experimentId: m.experiment_id,
            tableName: m.macro_filename,
            rowId: m.id.toString(),
          }),
      }),
      sample: t.field({
        type: core.Sample,
        description: "The raw sample this measurement was computed from.",
        resolve: (m, _a, ctx) => ctx.loaders.sample.load([m.experiment_id, m.id.toString()]),
      }),
      output: t.field({
        type: "JSON",
        description: "The whole macro output object, untyped.",
        resolve: (m) => parseJson(m[OUTPUT_ALIAS] as string | null),
      }),
      error: t.string({
        description: "The macro's error, when it failed on this sample.",
        resolve: (m) => m.macro_error,
      }),
    }),
  });

  for (const model of models) {
    const leaves = modelLeaves(model);
    // biome-ignore lint/suspicious/noExplicitAny: nested object types are only known at runtime
    const objects = new Map<string, any>();
    const nested: ObjectModel[] = [];
    collectObjects(model.fields, nested);
    for (const object of nested) objects.set(object.typeName, builder.objectRef<unknown>(object.typeName));

    // biome-ignore lint/suspicious/noExplicitAny: field types are only known at runtime
    const typedFields = (t: any, fields: readonly ModelField[]) => {
      // biome-ignore lint/suspicious/noExplicitAny: see above
      const out: Record<string, any> = {};
      for (const field of fields) {
        const isObject = field.type.kind === "object";
        out[field.name] = t.field({
          type: graphqlTypeOf(field.type, objects),
          nullable: field.type.kind === "list" ? { list: true, items: true } : true,
          description: field.description,
          resolve: (parent: unknown) => {
            if (field.withinList) {
              const element = parent as Record<string, unknown> | null;
              return coerceValue(field.type, element?.[field.key]);
            }
            // Row mode: objects pass the row down to their fields; leaves read their projected column, or —
            // for rows read whole (a sample's measurements) — pick the value from the output by its path.
            if (isObject) return parent;
            const row = parent as Record<string, RowValue>;
            const alias = leaves.get(field)!;
            if (!(alias in row)) return coerceValue(field.type, pickPath(parsedOutput(row), field.path));
            const raw = row[alias];
            return coerceValue(
              field.type,
              field.sqlType === "json" && typeof raw === "string" ? parseJson(raw) : raw,
            );
          },
        });
      }
      return out;
    };

    for (const object of nested) {
      objects.get(object.typeName)!.implement({
        description: object.description,
        // biome-ignore lint/suspicious/noExplicitAny: see above
        fields: (t: any) => typedFields(t, object.fields),
      });
    }

    const MacroMeasurement = builder.objectRef<MeasurementRow>(model.typeName).implement({
      description: model.description,
      interfaces: [Measurement],
      isTypeOf: (value) => (value as MeasurementRow).macro_filename === model.macroFilename,
      fields: (t) => typedFields(t, model.fields),
    });

    const query = macroQueryTypes(builder, model);
    const Connection = core.connection<MeasurementRow>(
      model.typeName,
      MacroMeasurement,
      `A page of ${model.macroName} measurements (newest first unless ordered otherwise).`,
    );

    builder.objectField(core.Experiment, model.fieldName, (t) =>
      t.field({
        type: Connection,
        nullable: false,
        description: `${model.macroName} measurements (\`${model.macroFilename}\`) of this experiment.`,
        args: {
          ...pagingArgs(t),
          ...queryArgs(t, query),
          includeErrors: t.arg.boolean({
            description: "Also return rows where the macro failed (default false).",
          }),
        },
        resolve: (experiment, args, ctx, info) =>
          measurementConnection(ctx, info, model, [experiment.experiment_id], args),
      }),
    );

    builder.objectField(core.Experiment, `${model.fieldName}Aggregate`, (t) =>
      t.field({
        type: query.Aggregate,
        nullable: false,
        description: `Aggregates of ${model.macroName} measurements of this experiment, by group (one statement).`,
        args: aggregateArgs(t, shared, query),
        resolve: (experiment, args, ctx, info) =>
          measurementAggregate(ctx, info, model, [experiment.experiment_id], args),
      }),
    );

    builder.objectField(core.Experiment, `${model.fieldName}Distinct`, (t) =>
      t.field({
        type: query.Distinct,
        nullable: false,
        description: `Distinct values of a ${model.macroName} field in this experiment, with counts.`,
        args: distinctArgs(t, query),
        resolve: (experiment, args, ctx, info) =>
          measurementDistinct(ctx, info, model, [experiment.experiment_id], args),
      }),
    );

    builder.queryField(model.fieldName, (t) =>
      t.field({
        type: Connection,
        nullable: false,
        description: `${model.macroName} measurements across experiments you may read.`,
        args: {
          experimentIds: t.arg.idList({
            description: "Only these experiments (default: every experiment you may read).",
          }),
          ...pagingArgs(t),
          ...queryArgs(t, query),
          includeErrors: t.arg.boolean({
            description: "Also return rows where the macro failed (default false).",
          }),
        },
        resolve: (_root, args, ctx, info) =>
          measurementConnection(ctx, info, model, experimentScope(args.experimentIds), args),
      }),
    );

    builder.queryField(`${model.fieldName}Aggregate`, (t) =>
      t.field({
        type: query.Aggregate,
        nullable: false,
        description: `Aggregates of ${model.macroName} measurements across experiments you may read (one statement).`,
        args: {
          experimentIds: t.arg.idList({
            description: "Only these experiments (default: every experiment you may read).",
          }),
          ...aggregateArgs(t, shared, query),
        },
        resolve: (_root, args, ctx, info) =>
          measurementAggregate(ctx, info, model, experimentScope(args.experimentIds), args),
      }),
    );

    builder.queryField(`${model.fieldName}Distinct`, (t) =>
      t.field({
        type: query.Distinct,
        nullable: false,
        description: `Distinct values of a ${model.macroName} field across experiments you may read, with counts.`,
        args: {
          experimentIds: t.arg.idList({
            description: "Only these experiments (default: every experiment you may read).",
          }),
          ...distinctArgs(t, query),
        },
        resolve: (_root, args, ctx, info) =>
          measurementDistinct(ctx, info, model, experimentScope(args.experimentIds), args),
      }),
    );
  }

  const known = new Set(models.map((m) => m.macroFilename));
  builder.objectField(core.Sample, "measurements", (t) =>
    t.field({
      type: [Measurement],
      description: "Every macro's output for this sample (one batched statement per page of samples).",
      resolve: async (s, _a, ctx) => {
        // A measurement's `sample` is this sample: no statement needed to go back up.
        ctx.loaders.sample.prime([s.experiment_id, s.id.toString()], s);
        const rows = await ctx.loaders.measurementsOfSample.load([s.experiment_id, s.id.toString()]);
        return rows.filter((m) => known.has(m.macro_filename));
      },
    }),
  );

  return { Measurement };
}

const PARSED_OUTPUT = new WeakMap<object, unknown>();

/** The row's whole output (`__output` JSON text), parsed once per row. */
function parsedOutput(row: Record<string, RowValue>): unknown {
  if (!PARSED_OUTPUT.has(row)) PARSED_OUTPUT.set(row, parseJson(row[OUTPUT_ALIAS] as string | null));
  return PARSED_OUTPUT.get(row);
}

function pickPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return null;
    current = (current as Record<string, unknown>)[key];
  }
  return current ?? null;
}
