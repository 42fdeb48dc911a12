/**
 * Builds the whole GraphQL schema for one catalog snapshot: the static schema (built once per process) plus the
 * per-macro types and fields, assembled in schema order. See README.md for why it is built this way.
 */
import {
  assertValidSchema,
  type GraphQLEnumType,
  type GraphQLInputObjectType,
  type GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLObjectType,
  type GraphQLScalarType,
  type GraphQLSchema,
  GraphQLString,
} from "graphql";
import {
  type CatalogSchemaEntry,
  type GraphQLScalarName,
  type MacroTypeModel,
  MacroTypeModelBuilder,
  macroCatalogFingerprint,
} from "../codegen/macro-type-model.js";
import { FIELD_SCALARS, type FieldScalar, GRAPHQL_SCALAR_NAMES } from "../codegen/scalar-kinds.js";
import type { MacroInfoRow } from "../resolvers/loaders/request-loaders.js";
import { MacroTypeGenerator } from "./macro-types.js";
import { SchemaAssembly } from "./schema-assembly.js";
import { schemaCatalogExtensions } from "./schema-catalog.js";
import { staticSchema } from "./static/static-schema.js";

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

/**
 * Builds and validates the schema of one catalog (graphql-js caches the validation in the schema, so serving it does
 * not validate again; an invalid schema throws here instead of failing every request).
 */
export function buildGatewaySchema(input: SchemaInput): BuiltGatewaySchema {
  const steps = buildSteps(input);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `buildGatewaySchema` that lets the event loop run between steps (after the type models, after every batch of
 * macros whose types it generates, before validating), so requests on the current schema are not held up for the
 * whole build.
 */
export async function buildGatewaySchemaAsync(input: SchemaInput): Promise<BuiltGatewaySchema> {
  const steps = buildSteps(input);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function* buildSteps(input: SchemaInput): Generator<void, BuiltGatewaySchema> {
  const built = MODEL_BUILDER.build(typedEntries(input.catalog));
  yield;
  const assembly = new SchemaAssembly(staticSchema(), EXTENDED_TYPES);
  const generated = yield* macroTypeGenerator(assembly).generate(built.macros);
  const models = generated.models;
  assembly.addTypes(generated.types);
  assembly.addFields("Experiment", generated.experimentFields);
  assembly.addFields("Query", generated.queryFields);
  addCatalogFields(assembly, input.version, models);
  const schema = assembly.toSchema(
    schemaCatalogExtensions({ macroFilenames: new Set(models.map((m) => m.macroFilename)) }),
  );
  yield;
  assertValidSchema(schema);
  return { schema, models, warnings: built.warnings };
}

/** One per process: it remembers the last catalog, so a catalog change re-models only the macros it touches. */
const MODEL_BUILDER = new MacroTypeModelBuilder({
  reservedTypeNames: STATIC_TYPE_NAMES,
  derivedTypeNames: (t) => DERIVED_TYPE_SUFFIXES.map((suffix) => `${t}${suffix}`),
});

/** The static types that get per-catalog fields. */
const EXTENDED_TYPES = ["Query", "Experiment", "MacroInfo"];

let GENERATOR: MacroTypeGenerator | undefined;

/** One generator per process: the static types it builds on are the process's, and it keeps the last catalog's types. */
function macroTypeGenerator(assembly: SchemaAssembly): MacroTypeGenerator {
  if (GENERATOR) return GENERATOR;
  const type = <T>(name: string) => {
    // Generated types outlive one schema, so they may reference only the static types every schema shares.
    if (!assembly.isShared(name)) throw new Error(`${name} is not shared by every schema.`);
    return assembly.type(name) as T;
  };
  GENERATOR = new MacroTypeGenerator({
    Measurement: type<GraphQLInterfaceType>("Measurement"),
    PageInfo: type<GraphQLObjectType>("PageInfo"),
    scalars: Object.fromEntries(GRAPHQL_SCALAR_NAMES.map((s) => [s, type<GraphQLScalarType>(s)])) as Record<
      GraphQLScalarName,
      GraphQLScalarType
    >,
    filters: Object.fromEntries(
      FIELD_SCALARS.map((s) => [s, type<GraphQLInputObjectType>(`${s}Filter`)]),
    ) as Record<FieldScalar, GraphQLInputObjectType>,
    QuestionFilter: type<GraphQLInputObjectType>("QuestionFilter"),
    AnnotationFilter: type<GraphQLInputObjectType>("AnnotationFilter"),
    SortDirection: type<GraphQLEnumType>("SortDirection"),
    NullsOrder: type<GraphQLEnumType>("NullsOrder"),
    TimeBucket: type<GraphQLEnumType>("TimeBucket"),
    JSON: type<GraphQLScalarType>("JSON"),
    DateTime: type<GraphQLScalarType>("DateTime"),
  });
  return GENERATOR;
}

/** The fields that depend on the catalog as a whole: the catalog itself and its version. */
function addCatalogFields(assembly: SchemaAssembly, version: string, models: readonly MacroTypeModel[]) {
  const byFilename = new Map(models.map((m) => [m.macroFilename, m]));
  const MacroField = assembly.objectType("MacroField");
  const MacroType = assembly.objectType("MacroType");

  assembly.addFields("MacroInfo", {
    fieldName: {
      type: GraphQLString,
      description:
        "The connection field of this macro on Experiment (null when its schema could not be typed).",
      resolve: (m: MacroInfoRow) => byFilename.get(m.macro_filename)?.fieldName ?? null,
    },
    fields: {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(MacroField))),
      description: "Typed fields of this macro (merged over every experiment that runs it).",
      resolve: (m: MacroInfoRow) => byFilename.get(m.macro_filename)?.fields ?? [],
    },
  });
  assembly.addFields("Query", {
    macros: {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(MacroType))),
      description: "Every macro in the catalog with its generated GraphQL type.",
      resolve: () => models,
    },
    schemaVersion: {
      type: new GraphQLNonNull(GraphQLString),
      description: "Fingerprint of the macro catalog this schema was generated from.",
      resolve: () => version,
    },
  });
}
