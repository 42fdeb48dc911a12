/**
 * The static query language types (Pothos): the shared filter inputs and enums (`FloatFilter`, `StringFilter`, …,
 * `SortDirection`, `NullsOrder`, `TimeBucket`, `AggregateMeasureFunction`, `QuestionFilter`, `AnnotationFilter`)
 * and the sample source's `SampleWhere`, `SampleOrderBy`, `SampleField`. The per-macro inputs and outputs are generated per catalog with
 * plain graphql-js in `schema/macro-query-types.ts`, from the same docs below.
 *
 * Operators are per type (a wrong operator is a schema error); names come from the field catalog
 * (`resolvers/measurements/query-fields.ts`) that the SQL compilers resolve them with.
 */
import type { EnumRef, InputObjectRef } from "@pothos/core";
import type { TimeBucketUnit } from "../../lakehouse/dialect.js";
import type { OrderByArgs } from "../../resolvers/measurements/compile-order-by.js";
import {
  MAX_IN_LIST,
  OPERATORS,
  type ScalarOperator,
  type WhereArgs,
} from "../../resolvers/measurements/compile-where.js";
import {
  type FieldScalar,
  type QueryField,
  sampleQuerySource,
  type WhereNode,
} from "../../resolvers/measurements/query-fields.js";
import type { GatewayArgBuilder, GatewayBuilder, GatewayTypes } from "../builder.js";

// biome-ignore lint/suspicious/noExplicitAny: refs of types named at runtime
type AnyRef = any;
// biome-ignore lint/suspicious/noExplicitAny: Pothos field builders of types named at runtime
type AnyBuilder = any;

export const WHERE_DOC =
  "Filters rows. Fields and the items of `_and` must all match; value operators never match missing values " +
  "(use `isNull`).";
export const FIELD_ENUM_DOC =
  "Fields to sort by, group by or list distinct values of: base columns and every scalar output field (nested paths joined with `_`).";
export const ORDER_BY_DOC =
  "One sort key. Rows with equal keys keep a stable order (by row id), so paging never skips or repeats.";
export const ORDER_BY_ARG_DOC = "Sort keys, most significant first (default: newest first).";
export const NULLS_DOC = "Default LAST.";
/** The fields every top-level where input has besides the row's fields. */
export const WHERE_CONTROL_DOCS = {
  question: "A question answered on the device (combine several with `_and`).",
  hasAnnotation: "The row has a comment or flag (negate with `_not`).",
  _and: "All of these match (`[]` matches every row).",
  _or: "At least one of these matches (`[]` matches no row).",
  _not: "Rows this filter does not match.",
} as const;

/** Description of a field enum value. */
export function fieldEnumValueDoc(field: QueryField): string {
  return `${field.description} (${field.scalar})`;
}

export interface QueryLanguageTypes {
  readonly SortDirection: AnyRef;
  readonly NullsOrder: AnyRef;
  readonly TimeBucket: EnumRef<GatewayTypes, TimeBucketUnit>;
  readonly AggregateMeasureFunction: AnyRef;
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

  const AggregateMeasureFunction = builder.enumType("AggregateMeasureFunction", {
    description:
      "A numeric aggregate that aggregate groups can be ordered by (`orderBy: [{measure: {fn, field}}]`).",
    values: {
      SUM: { value: "sum" },
      AVG: { value: "avg" },
      MIN: { value: "min" },
      MAX: { value: "max" },
      STDDEV: { value: "stddev", description: "Sample standard deviation." },
      VARIANCE: { value: "variance", description: "Sample variance." },
    } as const,
  });

  const scalarOf: Readonly<Record<FieldScalar, string>> = {
    Int: "Int",
    BigInt: "BigInt",
    Decimal: "Decimal",
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
    AggregateMeasureFunction,
    filters,
    QuestionFilter,
    AnnotationFilter,
  };
  SHARED.set(builder, types);
  return types;
}

/** `SampleWhere` (samples have no nested objects). */
function sampleWhereInput(builder: GatewayBuilder, shared: QueryLanguageTypes, node: WhereNode): AnyRef {
  const ref: AnyRef = builder.inputRef("SampleWhere");
  ref.implement({
    description: WHERE_DOC,
    fields: (t: AnyBuilder) => {
      const fields: Record<string, AnyRef> = {};
      for (const [fieldName, entry] of node) {
        if (entry.kind !== "field") throw new Error("samples have no nested output objects");
        fields[fieldName] = t.field({
          type: shared.filters[entry.field.scalar],
          description: entry.field.description,
        });
      }
      fields.question = t.field({ type: shared.QuestionFilter, description: WHERE_CONTROL_DOCS.question });
      fields.hasAnnotation = t.field({
        type: shared.AnnotationFilter,
        description: WHERE_CONTROL_DOCS.hasAnnotation,
      });
      fields._and = t.field({
        type: [ref],
        required: { list: false, items: true },
        description: WHERE_CONTROL_DOCS._and,
      });
      fields._or = t.field({
        type: [ref],
        required: { list: false, items: true },
        description: WHERE_CONTROL_DOCS._or,
      });
      fields._not = t.field({ type: ref, description: WHERE_CONTROL_DOCS._not });
      return fields;
    },
  });
  return ref;
}

type ArgsBuilder = { arg: GatewayArgBuilder };

/** Arguments of a filterable, sortable connection. */
export function queryArgs(t: ArgsBuilder, types: SourceQueryTypes) {
  return {
    where: t.arg({ type: types.Where, description: WHERE_DOC }),
    orderBy: t.arg({
      type: [types.OrderBy],
      required: { list: false, items: true },
      description: ORDER_BY_ARG_DOC,
    }),
  };
}

const SAMPLE_TYPES = new WeakMap<GatewayBuilder, SourceQueryTypes>();

/** `SampleWhere`, `SampleOrderBy`, `SampleField` (for `Experiment.samples`). */
export function sampleQueryTypes(builder: GatewayBuilder): SourceQueryTypes {
  let types = SAMPLE_TYPES.get(builder);
  if (types) return types;
  const shared = queryLanguageTypes(builder);
  const source = sampleQuerySource();
  const Where = sampleWhereInput(builder, shared, source.where);
  const Field = builder.enumType("SampleField", {
    description: FIELD_ENUM_DOC,
    values: Object.fromEntries(
      source.fields.map((f) => [f.name, { value: f.name, description: fieldEnumValueDoc(f) }]),
    ) as AnyRef,
  });
  const OrderBy: InputObjectRef<GatewayTypes, OrderByArgs> = builder
    .inputRef<OrderByArgs>("SampleOrderBy")
    .implement({
      description: ORDER_BY_DOC,
      fields: (t: AnyBuilder) => ({
        field: t.field({ type: Field, required: true }),
        direction: t.field({ type: shared.SortDirection, defaultValue: "ASC" }),
        nulls: t.field({ type: shared.NullsOrder, description: NULLS_DOC }),
      }),
    });
  types = { Where, OrderBy, Field };
  SAMPLE_TYPES.set(builder, types);
  return types;
}
