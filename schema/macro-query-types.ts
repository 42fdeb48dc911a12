/**
 * The generated query language types of one macro, with plain graphql-js (built per catalog, so kept cheap): for a
 * measurement type `X`, `XWhere` (nested objects get their own `…Where`), `XOrderBy`, the field enums `XField` /
 * `XNumericField`, `XAggregateGroupBy`, `XAggregateOrderBy` (and `XAggregateOrderMeasure`), `XAggregate`, `XAggregateGroup`, `XGroupKey`, `XNumericAggregates`,
 * `XDistinct`, `XDistinctValue`, and the arguments of the per-macro root and `Experiment` fields.
 *
 * Names come from the field catalog (`resolvers/measurements/query-fields.ts`) the SQL compilers resolve them with;
 * the docs and the shared inputs (`FloatFilter`, …) are the static ones in `static/query-language-types.ts`, so the
 * samples' `SampleWhere` and a macro's `XWhere` read alike. Every field list is built in schema order.
 */

import {
  GraphQLBoolean,
  GraphQLEnumType,
  type GraphQLEnumValueConfigMap,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLFieldResolver,
  GraphQLFloat,
  GraphQLID,
  type GraphQLInputFieldConfig,
  GraphQLInputObjectType,
  GraphQLInt,
  type GraphQLNamedType,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLScalarType,
  GraphQLString,
} from "graphql";
import type { AggregateGroup } from "../resolvers/measurements/compile-aggregate.js";
import { DEFAULT_DISTINCT_FIRST, MAX_DISTINCT_FIRST } from "../resolvers/measurements/compile-distinct.js";
import type { AggregateResult } from "../resolvers/measurements/measurement-aggregate.js";
import type { DistinctResult } from "../resolvers/measurements/measurement-distinct.js";
import {
  type FieldScalar,
  isNumeric,
  type QueryField,
  type QuerySource,
  type WhereNode,
} from "../resolvers/measurements/query-fields.js";
import { MAX_OFFSET } from "../resolvers/pagination/connection.js";
import { jsonValue } from "../resolvers/values/output-values.js";
import { listOf, NO_EXTENSIONS, nonNull } from "./graphql-config.js";
import { schemaNameOf, sortBySchemaName, sortedMap } from "./schema-order.js";
import { PAGING_ARG_DOCS } from "./static/core-types.js";
import {
  FIELD_ENUM_DOC,
  fieldEnumValueDoc,
  NULLS_DOC,
  ORDER_BY_ARG_DOC,
  ORDER_BY_DOC,
  WHERE_CONTROL_DOCS,
  WHERE_DOC,
} from "./static/query-language-types.js";

/** The static types the generated query types refer to (shared by every schema the process builds). */
export interface QueryLanguageStatics {
  readonly filters: Readonly<Record<FieldScalar, GraphQLInputObjectType>>;
  readonly QuestionFilter: GraphQLInputObjectType;
  readonly AnnotationFilter: GraphQLInputObjectType;
  readonly SortDirection: GraphQLEnumType;
  readonly NullsOrder: GraphQLEnumType;
  readonly TimeBucket: GraphQLEnumType;
  readonly AggregateMeasureFunction: GraphQLEnumType;
  readonly JSON: GraphQLScalarType;
  readonly DateTime: GraphQLScalarType;
  readonly BigInt: GraphQLScalarType;
  readonly Decimal: GraphQLScalarType;
}

export interface MacroQueryTypes {
  readonly Where: GraphQLInputObjectType;
  readonly OrderBy: GraphQLInputObjectType;
  readonly Field: GraphQLEnumType;
  readonly GroupBy: GraphQLInputObjectType;
  readonly AggregateOrderBy: GraphQLInputObjectType;
  readonly Aggregate: GraphQLObjectType;
  readonly Distinct: GraphQLObjectType;
}

const NON_NULL_INT = new GraphQLNonNull(GraphQLInt);
const NON_NULL_BOOLEAN = new GraphQLNonNull(GraphQLBoolean);

interface NumericParent {
  readonly group: AggregateGroup;
  readonly fn: string;
}

function measureValue(group: AggregateGroup, key: string): number | bigint | string | null {
  const value = group.values.get(key);
  if (value === undefined) throw new Error(`aggregate ${key} was not computed`);
  return value;
}

// Resolvers that do not depend on the macro: one function each, shared by every generated type.
const NUMERIC_AGGREGATE: GraphQLFieldResolver<NumericParent, unknown> = (p, _a, _c, info) =>
  // The field is named after the query field (`NumericAggregates` has one field per numeric field).
  measureValue(p.group, `${p.fn}:${info.fieldName}`);
const CORR: GraphQLFieldResolver<AggregateGroup, unknown, { a: string; b: string }> = (g, args) =>
  measureValue(g, `corr:${args.a}:${args.b}`);
const FUNCTION_DOC: Readonly<Record<string, string>> = {
  avg: "Mean.",
  countDistinct: "Distinct non-null values of each field in the group.",
  cumsum:
    "Running sum in group order: this group's sum plus the sums of the groups before it (with several `groupBy` " +
    "keys, restarting whenever a key other than the last changes — e.g. per device over days).",
  max: "Maximum.",
  min: "Minimum.",
  stddev: "Sample standard deviation.",
  sum: "Sum.",
  variance: "Sample variance.",
};
const FUNCTION_RESOLVERS: Readonly<Record<string, GraphQLFieldResolver<AggregateGroup, unknown>>> =
  Object.fromEntries(
    Object.keys(FUNCTION_DOC).map((fn) => [fn, (g: AggregateGroup): NumericParent => ({ group: g, fn })]),
  );
const GROUP_ITSELF: GraphQLFieldResolver<AggregateGroup, unknown> = (g) => g;
const GROUP_COUNT: GraphQLFieldResolver<AggregateGroup, unknown> = (g) => g.count;
const AGGREGATE_COUNT: GraphQLFieldResolver<AggregateResult, unknown> = (a) => a.count;
const AGGREGATE_GROUPS: GraphQLFieldResolver<AggregateResult, unknown> = (a) => a.groups;
const KEY_DEVICE: GraphQLFieldResolver<AggregateGroup, unknown> = (g) => g.deviceId;
const KEY_USER: GraphQLFieldResolver<AggregateGroup, unknown> = (g) => g.contributorId;
const KEY_EXPERIMENT: GraphQLFieldResolver<AggregateGroup, unknown> = (g) => g.experimentId;
const KEY_QUESTION: GraphQLFieldResolver<AggregateGroup, unknown, { label: string }> = (g, args) =>
  g.questions.get(args.label) ?? null;
const KEY_TIME: GraphQLFieldResolver<AggregateGroup, unknown> = (g) => g.time?.instant ?? null;
const KEY_TIME_LOCAL: GraphQLFieldResolver<AggregateGroup, unknown> = (g) => g.time?.local ?? null;
const DISTINCT_VALUE: GraphQLFieldResolver<{ value: unknown }, unknown> = (v) => v.value;
const DISTINCT_VALUE_COUNT: GraphQLFieldResolver<{ count: number }, unknown> = (v) => v.count;
const DISTINCT_HAS_MORE: GraphQLFieldResolver<DistinctResult, unknown> = (d) => d.hasMore;
const DISTINCT_TOTAL: GraphQLFieldResolver<DistinctResult, unknown> = (d) => d.totalCount;

/** One field per query field, each resolving the group's measure of that field (`fn:<field name>`). */
function perFieldMeasures(
  fields: readonly QueryField[],
  type: (f: QueryField) => GraphQLOutputType,
): GraphQLFieldConfigMap<NumericParent, unknown> {
  const out: GraphQLFieldConfigMap<NumericParent, unknown> = Object.create(null);
  for (const f of fields) {
    out[f.name] = {
      type: type(f),
      description: f.description,
      resolve: NUMERIC_AGGREGATE,
      extensions: NO_EXTENSIONS,
    };
  }
  return out;
}

/** Every generated query type of one macro; `out` collects the named types. */
export function macroQueryTypes(
  statics: QueryLanguageStatics,
  typeName: string,
  source: QuerySource,
  out: GraphQLNamedType[],
): MacroQueryTypes {
  const name = typeName;
  // Sorted once: the field enums and the numeric aggregates list the same names in the same order.
  const fields = sortBySchemaName([...source.fields], schemaNameOf);
  const numeric = fields.filter(isNumeric);
  const Where = whereInput(statics, `${name}Where`, source.where, true, WHERE_DOC, out);
  const Field = fieldEnum(`${name}Field`, fields, FIELD_ENUM_DOC);
  const OrderBy = new GraphQLInputObjectType({
    name: `${name}OrderBy`,
    description: ORDER_BY_DOC,
    fields: {
      direction: { type: statics.SortDirection, defaultValue: "ASC" },
      field: { type: nonNull(Field) },
      nulls: { type: statics.NullsOrder, description: NULLS_DOC },
    },
  });

  const GroupBy = new GraphQLInputObjectType({
    name: `${name}AggregateGroupBy`,
    description: "One grouping dimension: set exactly one member.",
    fields: {
      contributor: {
        type: GraphQLBoolean,
        description: "Group by contributor (key `userId`, as `where.userId` takes it).",
      },
      device: { type: GraphQLBoolean, description: "Group by device (key `deviceId`)." },
      experiment: { type: GraphQLBoolean, description: "Group by experiment (key `experimentId`)." },
      field: { type: Field, description: "Group by the value of this field (key `value(field)`)." },
      question: {
        type: GraphQLString,
        description: "Group by the answer to the question with this label (key `question(label)`).",
      },
      time: {
        type: Field,
        description:
          "Group by time bucket of this DateTime or Date field (usually `timestamp`); see `timeBucket` and `timeZone` " +
          "(Date fields are calendar days: the time zone does not shift them).",
      },
    },
  });

  const GroupKey = new GraphQLObjectType<AggregateGroup>({
    name: `${name}GroupKey`,
    description: "The values that define a group; members not grouped by are null.",
    fields: {
      deviceId: { type: GraphQLString, resolve: KEY_DEVICE },
      experimentId: { type: GraphQLID, resolve: KEY_EXPERIMENT },
      question: {
        type: GraphQLString,
        args: { label: { type: nonNull(GraphQLString) } },
        description: "The answer to the grouped question with this label.",
        resolve: KEY_QUESTION as GraphQLFieldResolver<AggregateGroup, unknown>,
      },
      time: {
        type: statics.DateTime,
        description: "Start of the time bucket (an instant).",
        resolve: KEY_TIME,
      },
      timeLocal: {
        type: GraphQLString,
        description: "Start of the time bucket as wall-clock time in `timeZone` (YYYY-MM-DDTHH:MM:SS).",
        resolve: KEY_TIME_LOCAL,
      },
      userId: {
        type: GraphQLString,
        description: "The contributor's `userId` (a pseudonym in anonymized experiments).",
        resolve: KEY_USER,
      },
      value: {
        type: statics.JSON,
        args: { field: { type: nonNull(Field) } },
        description: "The value of a grouped field.",
        resolve: (g, args: { field: string }) =>
          jsonValue(source.byName.get(args.field)!, g.fields.get(args.field)),
      },
    },
  });

  const count = { type: NON_NULL_INT, resolve: GROUP_COUNT };
  const key = { type: nonNull(GroupKey), resolve: GROUP_ITSELF };
  const distinctFields = perFieldMeasures(fields, () => NON_NULL_INT);
  const CountDistinct = new GraphQLObjectType<NumericParent>({
    name: `${name}CountDistinct`,
    description: "How many distinct non-null values each field has in the group.",
    fields: distinctFields,
  });
  out.push(CountDistinct);
  const countDistinct = {
    type: nonNull(CountDistinct),
    description: FUNCTION_DOC.countDistinct,
    resolve: FUNCTION_RESOLVERS.countDistinct,
  };
  let groupFields: GraphQLFieldConfigMap<AggregateGroup, unknown>;
  let OrderMeasure: GraphQLInputObjectType | undefined;
  if (numeric.length > 0) {
    const NumericField = fieldEnum(`${name}NumericField`, numeric, "Numeric fields (for corr).");
    OrderMeasure = new GraphQLInputObjectType({
      name: `${name}AggregateOrderMeasure`,
      description: "A numeric aggregate of a field, e.g. `{fn: AVG, field: …}` (need not be selected).",
      fields: {
        field: { type: nonNull(NumericField) },
        fn: { type: nonNull(statics.AggregateMeasureFunction) },
      },
    });
    out.push(OrderMeasure);
    const aggregateFields = perFieldMeasures(numeric, () => GraphQLFloat);
    const NumericAggregates = new GraphQLObjectType<NumericParent>({
      name: `${name}NumericAggregates`,
      description:
        "One aggregate function over each numeric field of the group (null when no row has a value).",
      fields: aggregateFields,
    });
    // min and max of a BigInt field are exact BigInts (a double would round past 2^53), of a Decimal field exact
    // Decimals; the others are Floats.
    const extremeFields = perFieldMeasures(numeric, (f) =>
      f.scalar === "BigInt" ? statics.BigInt : f.scalar === "Decimal" ? statics.Decimal : GraphQLFloat,
    );
    const NumericExtremes = new GraphQLObjectType<NumericParent>({
      name: `${name}NumericExtremes`,
      description:
        "The smallest or largest value of each numeric field of the group (null when no row has a value); exact for BigInt and Decimal fields.",
      fields: extremeFields,
    });
    const measures = nonNull(NumericAggregates);
    const extremes = nonNull(NumericExtremes);
    const measure = (fn: string) => ({
      type: fn === "min" || fn === "max" ? extremes : measures,
      description: FUNCTION_DOC[fn],
      resolve: FUNCTION_RESOLVERS[fn],
    });
    const numericArg = nonNull(NumericField);
    // In schema order.
    groupFields = {
      avg: measure("avg"),
      corr: {
        type: GraphQLFloat,
        description: "Pearson correlation of two numeric fields over the group's rows with both values.",
        args: { a: { type: numericArg }, b: { type: numericArg } },
        resolve: CORR as GraphQLFieldResolver<AggregateGroup, unknown>,
      },
      count,
      countDistinct,
      cumsum: measure("cumsum"),
      key,
      max: measure("max"),
      min: measure("min"),
      stddev: measure("stddev"),
      sum: measure("sum"),
      variance: measure("variance"),
    };
    out.push(NumericField, NumericAggregates, NumericExtremes);
  } else {
    groupFields = { count, countDistinct, key };
  }
  const AggregateOrderBy = new GraphQLInputObjectType({
    name: `${name}AggregateOrderBy`,
    description:
      "One sort key of the groups: set exactly one of `key`, `count`, `measure`. Groups that tie are ordered by " +
      "their group keys, so the order is always the same.",
    fields: {
      count: { type: GraphQLBoolean, description: "By the group's row count." },
      direction: { type: statics.SortDirection, defaultValue: "ASC" },
      key: {
        type: GroupBy,
        description: "By a group key: one of the `groupBy` entries, written the same way.",
      },
      ...(OrderMeasure
        ? { measure: { type: OrderMeasure, description: "By a numeric aggregate of a field." } }
        : {}),
      nulls: { type: statics.NullsOrder, description: NULLS_DOC },
    },
  });

  const Group = new GraphQLObjectType<AggregateGroup>({
    name: `${name}AggregateGroup`,
    description: "One group of rows and its aggregates.",
    fields: groupFields,
  });

  const Aggregate = new GraphQLObjectType<AggregateResult>({
    name: `${name}Aggregate`,
    description: "Aggregates of the rows matching `where`, by group (one statement).",
    fields: {
      count: {
        type: NON_NULL_INT,
        description:
          "Rows over all groups, also those `limit` and `offset` leave out (0 when `offset` passes the last group).",
        resolve: AGGREGATE_COUNT,
      },
      groups: {
        type: nonNull(listOf(nonNull(Group))),
        description:
          "Groups in `orderBy` order (default: key order); without `groupBy`, one group with an empty key.",
        resolve: AGGREGATE_GROUPS,
      },
    },
  });

  const DistinctValue = new GraphQLObjectType<{ value: unknown; count: number }>({
    name: `${name}DistinctValue`,
    fields: {
      count: { type: NON_NULL_INT, resolve: DISTINCT_VALUE_COUNT },
      value: {
        type: statics.JSON,
        description: "The value, as `where` takes it for this field (null: rows without a value).",
        resolve: DISTINCT_VALUE,
      },
    },
  });
  const Distinct = new GraphQLObjectType<DistinctResult>({
    name: `${name}Distinct`,
    description: "Distinct values of a field with their row counts, most frequent first.",
    fields: {
      hasMore: {
        type: NON_NULL_BOOLEAN,
        description: "More values exist than `first`; narrow `where` to see them.",
        resolve: DISTINCT_HAS_MORE,
      },
      totalCount: {
        type: GraphQLInt,
        description: "Number of distinct values (costs nothing unless selected; same statement).",
        resolve: DISTINCT_TOTAL,
      },
      values: {
        type: nonNull(listOf(nonNull(DistinctValue))),
        resolve: (d) => {
          const field = source.byName.get(d.fieldName)!;
          return d.values.map((v) => ({ value: jsonValue(field, v.value), count: v.count }));
        },
      },
    },
  });

  out.push(Field, OrderBy, GroupBy, AggregateOrderBy, GroupKey, Group, Aggregate, DistinctValue, Distinct);
  return { Where, OrderBy, Field, GroupBy, AggregateOrderBy, Aggregate, Distinct };
}

/** `<name>Where` for a where node; nested objects get `<ObjectType>Where` (the catalog drops empty ones). */
function whereInput(
  statics: QueryLanguageStatics,
  name: string,
  node: WhereNode,
  top: boolean,
  description: string,
  out: GraphQLNamedType[],
): GraphQLInputObjectType {
  const fields: [string, GraphQLInputFieldConfig][] = [];
  for (const [fieldName, entry] of node) {
    const type =
      entry.kind === "object"
        ? whereInput(
            statics,
            `${entry.typeName}Where`,
            entry.node,
            false,
            `Filters on ${entry.typeName}.`,
            out,
          )
        : statics.filters[entry.field.scalar];
    const doc = entry.kind === "object" ? entry.description : entry.field.description;
    fields.push([fieldName, { type, description: doc, extensions: NO_EXTENSIONS }]);
  }
  const type: GraphQLInputObjectType = new GraphQLInputObjectType({
    name,
    description,
    fields: top
      ? () => {
          const list = listOf(nonNull(type));
          fields.push(
            ["question", { type: statics.QuestionFilter, description: WHERE_CONTROL_DOCS.question }],
            [
              "hasAnnotation",
              { type: statics.AnnotationFilter, description: WHERE_CONTROL_DOCS.hasAnnotation },
            ],
            ["_and", { type: list, description: WHERE_CONTROL_DOCS._and }],
            ["_or", { type: list, description: WHERE_CONTROL_DOCS._or }],
            ["_not", { type, description: WHERE_CONTROL_DOCS._not }],
          );
          return sortedMap(fields);
        }
      : sortedMap(fields),
  });
  out.push(type);
  return type;
}

/** An enum of query fields, given in schema order. */
function fieldEnum(name: string, sorted: readonly QueryField[], description: string): GraphQLEnumType {
  const values: GraphQLEnumValueConfigMap = Object.create(null);
  for (const f of sorted) {
    values[f.name] = { value: f.name, description: fieldEnumValueDoc(f), extensions: NO_EXTENSIONS };
  }
  return new GraphQLEnumType({ name, description, values });
}

/** Arguments shared by every macro (one config object each; graphql-js copies them into each field). */
export interface MacroArgs {
  readonly connection: (types: MacroQueryTypes, experimentIds: boolean) => GraphQLFieldConfigArgumentMap;
  readonly aggregate: (types: MacroQueryTypes, experimentIds: boolean) => GraphQLFieldConfigArgumentMap;
  readonly distinct: (types: MacroQueryTypes, experimentIds: boolean) => GraphQLFieldConfigArgumentMap;
}

export function macroArgs(statics: QueryLanguageStatics): MacroArgs {
  const after = { type: GraphQLString, description: PAGING_ARG_DOCS.after };
  const before = { type: GraphQLString, description: PAGING_ARG_DOCS.before };
  const first = { type: GraphQLInt, description: PAGING_ARG_DOCS.first };
  const last = { type: GraphQLInt, description: PAGING_ARG_DOCS.last };
  const offset = { type: GraphQLInt, description: PAGING_ARG_DOCS.offset };
  const includeErrors = {
    type: GraphQLBoolean,
    description: "Also return rows where the macro failed (default false).",
  };
  const experimentIds = {
    type: listOf(nonNull(GraphQLID)),
    description: "Only these experiments (default: every experiment you may read).",
  };
  const timeBucket = {
    type: statics.TimeBucket,
    description: "Bucket width for the `time` grouping (default DAY).",
  };
  const timeZone = {
    type: GraphQLString,
    defaultValue: "UTC",
    description: "IANA time zone the buckets start in, e.g. Europe/Amsterdam.",
  };
  const distinctFirst = {
    type: GraphQLInt,
    defaultValue: DEFAULT_DISTINCT_FIRST,
    description: `How many values (at most ${MAX_DISTINCT_FIRST}).`,
  };
  const groupLimit = {
    type: GraphQLInt,
    description:
      "Only the first groups in `orderBy` order, e.g. the top 10 by count (at most `MAX_AGGREGATE_GROUPS`, default " +
      "10,000).",
  };
  const groupOffset = {
    type: GraphQLInt,
    description: `Skip this many groups first (at most ${MAX_OFFSET.toLocaleString("en-US")}).`,
  };
  const where = (t: MacroQueryTypes) => ({ type: t.Where, description: WHERE_DOC });
  // Keys in schema order.
  return {
    connection: (t, ids) => ({
      after,
      before,
      ...(ids ? { experimentIds } : {}),
      first,
      includeErrors,
      last,
      offset,
      orderBy: { type: listOf(nonNull(t.OrderBy)), description: ORDER_BY_ARG_DOC },
      where: where(t),
    }),
    aggregate: (t, ids) => ({
      ...(ids ? { experimentIds } : {}),
      groupBy: {
        type: listOf(nonNull(t.GroupBy)),
        description:
          "Grouping dimensions in key order (none: one group). At most 10,000 groups by default " +
          "(`MAX_AGGREGATE_GROUPS`); with `limit`, more are no error.",
      },
      includeErrors,
      limit: groupLimit,
      offset: groupOffset,
      orderBy: {
        type: listOf(nonNull(t.AggregateOrderBy)),
        description:
          "Group order, most significant first (default: key order); the group keys break ties. `cumsum` stays a " +
          "running sum in key order over all groups, whatever the order and limit.",
      },
      timeBucket,
      timeZone,
      where: where(t),
    }),
    distinct: (t, ids) => ({
      ...(ids ? { experimentIds } : {}),
      field: { type: nonNull(t.Field) },
      first: distinctFirst,
      includeErrors,
      where: where(t),
    }),
  };
}
