/**
 * The fields a query can filter, sort, group and count by, for one row source (a macro's measurements or the raw
 * samples): base columns plus, for a macro, every scalar leaf of its type model that SQL can read on its own.
 * Pure: model → catalog. The compilers (`compile-where.ts`, `compile-order-by.ts`, `compile-aggregate.ts`,
 * `compile-distinct.ts`) and the generated GraphQL input types (`schema/macro-query-types.ts`) share it, so a name
 * in the schema always resolves to the same SQL expression.
 *
 * A macro whose catalog has a questions schema also has its typed answers (`answers_<label>`, and `answers: {…}` in
 * `where`): each answer read through `Dialect.questionAnswerSource` and try-cast to its declared type.
 *
 * Skipped on purpose: fields inside lists of objects (`withinList`, read from JSON elements, not by SQL), list
 * fields and JSON/VARIANT fields (no order, no typed operators).
 */
import type { MacroTypeModel, ModelField } from "../../codegen/macro-type-model.js";
import { type FieldScalar, isNumericScalar, isTimeScalar } from "../../codegen/scalar-kinds.js";
import type { Dialect, VariantElementType } from "../../lakehouse/dialect.js";
import {
  dialectSql,
  ident,
  type ParamType,
  type ParamValue,
  param,
  type Sql,
  sql,
  table,
} from "../../lakehouse/sql.js";
import { isElementCast, paramTypeOfCast, variantCastOf } from "../../lakehouse/variant-casts.js";

export type { FieldScalar };

export interface QueryField {
  /** Unique within the source and a valid GraphQL enum value: the GraphQL path joined with `_`. */
  readonly name: string;
  /** GraphQL field names from the type root; base columns have one element. */
  readonly graphqlPath: readonly string[];
  /** Original VARIANT keys from the output root (empty for base columns; `[label]` for an answer). */
  readonly path: readonly string[];
  readonly description: string;
  readonly scalar: FieldScalar;
  /**
   * The value, try-cast to its type (output fields) or the column (base fields). A Decimal's is a DECIMAL(38, scale)
   * number, which the drivers would read as a double: select it through `selectValue`.
   */
  readonly expr: Sql;
  /** How values of this field are bound and read back (cursors). */
  readonly paramType: ParamType;
  /** The scale of a Decimal field (read and compared as DECIMAL(38, scale)); null for every other field. */
  readonly decimalScale: number | null;
  readonly nullable: boolean;
  readonly origin: "base" | "output" | "answer";
}

/** The shape of a `where` input: GraphQL input field name → a field filter, or a nested object's own `where`. */
export type WhereEntry =
  | { readonly kind: "field"; readonly field: QueryField }
  | {
      readonly kind: "object";
      /** The nested output object type; its where input is `${typeName}Where`. */
      readonly typeName: string;
      readonly description: string;
      readonly node: WhereNode;
    };
export type WhereNode = ReadonlyMap<string, WhereEntry>;

export interface QuerySource {
  /** `measurements` of one macro, or `samples`. */
  readonly kind: "measurements" | "samples";
  /** Row alias in every statement (`m` or `r`); correlated subqueries (annotations) use it. */
  readonly alias: string;
  /** `<table> AS <alias>`. */
  readonly from: Sql;
  /** `experiment_annotations.table_name` of these rows: the macro filename or `sample`. */
  readonly annotationTable: string;
  readonly fields: readonly QueryField[];
  readonly byName: ReadonlyMap<string, QueryField>;
  /** The top-level where input: base columns and output fields (combinators and question/annotation apart). */
  readonly where: WhereNode;
  /** Column expressions the compilers need beyond the fields. */
  readonly columns: {
    readonly id: Sql;
    readonly experimentId: Sql;
    readonly questions: Sql;
    readonly deviceId: Sql;
    readonly contributor: Sql;
  };
}

/** Names of the where input that are not fields: an output field by one of these names is renamed there. */
export const WHERE_CONTROL_NAMES = ["question", "hasAnnotation", "_and", "_or", "_not"] as const;

/** Values GraphQL does not allow as enum values. */
const INVALID_ENUM_VALUES = new Set(["true", "false", "null"]);

/** Picks `base`, else `base_2`, `base_3`, … — the first name not yet taken (and, for enums, a valid value). */
class NameAllocator {
  readonly #used = new Set<string>();

  constructor(
    reserved: Iterable<string> = [],
    private readonly forEnum = false,
  ) {
    for (const name of reserved) this.#used.add(name);
  }

  allocate(base: string): string {
    let name = this.forEnum && INVALID_ENUM_VALUES.has(base) ? `${base}_` : base;
    for (let i = 2; this.#used.has(name); i++) name = `${base}_${i}`;
    this.#used.add(name);
    return name;
  }
}

/**
 * The contributor id as the API shows it (`Contributor.userId`): the user id, or in experiments that anonymize
 * contributors the same per-experiment pseudonym as `pseudonymId` in `resolvers/contributors/anonymize.ts`
 * (first 12 hex digits of sha256(experiment_id ∖0 user_id)). Computed in SQL so filters, sort, groups and
 * distinct values never reveal a hidden user id, and the values they return can be filtered on again.
 */
function contributorIdExpr(experimentId: Sql, userId: Sql): Sql {
  const joined = sql`concat(${experimentId}, chr(0), ${userId})`;
  const hash = dialectSql((d: Dialect) => d.sha256Hex(joined));
  const anonymized = sql`${experimentId} IN (SELECT experiment_id FROM ${table("experiments")} WHERE anonymize_contributors)`;
  return sql`CASE WHEN ${userId} IS NULL THEN NULL WHEN ${anonymized} THEN left(${hash}, 12) ELSE ${userId} END`;
}

function baseField(
  name: string,
  scalar: FieldScalar,
  expr: Sql,
  paramType: ParamType,
  nullable: boolean,
  description: string,
): QueryField {
  return {
    name,
    graphqlPath: [name],
    path: [],
    description,
    scalar,
    expr,
    paramType,
    decimalScale: null,
    nullable,
    origin: "base",
  };
}

/**
 * An output field of a macro. Its SQL expression is built on first use: a catalog has tens of thousands of these,
 * and the schema build, which makes them all, needs only their names and types.
 */
class OutputQueryField implements QueryField {
  readonly origin = "output";
  readonly nullable = true;
  readonly paramType: ParamType;
  /** The scale of a Decimal field (read and compared as DECIMAL(38, scale)); null for every other field. */
  readonly decimalScale: number | null;
  readonly #cast: VariantElementType;
  #expr: Sql | undefined;

  constructor(
    readonly name: string,
    readonly graphqlPath: readonly string[],
    readonly path: readonly string[],
    readonly description: string,
    readonly scalar: FieldScalar,
    cast: VariantElementType,
  ) {
    this.#cast = cast;
    this.paramType = paramTypeOfCast(cast);
    this.decimalScale = typeof cast === "object" ? cast.decimal : null;
  }

  get expr(): Sql {
    if (this.#expr === undefined) {
      const path = this.path;
      const cast = this.#cast;
      const scale = this.decimalScale;
      this.#expr = dialectSql((d: Dialect) =>
        scale === null ? d.variantGet(MACRO_OUTPUT, path, cast) : d.variantDecimal(MACRO_OUTPUT, path, scale),
      );
    }
    return this.#expr;
  }
}

/**
 * A typed answer of a macro's measurements: the question `label`'s answer of the row, where the dialect says the
 * shape keeps it, try-cast to the type of the catalog's questions schema (built on first use, like output fields).
 */
class AnswerQueryField implements QueryField {
  readonly origin = "answer";
  readonly nullable = true;
  readonly paramType: ParamType;
  readonly decimalScale: number | null;
  readonly #cast: VariantElementType;
  #expr: Sql | undefined;

  constructor(
    readonly name: string,
    readonly graphqlPath: readonly string[],
    readonly path: readonly string[],
    readonly description: string,
    readonly scalar: FieldScalar,
    cast: VariantElementType,
  ) {
    this.#cast = cast;
    this.paramType = paramTypeOfCast(cast);
    this.decimalScale = typeof cast === "object" ? cast.decimal : null;
  }

  get expr(): Sql {
    if (this.#expr === undefined) {
      const label = this.path[0]!;
      const cast = this.#cast;
      const scale = this.decimalScale;
      this.#expr = dialectSql((d: Dialect) => {
        const { column, path } = d.questionAnswerSource(MEASUREMENT_ALIAS, label);
        return scale === null ? d.variantGet(column, path, cast) : d.variantDecimal(column, path, scale);
      });
    }
    return this.#expr;
  }
}

/** The measurement field (and top-level `where` entry) of a macro's typed answers. */
export const ANSWERS_FIELD_NAME = "answers";

const MEASUREMENT_ALIAS = "m";
const MACRO_OUTPUT = ident(MEASUREMENT_ALIAS, "macro_output");

/** The base columns every macro's measurements have, the same objects for every macro (they are immutable). */
const MEASUREMENT_BASE: readonly QueryField[] = (() => {
  const col = (name: string) => ident(MEASUREMENT_ALIAS, name);
  return [
    baseField("rowId", "ID", col("id"), "bigint", false, "The sample's 64-bit row id."),
    baseField("experimentId", "ID", col("experiment_id"), "string", false, "The experiment."),
    baseField("deviceId", "String", col("device_id"), "string", true, "The device that measured."),
    baseField(
      "userId",
      "String",
      contributorIdExpr(col("experiment_id"), col("user_id")),
      "string",
      true,
      "The contributor's `userId` (a pseudonym in anonymized experiments).",
    ),
    baseField("timestamp", "DateTime", col("timestamp"), "timestamp", true, "When the sample was taken."),
  ];
})();
const MEASUREMENT_BASE_NAMES = MEASUREMENT_BASE.map((f) => f.name);
const MEASUREMENT_FROM = sql`${table("experiment_macro_data")} AS ${ident(MEASUREMENT_ALIAS)}`;
const MEASUREMENT_COLUMNS: QuerySource["columns"] = {
  id: ident(MEASUREMENT_ALIAS, "id"),
  experimentId: ident(MEASUREMENT_ALIAS, "experiment_id"),
  questions: ident(MEASUREMENT_ALIAS, "questions"),
  deviceId: ident(MEASUREMENT_ALIAS, "device_id"),
  contributor: MEASUREMENT_BASE[3]!.expr,
};

const SOURCE_CACHE = new WeakMap<MacroTypeModel, QuerySource>();

/** The query fields of a macro's measurements (`experiment_macro_data AS m`). Cached per model. */
export function measurementQuerySource(model: MacroTypeModel): QuerySource {
  const cached = SOURCE_CACHE.get(model);
  if (cached) return cached;
  const base = MEASUREMENT_BASE;
  const enumNames = new NameAllocator(MEASUREMENT_BASE_NAMES, true);
  const fields: QueryField[] = [...base];

  const walk = (modelFields: readonly ModelField[], graphqlPath: readonly string[]): WhereNode => {
    // Top-level output fields share the where input with base columns and the controls.
    const inputNames = new NameAllocator(
      graphqlPath.length === 0 ? [...MEASUREMENT_BASE_NAMES, ...WHERE_CONTROL_NAMES] : [],
    );
    const node = new Map<string, WhereEntry>();
    for (const f of modelFields) {
      if (f.withinList) continue;
      const at = [...graphqlPath, f.name];
      if (f.type.kind === "object") {
        const child = walk(f.type.object.fields, at);
        if (child.size > 0) {
          node.set(inputNames.allocate(f.name), {
            kind: "object",
            typeName: f.type.object.typeName,
            description: f.description,
            node: child,
          });
        }
        continue;
      }
      if (f.type.kind !== "scalar" || f.type.scalar === "JSON") continue;
      const cast = variantCastOf(f.type);
      if (!isElementCast(cast)) continue;
      const field = new OutputQueryField(
        enumNames.allocate(at.join("_")),
        at,
        [...f.path],
        f.description,
        f.type.scalar,
        cast,
      );
      fields.push(field);
      node.set(inputNames.allocate(f.name), { kind: "field", field });
    }
    return node;
  };
  const outputWhere = walk(model.fields, []);
  const where = new Map<string, WhereEntry>(base.map((f) => [f.name, { kind: "field", field: f }]));
  for (const [name, entry] of outputWhere) where.set(name, entry);
  // After the outputs, so a macro gaining answers never renames an output field's enum value.
  const answers = model.answers;
  if (answers) {
    const node = new Map<string, WhereEntry>();
    for (const f of answers.fields) {
      if (f.type.kind !== "scalar" || f.type.scalar === "JSON") continue;
      const cast = variantCastOf(f.type);
      if (!isElementCast(cast)) continue;
      const at = [ANSWERS_FIELD_NAME, f.name];
      const field = new AnswerQueryField(
        enumNames.allocate(at.join("_")),
        at,
        [...f.path],
        f.description,
        f.type.scalar,
        cast,
      );
      fields.push(field);
      node.set(f.name, { kind: "field", field });
    }
    // `answers` is a reserved measurement field name: no output field has it in the where input.
    if (node.size > 0) {
      where.set(ANSWERS_FIELD_NAME, {
        kind: "object",
        typeName: answers.typeName,
        description: `Filters on the typed answers (${answers.typeName}).`,
        node,
      });
    }
  }

  const source: QuerySource = {
    kind: "measurements",
    alias: MEASUREMENT_ALIAS,
    from: MEASUREMENT_FROM,
    annotationTable: model.macroFilename,
    fields,
    byName: new Map(fields.map((f) => [f.name, f])),
    where,
    columns: MEASUREMENT_COLUMNS,
  };
  SOURCE_CACHE.set(model, source);
  return source;
}

let SAMPLE_SOURCE: QuerySource | undefined;

/** The query fields of raw samples (`experiment_raw_data AS r`): base columns only. */
export function sampleQuerySource(): QuerySource {
  if (SAMPLE_SOURCE) return SAMPLE_SOURCE;
  const alias = "r";
  const col = (name: string) => ident(alias, name);
  const contributor = contributorIdExpr(col("experiment_id"), col("user_id"));
  const fields = [
    baseField("rowId", "ID", col("id"), "bigint", false, "The sample's 64-bit row id."),
    baseField("deviceId", "String", col("device_id"), "string", true, "The device that measured."),
    baseField(
      "userId",
      "String",
      contributor,
      "string",
      true,
      "The contributor's `userId` (a pseudonym in anonymized experiments).",
    ),
    baseField("timestamp", "DateTime", col("timestamp"), "timestamp", true, "When the sample was taken."),
    baseField(
      "processedTimestamp",
      "DateTime",
      col("processed_timestamp"),
      "timestamp",
      true,
      "When the pipeline processed the sample.",
    ),
  ];
  SAMPLE_SOURCE = {
    kind: "samples",
    alias,
    from: sql`${table("experiment_raw_data")} AS ${ident(alias)}`,
    annotationTable: "sample",
    fields,
    byName: new Map(fields.map((f) => [f.name, f])),
    where: new Map(fields.map((f) => [f.name, { kind: "field", field: f }])),
    columns: {
      id: col("id"),
      experimentId: col("experiment_id"),
      questions: col("questions"),
      deviceId: col("device_id"),
      contributor,
    },
  };
  return SAMPLE_SOURCE;
}

/** The field's value as a statement selects it for reading: a Decimal as exact text, every other field as is. */
export function selectValue(field: { readonly decimalScale: number | null }, expr: Sql): Sql {
  return field.decimalScale === null ? expr : dialectSql((d: Dialect) => d.decimalText(expr));
}

/** A value bound for comparison with the field: a Decimal's text cast to DECIMAL(38, scale) by the dialect. */
export function boundValue(
  field: { readonly decimalScale: number | null; readonly paramType: ParamType },
  value: ParamValue,
): Sql {
  const p = param(value, field.paramType);
  const scale = field.decimalScale;
  return scale === null ? sql`${p}` : dialectSql((d: Dialect) => d.decimal(sql`${p}`, scale));
}

export function isNumeric(field: QueryField): boolean {
  return isNumericScalar(field.scalar);
}

export function isTime(field: QueryField): boolean {
  return isTimeScalar(field.scalar);
}

/** The answer of the first question labelled `label` in a `questions` list (NULL when none). */
export function questionAnswer(questions: Sql, label: string): Sql {
  return dialectSql((d: Dialect) =>
    d.listFirst(questions, (el: Sql) => sql`${el}.question_label = ${label}`, "question_answer"),
  );
}
