/**
 * The query language types: shared filter inputs and enums (`FloatFilter`, `StringFilter`, …, `SortDirection`,
 * `NullsOrder`, `TimeBucket`, `QuestionFilter`, `AnnotationFilter`), and per row source the generated inputs and
 * outputs — for a macro type `X`: `XWhere` (nested objects get their own `…Where`), `XOrderBy`, the field enums
 * `XField` / `XNumericField`, `XAggregateGroupBy`, `XAggregate`, `XAggregateGroup`, `XGroupKey`,
 * `XNumericAggregates`, `XDistinct`, `XDistinctValue`; for samples `SampleWhere`, `SampleOrderBy`, `SampleField`.
 *
 * Operators are per type (a wrong operator is a schema error); names come from the field catalog
 * (`resolvers/measurements/query-fields.ts`) that the SQL compilers resolve them with.
 */
import type { EnumRef, InputObjectRef, ObjectRef } from "@pothos/core";
import type { MacroTypeModel } from "../codegen/macro-type-model.js";
import type { TimeBucketUnit } from "../gateway/lakehouse/dialect.js";
import type { RowValue } from "../gateway/lakehouse/lakehouse.js";
import type { AggregateGroup, GroupByArgs } from "../resolvers/measurements/compile-aggregate.js";
import { DEFAULT_DISTINCT_FIRST, MAX_DISTINCT_FIRST } from "../resolvers/measurements/compile-distinct.js";
import type { OrderByArgs } from "../resolvers/measurements/compile-order-by.js";
import {
  MAX_IN_LIST,
  OPERATORS,
  type ScalarOperator,
  type WhereArgs,
} from "../resolvers/measurements/compile-where.js";
import type { AggregateResult } from "../resolvers/measurements/measurement-aggregate.js";
import type { DistinctResult } from "../resolvers/measurements/measurement-distinct.js";
import {
  type FieldScalar,
  isNumeric,
  measurementQuerySource,
  type QueryField,
  type QuerySource,
  sampleQuerySource,
  type WhereNode,
} from "../resolvers/measurements/query-fields.js";
import type { GatewayArgBuilder, GatewayBuilder, GatewayTypes } from "./builder.js";

// biome-ignore lint/suspicious/noExplicitAny: the generated types are only known at runtime
type AnyRef = any;
// biome-ignore lint/suspicious/noExplicitAny: Pothos field builders of runtime-generated types
type AnyBuilder = any;

export interface QueryLanguageTypes {
  readonly SortDirection: AnyRef;
  readonly NullsOrder: AnyRef;
  readonly TimeBucket: EnumRef<GatewayTypes, TimeBucketUnit>;
  readonly filters: Readonly<Record<FieldScalar, AnyRef>>;
  readonly QuestionFilter: AnyRef;
  readonly AnnotationFilter: AnyRef;
}

/** Refs of one source's generated types. */
export interface SourceQueryTypes {
  readonly Where: InputObjectRef<GatewayTypes, WhereArgs>;
  readonly OrderBy: InputObjectRef<GatewayTypes, OrderByArgs>;
  /** Values are the field names of the catalog. */
  readonly Field: EnumRef<GatewayTypes, string>;
}

export interface MacroQueryTypes extends SourceQueryTypes {
  readonly GroupBy: InputObjectRef<GatewayTypes, GroupByArgs>;
  readonly Aggregate: ObjectRef<GatewayTypes, AggregateResult>;
  readonly Distinct: ObjectRef<GatewayTypes, DistinctResult>;
}

const SHARED = new WeakMap<GatewayBuilder, QueryLanguageTypes>();

const OPERATOR_DOC: Readonly<Record<ScalarOperator, string>> = {
  eq: "Equal to.",
  neq: "Not equal to (null values never match; use `isNull`).",
  gt: "Greater than.",
  gte: "Greater than or equal to.",
  lt: "Less than.",
  lte: "Less than or equal to.",
  in: `One of these values (at most ${MAX_IN_LIST}).`,
  nin: `None of these values (at most ${MAX_IN_LIST}); null values never match.`,
  contains: "Contains this text (case-sensitive).",
  startsWith: "Starts with this text (case-sensitive).",
  isNull: "true: the value is missing (or does not have the field's type); false: it is present.",
};

/** The shared types, created once per builder (samples and every macro use them). */
export function queryLanguageTypes(builder: GatewayBuilder): QueryLanguageTypes {
  const existing = SHARED.get(builder);
  if (existing) return existing;

  const SortDirection = builder.enumType("SortDirection", {
    values: { ASC: { value: "ASC" }, DESC: { value: "DESC" } } as const,
  });
  const NullsOrder = builder.enumType("NullsOrder", {
    description: "Where rows without a value go; default LAST in both directions.",
    values: { FIRST: { value: "FIRST" }, LAST: { value: "LAST" } } as const,
  });
  const TimeBucket = builder.enumType("TimeBucket", {
    description: "Width of a time bucket; buckets start at the unit's boundary in the requested time zone.",
    values: {
      MINUTE: { value: "minute" },
      HOUR: { value: "hour" },
      DAY: { value: "day" },
      WEEK: { value: "week", description: "Weeks start on Monday." },
      MONTH: { value: "month" },
      YEAR: { value: "year" },
    } as const,
  });

  const scalarOf: Readonly<Record<FieldScalar, string>> = {
    Int: "Int",
    BigInt: "BigInt",
    Float: "Float",
    String: "String",
    Boolean: "Boolean",
    Date: "Date",
    DateTime: "DateTime",
    ID: "ID",
  };
  const filters = Object.fromEntries(
    (Object.keys(OPERATORS) as FieldScalar[]).map((family) => {
      const scalar = scalarOf[family];
      const ref = builder.inputType(`${family}Filter`, {
        description: `Conditions on a ${family} value; all given conditions must hold.`,
        fields: (t: AnyBuilder) =>
          Object.fromEntries(
            OPERATORS[family].map((op) => {
              const description = OPERATOR_DOC[op];
              if (op === "isNull") return [op, t.boolean({ description })];
              if (op === "in" || op === "nin") {
                return [op, t.field({ type: [scalar], required: { list: false, items: true }, description })];
              }
              if (op === "contains" || op === "startsWith") return [op, t.string({ description })];
              return [op, t.field({ type: scalar, description })];
            }),
          ),
      });
      return [family, ref];
    }),
  ) as Record<FieldScalar, AnyRef>;

  const QuestionFilter = builder.inputType("QuestionFilter", {
    description:
      "The row has a question with this label (answered on the device), and with this answer when `eq`/`in` is given.",
    fields: (t) => ({
      label: t.string({ required: true }),
      eq: t.string({ description: "The answer equals this text." }),
      in: t.stringList({
        required: { list: false, items: true },
        description: `The answer is one of these (at most ${MAX_IN_LIST}).`,
      }),
    }),
  });
  const AnnotationFilter = builder.inputType("AnnotationFilter", {
    description: "The row has an annotation of this type (and flag type); `{}` matches any annotation.",
    fields: (t: AnyBuilder) => ({
      // The enums are defined with the static types; referenced by name.
      type: t.field({ type: "AnnotationType" }),
      flagType: t.field({ type: "FlagType" }),
    }),
  });

  const types: QueryLanguageTypes = {
    SortDirection,
    NullsOrder,
    TimeBucket,
    filters,
    QuestionFilter,
    AnnotationFilter,
  };
  SHARED.set(builder, types);
  return types;
}

const WHERE_DOC =
  "Filters rows. Fields and the items of `_and` must all match; value operators never match missing values " +
  "(use `isNull`).";

/** `<name>Where` for a where node; nested objects get `<ObjectType>Where` (the catalog drops empty ones). */
function whereInput(
  builder: GatewayBuilder,
  shared: QueryLanguageTypes,
  name: string,
  node: WhereNode,
  top: boolean,
  description: string,
): AnyRef {
  const ref: AnyRef = builder.inputRef(name);
  const nested = new Map<string, AnyRef>();
  for (const [fieldName, entry] of node) {
    if (entry.kind === "object") {
      nested.set(
        fieldName,
        whereInput(
          builder,
          shared,
          `${entry.typeName}Where`,
          entry.node,
          false,
          `Filters on ${entry.typeName}.`,
        ),
      );
    }
  }
  ref.implement({
    description,
    fields: (t: AnyBuilder) => {
      const fields: Record<string, AnyRef> = {};
      for (const [fieldName, entry] of node) {
        fields[fieldName] =
          entry.kind === "object"
            ? t.field({ type: nested.get(fieldName), description: entry.description })
            : t.field({ type: shared.filters[entry.field.scalar], description: entry.field.description });
      }
      if (top) {
        fields.question = t.field({
          type: shared.QuestionFilter,
          description: "A question answered on the device (combine several with `_and`).",
        });
        fields.hasAnnotation = t.field({
          type: shared.AnnotationFilter,
          description: "The row has a comment or flag (negate with `_not`).",
        });
        fields._and = t.field({
          type: [ref],
          required: { list: false, items: true },
          description: "All of these match (`[]` matches every row).",
        });
        fields._or = t.field({
          type: [ref],
          required: { list: false, items: true },
          description: "At least one of these matches (`[]` matches no row).",
        });
        fields._not = t.field({ type: ref, description: "Rows this filter does not match." });
      }
      return fields;
    },
  });
  return ref;
}

function fieldEnum(
  builder: GatewayBuilder,
  name: string,
  fields: readonly QueryField[],
  description: string,
) {
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(
      fields.map((f) => [f.name, { value: f.name, description: `${f.description} (${f.scalar})` }]),
    ) as AnyRef,
  });
}

function sourceQueryTypes(
  builder: GatewayBuilder,
  shared: QueryLanguageTypes,
  typeName: string,
  source: QuerySource,
): SourceQueryTypes {
  const Where = whereInput(builder, shared, `${typeName}Where`, source.where, true, WHERE_DOC);
  const Field = fieldEnum(
    builder,
    `${typeName}Field`,
    source.fields,
    "Fields to sort by, group by or list distinct values of: base columns and every scalar output field (nested paths joined with `_`).",
  );
  const OrderBy: InputObjectRef<GatewayTypes, OrderByArgs> = builder
    .inputRef<OrderByArgs>(`${typeName}OrderBy`)
    .implement({
      description:
        "One sort key. Rows with equal keys keep a stable order (by row id), so paging never skips or repeats.",
      fields: (t: AnyBuilder) => ({
        field: t.field({ type: Field, required: true }),
        direction: t.field({ type: shared.SortDirection, defaultValue: "ASC" }),
        nulls: t.field({ type: shared.NullsOrder, description: "Default LAST." }),
      }),
    });
  return { Where, OrderBy, Field };
}

type ArgsBuilder = { arg: GatewayArgBuilder };

/** Arguments of a filterable, sortable connection. */
export function queryArgs(t: ArgsBuilder, types: SourceQueryTypes) {
  return {
    where: t.arg({ type: types.Where, description: WHERE_DOC }),
    orderBy: t.arg({
      type: [types.OrderBy],
      required: { list: false, items: true },
      description: "Sort keys, most significant first (default: newest first).",
    }),
  };
}

const SAMPLE_TYPES = new WeakMap<GatewayBuilder, SourceQueryTypes>();

/** `SampleWhere`, `SampleOrderBy`, `SampleField` (for `Experiment.samples`). */
export function sampleQueryTypes(builder: GatewayBuilder): SourceQueryTypes {
  let types = SAMPLE_TYPES.get(builder);
  if (!types) {
    types = sourceQueryTypes(builder, queryLanguageTypes(builder), "Sample", sampleQuerySource());
    SAMPLE_TYPES.set(builder, types);
  }
  return types;
}

/** A value of a field as JSON: 64-bit integers and ids as strings, 32-bit integers as numbers. */
export function jsonValue(field: QueryField, value: RowValue | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") {
    return field.scalar === "Int" || field.scalar === "Float" ? Number(value) : value.toString();
  }
  return value;
}

interface NumericParent {
  readonly group: AggregateGroup;
  readonly fn: string;
}

/** Every generated query type of one macro. */
export function macroQueryTypes(builder: GatewayBuilder, model: MacroTypeModel): MacroQueryTypes {
  const shared = queryLanguageTypes(builder);
  const source = measurementQuerySource(model);
  const base = sourceQueryTypes(builder, shared, model.typeName, source);
  const name = model.typeName;
  const numeric = source.fields.filter(isNumeric);

  const GroupBy: InputObjectRef<GatewayTypes, GroupByArgs> = builder
    .inputRef<GroupByArgs>(`${name}AggregateGroupBy`)
    .implement({
      description: "One grouping dimension: set exactly one member.",
      fields: (t: AnyBuilder) => ({
        device: t.boolean({ description: "Group by device (key `deviceId`)." }),
        contributor: t.boolean({
          description: "Group by contributor (key `userId`, as `where.userId` takes it).",
        }),
        experiment: t.boolean({ description: "Group by experiment (key `experimentId`)." }),
        question: t.string({
          description: "Group by the answer to the question with this label (key `question(label)`).",
        }),
        time: t.field({
          type: base.Field,
          description:
            "Group by time bucket of this DateTime or Date field (usually `timestamp`); see `timeBucket` and `timeZone` " +
            "(Date fields are calendar days: the time zone does not shift them).",
        }),
        field: t.field({
          type: base.Field,
          description: "Group by the value of this field (key `value(field)`).",
        }),
      }),
    });

  const GroupKey = builder.objectRef<AggregateGroup>(`${name}GroupKey`).implement({
    description: "The values that define a group; members not grouped by are null.",
    fields: (t: AnyBuilder) => ({
      deviceId: t.string({ resolve: (g: AggregateGroup) => g.deviceId }),
      userId: t.string({
        description: "Contributor id (a pseudonym in anonymized experiments).",
        resolve: (g: AggregateGroup) => g.contributorId,
      }),
      experimentId: t.id({ resolve: (g: AggregateGroup) => g.experimentId }),
      question: t.string({
        args: { label: t.arg.string({ required: true }) },
        description: "The answer to the grouped question with this label.",
        resolve: (g: AggregateGroup, args: { label: string }) => g.questions.get(args.label) ?? null,
      }),
      time: t.field({
        type: "DateTime",
        description: "Start of the time bucket (an instant).",
        resolve: (g: AggregateGroup) => g.time?.instant ?? null,
      }),
      timeLocal: t.string({
        description: "Start of the time bucket as wall-clock time in `timeZone` (YYYY-MM-DDTHH:MM:SS).",
        resolve: (g: AggregateGroup) => g.time?.local ?? null,
      }),
      value: t.field({
        type: "JSON",
        args: { field: t.arg({ type: base.Field, required: true }) },
        description: "The value of a grouped field.",
        resolve: (g: AggregateGroup, args: { field: string }) =>
          jsonValue(source.byName.get(args.field)!, g.fields.get(args.field)),
      }),
    }),
  });

  let NumericAggregates: AnyRef;
  let NumericField: AnyRef;
  if (numeric.length > 0) {
    NumericField = fieldEnum(builder, `${name}NumericField`, numeric, "Numeric fields (for corr).");
    NumericAggregates = builder.objectRef<NumericParent>(`${name}NumericAggregates`).implement({
      description:
        "One aggregate function over each numeric field of the group (null when no row has a value).",
      fields: (t: AnyBuilder) =>
        Object.fromEntries(
          numeric.map((f) => [
            f.name,
            t.float({
              description: f.description,
              resolve: (p: NumericParent) => measureValue(p.group, `${p.fn}:${f.name}`),
            }),
          ]),
        ),
    });
  }

  const FUNCTION_DOC: Record<string, string> = {
    sum: "Sum.",
    avg: "Mean.",
    min: "Minimum.",
    max: "Maximum.",
    stddev: "Sample standard deviation.",
    variance: "Sample variance.",
  };
  const Group = builder.objectRef<AggregateGroup>(`${name}AggregateGroup`).implement({
    description: "One group of rows and its aggregates.",
    fields: (t: AnyBuilder) => {
      const fields: Record<string, AnyRef> = {
        key: t.field({ type: GroupKey, nullable: false, resolve: (g: AggregateGroup) => g }),
        count: t.int({ nullable: false, resolve: (g: AggregateGroup) => g.count }),
      };
      if (NumericAggregates) {
        for (const fn of Object.keys(FUNCTION_DOC)) {
          fields[fn] = t.field({
            type: NumericAggregates,
            nullable: false,
            description: FUNCTION_DOC[fn],
            resolve: (g: AggregateGroup): NumericParent => ({ group: g, fn }),
          });
        }
        fields.corr = t.float({
          description: "Pearson correlation of two numeric fields over the group's rows with both values.",
          args: {
            a: t.arg({ type: NumericField, required: true }),
            b: t.arg({ type: NumericField, required: true }),
          },
          resolve: (g: AggregateGroup, args: { a: string; b: string }) =>
            measureValue(g, `corr:${args.a}:${args.b}`),
        });
      }
      return fields;
    },
  });

  const Aggregate = builder.objectRef<AggregateResult>(`${name}Aggregate`).implement({
    description: "Aggregates of the rows matching `where`, by group (one statement).",
    fields: (t: AnyBuilder) => ({
      count: t.int({
        nullable: false,
        description: "Rows over all groups.",
        resolve: (a: { count: number }) => a.count,
      }),
      groups: t.field({
        type: [Group],
        nullable: false,
        description: "Groups in key order; without `groupBy`, one group with an empty key.",
        resolve: (a: { groups: readonly AggregateGroup[] }) => a.groups,
      }),
    }),
  });

  type DistinctParent = DistinctResult;
  const DistinctValue = builder
    .objectRef<{ value: unknown; count: number }>(`${name}DistinctValue`)
    .implement({
      fields: (t: AnyBuilder) => ({
        value: t.field({
          type: "JSON",
          description: "The value, as `where` takes it for this field (null: rows without a value).",
          resolve: (v: { value: unknown }) => v.value,
        }),
        count: t.int({ nullable: false, resolve: (v: { count: number }) => v.count }),
      }),
    });
  const Distinct = builder.objectRef<DistinctParent>(`${name}Distinct`).implement({
    description: "Distinct values of a field with their row counts, most frequent first.",
    fields: (t: AnyBuilder) => ({
      values: t.field({
        type: [DistinctValue],
        nullable: false,
        resolve: (d: DistinctParent) => {
          const field = source.byName.get(d.fieldName)!;
          return d.values.map((v) => ({ value: jsonValue(field, v.value), count: v.count }));
        },
      }),
      hasMore: t.boolean({
        nullable: false,
        description: "More values exist than `first`; narrow `where` to see them.",
        resolve: (d: DistinctParent) => d.hasMore,
      }),
      totalCount: t.int({
        description: "Number of distinct values (costs nothing unless selected; same statement).",
        resolve: (d: DistinctParent) => d.totalCount,
      }),
    }),
  });

  return { ...base, GroupBy, Aggregate, Distinct };
}

function measureValue(group: AggregateGroup, key: string): number | null {
  const value = group.values.get(key);
  if (value === undefined) throw new Error(`aggregate ${key} was not computed`);
  return value;
}

/** Arguments of `<macro>Aggregate`. */
export function aggregateArgs(t: ArgsBuilder, shared: QueryLanguageTypes, types: MacroQueryTypes) {
  return {
    where: t.arg({ type: types.Where, description: WHERE_DOC }),
    groupBy: t.arg({
      type: [types.GroupBy],
      required: { list: false, items: true },
      description: "Grouping dimensions in key order (none: one group). At most 10,000 groups.",
    }),
    timeBucket: t.arg({
      type: shared.TimeBucket,
      description: "Bucket width for the `time` grouping (default DAY).",
    }),
    timeZone: t.arg.string({
      defaultValue: "UTC",
      description: "IANA time zone the buckets start in, e.g. Europe/Amsterdam.",
    }),
  };
}

/** Arguments of `<macro>Distinct`. */
export function distinctArgs(t: ArgsBuilder, types: MacroQueryTypes) {
  return {
    field: t.arg({ type: types.Field, required: true }),
    first: t.arg.int({
      defaultValue: DEFAULT_DISTINCT_FIRST,
      description: `How many values (at most ${MAX_DISTINCT_FIRST}).`,
    }),
    where: t.arg({ type: types.Where, description: WHERE_DOC }),
  };
}
