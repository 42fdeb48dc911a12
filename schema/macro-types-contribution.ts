/**
 * The per-macro types as a contribution: `<Macro>Measurement` and its connection, filter, aggregate and distinct
 * types, and the connection, aggregate and distinct fields on `Experiment` and `Query`. It owns the generator, which
 * keeps the previous catalog's types so an unchanged macro's types serve the next schema too.
 */
import type {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLScalarType,
} from "graphql";
import {
  FIELD_SCALARS,
  type FieldScalar,
  GRAPHQL_SCALAR_NAMES,
  type GraphQLScalarName,
} from "../codegen/scalar-kinds.js";
import { MacroTypeGenerator } from "./macro-types.js";
import type { SchemaAssembly } from "./schema-assembly.js";
import type { SchemaContribution } from "./schema-contribution.js";

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
  "NumericExtremes",
  "CountDistinct",
  "Distinct",
  "DistinctValue",
  "Field",
  "NumericField",
  "GroupKey",
];

export function macroTypesContribution(): SchemaContribution {
  let generator: MacroTypeGenerator | undefined;
  return {
    name: "macro types",
    extends: ["Query", "Experiment"],
    derivedTypeNames: (typeName) => DERIVED_TYPE_SUFFIXES.map((suffix) => `${typeName}${suffix}`),
    *addCatalog(assembly, catalog) {
      generator ??= createGenerator(assembly);
      const generated = yield* generator.generate(catalog.models);
      assembly.addTypes(generated.types);
      assembly.addFields("Experiment", generated.experimentFields);
      assembly.addFields("Query", generated.queryFields);
    },
  };
}

/** The generator over the static types every schema of one builder shares. */
function createGenerator(assembly: SchemaAssembly): MacroTypeGenerator {
  const type = <T>(name: string) => {
    // Generated types outlive one schema, so they may reference only the static types every schema shares.
    if (!assembly.isShared(name)) throw new Error(`${name} is not shared by every schema.`);
    return assembly.type(name) as T;
  };
  return new MacroTypeGenerator({
    Measurement: type<GraphQLInterfaceType>("Measurement"),
    PageInfo: type<GraphQLObjectType>("PageInfo"),
    ExportFormat: type<GraphQLEnumType>("ExportFormat"),
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
    AggregateMeasureFunction: type<GraphQLEnumType>("AggregateMeasureFunction"),
    JSON: type<GraphQLScalarType>("JSON"),
    DateTime: type<GraphQLScalarType>("DateTime"),
    BigInt: type<GraphQLScalarType>("BigInt"),
    Decimal: type<GraphQLScalarType>("Decimal"),
  });
}
