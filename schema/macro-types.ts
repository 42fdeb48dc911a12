/**
 * One GraphQL type per macro, generated from the catalog's type models with plain graphql-js (a catalog of 1,000
 * macros makes some 17,000 types, rebuilt on every catalog change): `<Macro>Measurement implements Measurement`
 * with the typed output fields (nested objects become nested types) and, where the catalog has a questions schema,
 * `answers: <Macro>Answers` (one typed field per question label), its connection, its query types
 * (`macro-query-types.ts`), and the connection, aggregate and distinct fields on `Experiment` and `Query`.
 *
 * Values arrive from the page statement already try-cast (row mode, by column alias); inside lists of objects the
 * elements come as JSON and fields are picked by their original key (element mode).
 */

import {
  type GraphQLEnumType,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLFieldResolver,
  GraphQLInt,
  type GraphQLInterfaceType,
  GraphQLList,
  type GraphQLNamedType,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLScalarType,
  GraphQLString,
  isEnumType,
  isInputObjectType,
  isObjectType,
} from "graphql";
import {
  type GraphQLScalarName,
  type MacroTypeModel,
  type ModelField,
  type ModelFieldType,
  type ObjectModel,
  sameMacroTypeModel,
} from "../codegen/macro-type-model.js";
import { RecentVariants } from "../codegen/recent-variants.js";
import type { GatewayContext } from "../resolvers/context.js";
import { BadUserInputError } from "../resolvers/errors.js";
import type { ExperimentRow } from "../resolvers/loaders/request-loaders.js";
import type { ExperimentScope } from "../resolvers/measurements/compile-measurement-page.js";
import { MAX_IN_LIST } from "../resolvers/measurements/compile-where.js";
import { measurementAggregate } from "../resolvers/measurements/measurement-aggregate.js";
import {
  type MeasurementRow,
  measurementConnection,
} from "../resolvers/measurements/measurement-connection.js";
import { measurementDistinct } from "../resolvers/measurements/measurement-distinct.js";
import { answerLeaves, modelLeaves } from "../resolvers/measurements/measurement-selection.js";
import { ANSWERS_FIELD_NAME, measurementQuerySource } from "../resolvers/measurements/query-fields.js";
import type { Connection } from "../resolvers/pagination/connection.js";
import { answerFieldResolver } from "../resolvers/values/answer-values.js";
import { typedFieldResolver } from "../resolvers/values/output-values.js";
import { exportUrlField, rememberExport } from "./exports/export-url-field.js";
import { ONE_STATEMENT, PAGED_BY_LIMIT } from "./field-costs.js";
import { NO_EXTENSIONS } from "./graphql-config.js";
import {
  type MacroArgs,
  macroArgs,
  macroQueryTypes,
  type QueryLanguageStatics,
} from "./macro-query-types.js";
import { sortedMap } from "./schema-order.js";
import { TOTAL_COUNT_DOC } from "./static/core-types.js";

/** The static types the generated types refer to: shared by every schema the process builds. */
export interface MacroTypeStatics extends QueryLanguageStatics {
  readonly Measurement: GraphQLInterfaceType;
  readonly PageInfo: GraphQLObjectType;
  readonly ExportFormat: GraphQLEnumType;
  readonly scalars: Readonly<Record<GraphQLScalarName, GraphQLScalarType>>;
}

type FieldEntry<Source> = [string, GraphQLFieldConfig<Source, GatewayContext>];

/** Every per-macro type and field of one catalog. */
export interface MacroSchemaTypes {
  /** The models, each replaced by the previous build's object when unchanged (resolvers hold these). */
  readonly models: readonly MacroTypeModel[];
  readonly types: readonly GraphQLNamedType[];
  readonly experimentFields: GraphQLFieldConfigMap<ExperimentRow, GatewayContext>;
  readonly queryFields: GraphQLFieldConfigMap<unknown, GatewayContext>;
}

/** What one macro adds to the schema. */
interface GeneratedMacro {
  readonly model: MacroTypeModel;
  readonly types: readonly GraphQLNamedType[];
  readonly experimentFields: readonly FieldEntry<ExperimentRow>[];
  readonly queryFields: readonly FieldEntry<unknown>[];
}

// biome-ignore lint/suspicious/noExplicitAny: args are typed by the generated schema, checked by graphql-js
type Args = any;

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

// Connection resolvers, shared by every macro.
const EDGE_CURSOR: GraphQLFieldResolver<{ cursor: string; node: unknown }, unknown> = (e) => e.cursor;
const EDGE_NODE: GraphQLFieldResolver<{ cursor: string; node: unknown }, unknown> = (e) => e.node;
const CONNECTION_EDGES: GraphQLFieldResolver<Connection<unknown>, unknown> = (c) => c.edges;
const CONNECTION_PAGE_INFO: GraphQLFieldResolver<Connection<unknown>, unknown> = (c) => c.pageInfo;
const CONNECTION_TOTAL: GraphQLFieldResolver<Connection<unknown>, unknown> = (c) => c.totalCount;
/** `answers` passes the row down: each answer reads its own column (or the row's questions) from it. */
const ANSWERS_OF_ROW: GraphQLFieldResolver<unknown, unknown> = (row) => row;

/**
 * Generates the per-macro types of a catalog. It keeps what it generated for the last catalog: a macro whose model
 * is unchanged (`sameMacroTypeModel`) keeps its types, so a catalog change rebuilds only the macros it touches.
 * The generated types reference only static types shared by every schema, so they can serve several schemas.
 */
export class MacroTypeGenerator {
  readonly #statics: MacroTypeStatics;
  readonly #args: MacroArgs;
  readonly #outputTypes: OutputTypes;
  readonly #measurementFields: readonly FieldEntry<unknown>[];
  readonly #connectionFields: ConnectionFields;
  /** What recent builds generated per macro (each access set's schema may hold a different variant). */
  readonly #previous = new RecentVariants<GeneratedMacro>();

  constructor(statics: MacroTypeStatics) {
    this.#statics = statics;
    this.#args = macroArgs(statics);
    this.#outputTypes = new OutputTypes(statics.scalars);
    this.#measurementFields = (
      Object.entries(statics.Measurement.toConfig().fields) as FieldEntry<unknown>[]
    ).map(([name, field]) => [name, sharedExtensions(field)]);
    this.#connectionFields = connectionFields(statics);
  }

  /**
   * The per-macro types and fields of a catalog, as steps: it yields after every `batch` macros it had to
   * generate, so a caller can let other work run in between (`buildGatewaySchemaAsync`).
   */
  *generate(models: readonly MacroTypeModel[], batch = 50): Generator<void, MacroSchemaTypes> {
    const current = new Map<string, GeneratedMacro>();
    const types: GraphQLNamedType[] = [];
    const experimentFields: FieldEntry<ExperimentRow>[] = [];
    const queryFields: FieldEntry<unknown>[] = [];
    const canonical: MacroTypeModel[] = [];
    let sinceYield = 0;
    for (const model of models) {
      const previous = this.#previous.find(model.macroFilename, (g) => sameMacroTypeModel(g.model, model));
      let generated: GeneratedMacro;
      if (previous) {
        generated = previous;
      } else {
        generated = this.#generate(model);
        if (++sinceYield === batch) {
          sinceYield = 0;
          yield;
        }
      }
      current.set(model.macroFilename, generated);
      for (const type of generated.types) types.push(type);
      for (const field of generated.experimentFields) experimentFields.push(field);
      for (const field of generated.queryFields) queryFields.push(field);
      canonical.push(generated.model);
    }
    this.#previous.commit(current, (a, b) => a.model === b.model);
    // The assembly puts them in schema order among the static fields.
    return {
      models: canonical,
      types,
      experimentFields: Object.fromEntries(experimentFields),
      queryFields: Object.fromEntries(queryFields),
    };
  }

  #generate(model: MacroTypeModel): GeneratedMacro {
    const types: GraphQLNamedType[] = [];
    const experimentFields: FieldEntry<ExperimentRow>[] = [];
    const queryFields: FieldEntry<unknown>[] = [];
    addMacro(
      this.#statics,
      this.#args,
      this.#outputTypes,
      this.#measurementFields,
      this.#connectionFields,
      model,
      types,
      experimentFields,
      queryFields,
    );
    // Resolve the field lists now, in this macro's step, rather than all at once when the schema collects them.
    for (const type of types) {
      if (isEnumType(type)) type.getValues();
      else if (isObjectType(type) || isInputObjectType(type)) type.getFields();
    }
    return { model, types, experimentFields, queryFields };
  }
}

function addMacro(
  statics: MacroTypeStatics,
  args: MacroArgs,
  outputTypes: OutputTypes,
  measurementFields: readonly FieldEntry<unknown>[],
  connectionFields: ConnectionFields,
  model: MacroTypeModel,
  types: GraphQLNamedType[],
  experimentFields: FieldEntry<ExperimentRow>[],
  queryFields: FieldEntry<unknown>[],
): void {
  const leaves = modelLeaves(model);
  const typedFields = (fields: readonly ModelField[], into: FieldEntry<unknown>[]) => {
    for (const field of fields) {
      into.push([
        field.name,
        {
          type: outputTypes.of(field.type, objectType),
          description: field.description,
          resolve: typedFieldResolver(field, leaves.get(field)),
          extensions: NO_EXTENSIONS,
        },
      ]);
    }
    return into;
  };
  // Nested object types are built depth first, so every field type exists when its parent is built.
  const objectType = (object: ObjectModel): GraphQLObjectType => {
    const type = new GraphQLObjectType({
      name: object.typeName,
      description: object.description,
      fields: sortedMap(typedFields(object.fields, [])),
      extensions: NO_EXTENSIONS,
    });
    types.push(type);
    return type;
  };

  const measurementTypeFields = typedFields(model.fields, [...measurementFields]);
  if (model.answers) {
    const aliases = answerLeaves(model);
    const Answers = new GraphQLObjectType({
      name: model.answers.typeName,
      description: model.answers.description,
      extensions: NO_EXTENSIONS,
      fields: sortedMap(
        model.answers.fields.map(
          (field): FieldEntry<unknown> => [
            field.name,
            {
              type: outputTypes.of(field.type, objectType),
              description: field.description,
              resolve: answerFieldResolver(field, aliases.get(field)!),
              extensions: NO_EXTENSIONS,
            },
          ],
        ),
      ),
    });
    types.push(Answers);
    measurementTypeFields.push([
      ANSWERS_FIELD_NAME,
      {
        type: new GraphQLNonNull(Answers),
        description:
          "The answers to the sample's questions, typed by the catalog's questions schemas (`questions` holds " +
          "the raw text); an answer that does not fit its type is null.",
        resolve: ANSWERS_OF_ROW,
        extensions: NO_EXTENSIONS,
      },
    ]);
  }

  const filename = model.macroFilename;
  const Measurement = new GraphQLObjectType<MeasurementRow, GatewayContext>({
    name: model.typeName,
    description: model.description,
    interfaces: [statics.Measurement],
    isTypeOf: (value) => (value as MeasurementRow).macro_filename === filename,
    extensions: NO_EXTENSIONS,
    fields: sortedMap(measurementTypeFields) as GraphQLFieldConfigMap<MeasurementRow, GatewayContext>,
  });
  const Edge = new GraphQLObjectType({
    name: `${model.typeName}Edge`,
    extensions: NO_EXTENSIONS,
    fields: {
      cursor: connectionFields.cursor,
      node: {
        type: new GraphQLNonNull(Measurement),
        resolve: EDGE_NODE,
        extensions: NO_EXTENSIONS,
      },
    },
  });
  const Connection = new GraphQLObjectType({
    name: `${model.typeName}Connection`,
    description: `A page of ${model.macroName} measurements (newest first unless ordered otherwise).`,
    extensions: NO_EXTENSIONS,
    fields: {
      edges: {
        type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Edge))),
        resolve: CONNECTION_EDGES,
        extensions: NO_EXTENSIONS,
      },
      exportUrl: connectionFields.exportUrl,
      pageInfo: connectionFields.pageInfo,
      totalCount: connectionFields.totalCount,
    },
  });
  types.push(Measurement, Edge, Connection);

  const query = macroQueryTypes(statics, model.typeName, measurementQuerySource(model), types);
  const fieldTypes: Record<MacroFieldKind, GraphQLOutputType> = {
    connection: new GraphQLNonNull(Connection),
    aggregate: new GraphQLNonNull(query.Aggregate),
    distinct: new GraphQLNonNull(query.Distinct),
  };
  for (const field of MACRO_FIELDS) {
    const name = `${model.fieldName}${field.suffix}`;
    const resolve = field.resolve;
    experimentFields.push([
      name,
      {
        type: fieldTypes[field.kind],
        description: field.onExperiment(model),
        args: args[field.kind](query, false),
        extensions: COSTS[field.kind],
        resolve: (experiment, a: Args, ctx, info) => resolve(ctx, info, model, [experiment.experiment_id], a),
      },
    ]);
    queryFields.push([
      name,
      {
        type: fieldTypes[field.kind],
        description: field.atRoot(model),
        args: args[field.kind](query, true),
        extensions: COSTS[field.kind],
        resolve: (_root, a: Args, ctx, info) =>
          resolve(ctx, info, model, experimentScope(a.experimentIds), a),
      },
    ]);
  }
}

type MacroFieldKind = "connection" | "aggregate" | "distinct";

/**
 * Each of these fields is one statement per distinct argument set (`field-costs.ts`). Prototype-less, so
 * graphql-js keeps this one object instead of copying it into every field (see NO_EXTENSIONS).
 */
const COST: Readonly<{ cost: typeof ONE_STATEMENT | typeof PAGED_BY_LIMIT }> = Object.freeze(
  Object.assign(Object.create(null), { cost: ONE_STATEMENT }),
);
/** `limit` sizes an aggregate's `groups` (`field-costs.ts`). */
const COSTS: Readonly<Record<MacroFieldKind, typeof COST>> = {
  connection: COST,
  aggregate: Object.freeze(Object.assign(Object.create(null), { cost: PAGED_BY_LIMIT })),
  distinct: COST,
};

/**
 * The same field with prototype-less `extensions` on it and its arguments, which graphql-js then shares instead of
 * copying into every type that has the field.
 */
function sharedExtensions<Source>(
  field: GraphQLFieldConfig<Source, GatewayContext>,
): GraphQLFieldConfig<Source, GatewayContext> {
  let args: GraphQLFieldConfigArgumentMap | undefined;
  if (field.args) {
    args = {};
    for (const [name, arg] of Object.entries(field.args)) {
      args[name] = { ...arg, extensions: prototypeLess(arg.extensions) };
    }
  }
  return { ...field, args, extensions: prototypeLess(field.extensions) };
}

function prototypeLess<T extends object>(extensions: T | null | undefined): Readonly<T> {
  if (extensions == null) return NO_EXTENSIONS as unknown as T;
  if (Object.getPrototypeOf(extensions) === null) return extensions;
  return Object.freeze(Object.assign(Object.create(null), extensions));
}

/** Connection fields that are the same in every macro's connection and edge, made once per generator. */
interface ConnectionFields {
  readonly cursor: GraphQLFieldConfig<{ cursor: string; node: unknown }, GatewayContext>;
  readonly exportUrl: GraphQLFieldConfig<Connection<unknown>, GatewayContext>;
  readonly pageInfo: GraphQLFieldConfig<Connection<unknown>, GatewayContext>;
  readonly totalCount: GraphQLFieldConfig<Connection<unknown>, GatewayContext>;
}

function connectionFields(statics: MacroTypeStatics): ConnectionFields {
  const exportUrl = exportUrlField(statics.ExportFormat) as GraphQLFieldConfig<
    Connection<unknown>,
    GatewayContext
  >;
  return {
    cursor: { type: new GraphQLNonNull(GraphQLString), resolve: EDGE_CURSOR, extensions: NO_EXTENSIONS },
    exportUrl: sharedExtensions(exportUrl),
    pageInfo: {
      type: new GraphQLNonNull(statics.PageInfo),
      resolve: CONNECTION_PAGE_INFO,
      extensions: NO_EXTENSIONS,
    },
    totalCount: {
      type: GraphQLInt,
      description: TOTAL_COUNT_DOC,
      resolve: CONNECTION_TOTAL,
      extensions: NO_EXTENSIONS,
    },
  };
}

/** The fields every macro adds, each on `Experiment` (that experiment) and on `Query` (across `experimentIds`). */
const MACRO_FIELDS: readonly {
  readonly kind: MacroFieldKind;
  readonly suffix: string;
  readonly resolve: (
    ctx: GatewayContext,
    info: GraphQLResolveInfo,
    model: MacroTypeModel,
    scope: ExperimentScope,
    args: Args,
  ) => unknown;
  readonly onExperiment: (m: MacroTypeModel) => string;
  readonly atRoot: (m: MacroTypeModel) => string;
}[] = [
  {
    kind: "connection",
    suffix: "",
    // The connection remembers its arguments for `exportUrl` (an export reads one experiment).
    resolve: async (ctx, info, model, scope, args) =>
      rememberExport(
        await measurementConnection(ctx, info, model, scope, args),
        info,
        args,
        scope?.length === 1 ? scope[0]! : null,
        model.macroFilename,
      ),
    onExperiment: (m) => `${m.macroName} measurements (\`${m.macroFilename}\`) of this experiment.`,
    atRoot: (m) => `${m.macroName} measurements across experiments you may read.`,
  },
  {
    kind: "aggregate",
    suffix: "Aggregate",
    resolve: measurementAggregate,
    onExperiment: (m) =>
      `Aggregates of ${m.macroName} measurements of this experiment, by group (one statement).`,
    atRoot: (m) =>
      `Aggregates of ${m.macroName} measurements across experiments you may read (one statement).`,
  },
  {
    kind: "distinct",
    suffix: "Distinct",
    resolve: measurementDistinct,
    onExperiment: (m) => `Distinct values of a ${m.macroName} field in this experiment, with counts.`,
    atRoot: (m) => `Distinct values of a ${m.macroName} field across experiments you may read, with counts.`,
  },
];

/**
 * The GraphQL type of a typed field. Nullability is what the Pothos builder gave them: the field and a list's items
 * nullable, the items of nested lists not. Lists of scalars are shared within a build.
 */
class OutputTypes {
  readonly #lists = new Map<string, GraphQLOutputType>();

  constructor(private readonly scalars: Readonly<Record<GraphQLScalarName, GraphQLScalarType>>) {}

  of(type: ModelFieldType, objectType: (object: ObjectModel) => GraphQLObjectType): GraphQLOutputType {
    switch (type.kind) {
      case "scalar":
        return this.scalars[type.scalar];
      case "object":
        return objectType(type.object);
      case "list": {
        const key = scalarListKey(type);
        if (key === undefined) return new GraphQLList(this.#item(type.of, objectType));
        let list = this.#lists.get(key);
        if (!list) {
          list = new GraphQLList(this.#item(type.of, objectType));
          this.#lists.set(key, list);
        }
        return list;
      }
    }
  }

  /**
   * A list's element type: nullable at every depth, since no catalog promises a list without gaps (a sensor's
   * `[[1.0, null, 2.0], [null]]` keeps its nulls in place).
   */
  #item(type: ModelFieldType, objectType: (object: ObjectModel) => GraphQLObjectType): GraphQLOutputType {
    return type.kind === "list"
      ? new GraphQLList(this.#item(type.of, objectType))
      : type.kind === "object"
        ? objectType(type.object)
        : this.scalars[type.scalar];
  }
}

/** `[[Float]]` for a list of scalars; undefined when objects are inside. */
function scalarListKey(type: ModelFieldType): string | undefined {
  if (type.kind === "scalar") return type.scalar;
  if (type.kind === "object") return undefined;
  const inner = scalarListKey(type.of);
  return inner === undefined ? undefined : `[${inner}]`;
}
