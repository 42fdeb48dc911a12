/** Builds the whole GraphQL schema for one catalog snapshot: static types plus one type per macro. */
import type { GraphQLSchema } from "graphql";
import {
  buildMacroTypeModels,
  type CatalogSchemaEntry,
  type MacroTypeModel,
  type ModelField,
  type ModelFieldType,
  macroCatalogFingerprint,
} from "../codegen/macro-type-model.js";
import { createBuilder } from "./builder.js";
import { addMacroTypes } from "./macro-types.js";
import { addCoreTypes } from "./static/core-types.js";
import { addScalars } from "./static/scalars.js";

export interface CatalogInputEntry {
  readonly experimentId: string;
  readonly macroName: string;
  readonly macroFilename: string;
  readonly outputSchema: string | null;
}

export interface SchemaInput {
  readonly version: string;
  readonly catalog: readonly CatalogInputEntry[];
}

export interface BuiltGatewaySchema {
  readonly schema: GraphQLSchema;
  readonly models: readonly MacroTypeModel[];
  readonly warnings: readonly string[];
}

/** Type names of the static schema; generated types never take them. */
const STATIC_TYPE_NAMES = [
  "Query",
  "Mutation",
  "Subscription",
  "PageInfo",
  "Viewer",
  "Experiment",
  "ExperimentConnection",
  "ExperimentEdge",
  "Sample",
  "SampleConnection",
  "SampleEdge",
  "SampleMacro",
  "Device",
  "Contributor",
  "Question",
  "Annotation",
  "MacroInfo",
  "MacroField",
  "MacroType",
  "Freshness",
  "Measurement",
  "Visibility",
  "ExperimentStatus",
  "FreshnessStatus",
  "AnnotationType",
  "FlagType",
  "BigInt",
  "DateTime",
  "Date",
  "JSON",
  "SortDirection",
  "NullsOrder",
  "TimeBucket",
  "StringFilter",
  "IntFilter",
  "FloatFilter",
  "BigIntFilter",
  "BooleanFilter",
  "DateTimeFilter",
  "DateFilter",
  "IDFilter",
  "QuestionFilter",
  "SampleWhere",
  "SampleOrderBy",
  "SampleField",
  "AnnotationFilter",
];
/** Types derived from each generated type name (connections, filters, aggregates). */
const DERIVED_TYPE_SUFFIXES = [
  "Connection",
  "Edge",
  "Where",
  "OrderBy",
  "OrderField",
  "Aggregate",
  "AggregateGroup",
  "AggregateGroupBy",
  "NumericAggregates",
  "Distinct",
  "DistinctValue",
  "Field",
  "NumericField",
  "GroupKey",
];

function typeText(type: ModelFieldType): string {
  switch (type.kind) {
    case "scalar":
      return type.scalar;
    case "object":
      return type.object.typeName;
    case "list":
      return `[${typeText(type.of)}]`;
  }
}

function typedEntries(catalog: readonly CatalogInputEntry[]): CatalogSchemaEntry[] {
  return catalog.flatMap((e) =>
    e.outputSchema == null
      ? []
      : [
          {
            experimentId: e.experimentId,
            macroName: e.macroName,
            macroFilename: e.macroFilename,
            outputSchema: e.outputSchema,
          },
        ],
  );
}

/** The schema version: a fingerprint of everything in the catalog that shapes the schema. */
export function catalogFingerprint(catalog: readonly CatalogInputEntry[]): string {
  return macroCatalogFingerprint(typedEntries(catalog));
}

export function buildGatewaySchema(input: SchemaInput): BuiltGatewaySchema {
  const entries = typedEntries(input.catalog);
  const { macros: models, warnings } = buildMacroTypeModels(entries, {
    reservedTypeNames: STATIC_TYPE_NAMES,
    derivedTypeNames: (t) => DERIVED_TYPE_SUFFIXES.map((suffix) => `${t}${suffix}`),
  });
  const byFilename = new Map(models.map((m) => [m.macroFilename, m]));

  const builder = createBuilder();
  addScalars(builder);
  const core = addCoreTypes(builder, () => input.version);

  const MacroField = builder.objectRef<ModelField>("MacroField").implement({
    description: "A typed field generated from a macro's VARIANT output schema.",
    fields: (t) => ({
      name: t.exposeString("name", { nullable: false, description: "The GraphQL field name." }),
      key: t.exposeString("key", { nullable: false, description: "The original key in the macro output." }),
      path: t.exposeStringList("path", {
        nullable: false,
        description: "Original keys from the output root.",
      }),
      type: t.string({ nullable: false, description: "The GraphQL type.", resolve: (f) => typeText(f.type) }),
      description: t.exposeString("description", { nullable: false }),
    }),
  });

  const MacroType = builder.objectRef<MacroTypeModel>("MacroType").implement({
    description: "A macro in the catalog and the GraphQL type generated for it.",
    fields: (t) => ({
      name: t.exposeString("macroName", { nullable: false }),
      filename: t.exposeString("macroFilename", { nullable: false }),
      fieldName: t.exposeString("fieldName", {
        nullable: false,
        description: "Connection field on Experiment and Query.",
      }),
      typeName: t.exposeString("typeName", { nullable: false }),
      experimentCount: t.int({ nullable: false, resolve: (m) => m.experimentIds.length }),
      fields: t.field({ type: [MacroField], nullable: false, resolve: (m) => m.fields }),
    }),
  });

  builder.objectField(core.MacroInfo, "fieldName", (t) =>
    t.string({
      description:
        "The connection field of this macro on Experiment (null when its schema could not be typed).",
      resolve: (m) => byFilename.get(m.macro_filename)?.fieldName ?? null,
    }),
  );
  builder.objectField(core.MacroInfo, "fields", (t) =>
    t.field({
      type: [MacroField],
      nullable: false,
      description: "Typed fields of this macro (merged over every experiment that runs it).",
      resolve: (m) => byFilename.get(m.macro_filename)?.fields ?? [],
    }),
  );
  builder.queryField("macros", (t) =>
    t.field({
      type: [MacroType],
      nullable: false,
      description: "Every macro in the catalog with its generated GraphQL type.",
      resolve: () => models,
    }),
  );

  addMacroTypes(builder, core, models);
  return { schema: builder.toSchema(), models, warnings };
}
