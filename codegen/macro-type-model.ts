/**
 * Catalog (`experiment_macros.output_schema` per experiment) → one GraphQL-oriented type model per macro
 * filename: typed fields with safe names, original keys, VARIANT paths and the cast the SQL compiler applies.
 * Pure and deterministic: the entries are sorted first, so their order never shows in the result.
 */
import {
  assignGraphQLFieldNames,
  assignMacroFieldNames,
  CACHE_KEY_FIELD_NAMES,
  DEFAULT_RESERVED_MACRO_FIELD_NAMES,
  DEFAULT_RESERVED_MEASUREMENT_FIELD_NAMES,
  DEFAULT_RESERVED_TYPE_NAMES,
  defaultDerivedMacroFieldNames,
  pascalCase,
  TypeNameAllocator,
  upperFirst,
} from "./graphql-names.js";
import {
  type DecimalDigits,
  type GraphQLScalarName,
  mergeOutputShapes,
  type OutputShape,
  type OutputShapeField,
  SCALAR_SHAPES,
  shapeOfVariantType,
} from "./graphql-output-shape.js";
import { RecentVariants } from "./recent-variants.js";
import { parseVariantSchema, VariantSchemaParseError } from "./variant-schema-parser.js";
import { printVariantKey, printVariantSchema } from "./variant-schema-printer.js";
import { compareVariantKeys, type VariantType } from "./variant-type.js";

export type { DecimalDigits, GraphQLScalarName } from "./graphql-output-shape.js";
export { macroCatalogFingerprint } from "./macro-catalog-fingerprint.js";

export interface CatalogSchemaEntry {
  experimentId: string;
  macroName: string;
  macroFilename: string;
  /** `schema_of_variant_agg` text of the macro's outputs in this experiment. */
  outputSchema: string;
  /**
   * `schema_of_variant_agg` text of the question answers of the macro's rows in this experiment (openJII's
   * `experiment_table_metadata.questions_schema`, an OBJECT of label → answer type); null or absent: no typed answers.
   */
  questionsSchema?: string | null;
}

export type ModelFieldType =
  /** `decimal` is set exactly when the scalar is `Decimal`: the digits SQL reads it with. */
  | { kind: "scalar"; scalar: GraphQLScalarName; decimal?: DecimalDigits }
  | { kind: "list"; of: ModelFieldType }
  | { kind: "object"; object: ObjectModel };

export interface ModelField {
  /** The original key, exactly as in the VARIANT. */
  key: string;
  /** The GraphQL field name. */
  name: string;
  /** Contains the original key verbatim and its VARIANT type text. */
  description: string;
  type: ModelFieldType;
  /**
   * Original keys from the root of `macro_output` to this value. Inside the elements of a list the path
   * continues from the list field's path without an index (see `withinList`).
   */
  path: string[];
  /**
   * True below a list: the value is not read by SQL on its own but picked by `key` from the elements of the
   * enclosing list, which SQL reads whole as JSON.
   */
  withinList: boolean;
  /** The VARIANT types this key had across the experiments (data quality: more than one is a drift). */
  variantTypes: readonly string[];
  /** The types seen could not be merged, so the field is (or holds) `JSON` instead of a typed value. */
  conflict: boolean;
}

export interface ObjectModel {
  typeName: string;
  description: string;
  fields: ModelField[];
}

export interface MacroTypeModel {
  macroFilename: string;
  macroName: string;
  /** The connection field on `Experiment` and `Query`, e.g. `photosynthesis`. */
  fieldName: string;
  /** The measurement type, e.g. `PhotosynthesisMeasurement`. */
  typeName: string;
  description: string;
  /** Sorted; the experiments whose output schema parsed (and so shaped this model). */
  experimentIds: string[];
  /** Typed top-level output fields; empty when no experiment's output is an OBJECT. */
  fields: ModelField[];
  /**
   * The typed question answers (`answers` on the measurement type): one scalar field per question label of the
   * merged questions schemas; null when no experiment's catalog entry has a questions schema that is an OBJECT.
   */
  answers: AnswersModel | null;
}

/**
 * The `<Macro>Answers` type: one field per question label, its `key` the label and its `path` `[label]`; every field
 * a scalar (an answer whose schema is an object or a list is `JSON`), never `withinList`.
 */
export type AnswersModel = ObjectModel;

export interface MacroTypeModelOptions {
  /** Added to DEFAULT_RESERVED_MACRO_FIELD_NAMES: names a macro's connection field must not take. */
  reservedFieldNames?: readonly string[];
  /** Added to DEFAULT_RESERVED_MEASUREMENT_FIELD_NAMES: names a top-level output field must not take. */
  reservedMeasurementFieldNames?: readonly string[];
  /** Added to DEFAULT_RESERVED_TYPE_NAMES: the schema's static type names. */
  reservedTypeNames?: readonly string[];
  /** Fields the schema builder adds per macro; default `${f}Aggregate`, `${f}Distinct`. */
  derivedFieldNames?: (fieldName: string) => readonly string[];
  /** Types the schema builder derives from every generated type name (connection, edge, where, …); default none. */
  derivedTypeNames?: (typeName: string) => readonly string[];
}

export interface MacroTypeModels {
  /** Sorted by macro filename. */
  macros: MacroTypeModel[];
  /** Skipped or dropped input, for the operator; sorted by macro filename, then experiment. */
  warnings: string[];
}

/** A nested output object is a value kept inside its measurement: it must not look like a cache entity. */
const NESTED_RESERVED: ReadonlySet<string> = new Set(CACHE_KEY_FIELD_NAMES);

/** Long OBJECT texts are cut in descriptions; the nested fields describe themselves. */
const MAX_TYPE_TEXT_IN_DESCRIPTION = 120;

type ObjectShape = Extract<OutputShape, { kind: "object" }>;

interface MergedMacro {
  macroFilename: string;
  macroName: string;
  experimentIds: string[];
  root: ObjectShape | undefined;
  /** The merged questions schemas; undefined when no experiment has one that is an OBJECT. */
  questions: ObjectShape | undefined;
}

export function buildMacroTypeModels(
  entries: readonly CatalogSchemaEntry[],
  options: MacroTypeModelOptions = {},
): MacroTypeModels {
  return new MacroTypeModelBuilder(options).build(entries);
}

/** What the builder remembers of one macro from its last build. */
interface MacroMemo {
  /** The macro's catalog entries, sorted and without repeats. */
  readonly group: readonly CatalogSchemaEntry[];
  readonly merged: MergedMacro | undefined;
  readonly warnings: readonly string[];
  readonly model?: MacroTypeModel;
  /** The nested type names the model took, in the order it took them: [base asked for, name given]. */
  readonly nestedTypes?: readonly (readonly [string, string])[];
}

/**
 * `buildMacroTypeModels` with fixed options, remembering its last build. A macro whose catalog entries are unchanged
 * is not parsed or merged again, and keeps its model object when its names come out the same (its field name, type
 * name, and every nested type name, asked for again in the same order); the result is always what
 * `buildMacroTypeModels` gives for the same entries. A catalog change then costs little more than the macros it
 * touches.
 */
export class MacroTypeModelBuilder {
  readonly #options: MacroTypeModelOptions;
  readonly #reservedTopLevel: ReadonlySet<string>;
  /** Recent memos per macro: the access sets' schemas build different groups of the same macro in turn. */
  readonly #memos = new RecentVariants<MacroMemo>();

  constructor(options: MacroTypeModelOptions = {}) {
    this.#options = options;
    this.#reservedTopLevel = new Set([
      ...DEFAULT_RESERVED_MEASUREMENT_FIELD_NAMES,
      ...(options.reservedMeasurementFieldNames ?? []),
    ]);
  }

  build(entries: readonly CatalogSchemaEntry[]): MacroTypeModels {
    const options = this.#options;
    const warnings: string[] = [];
    const memos = new Map<string, MacroMemo>();
    // Experiments that run the same macro mostly report the same schema text: parse and shape each text once.
    const parsed = new Map<string, ParsedSchema>();
    for (const [macroFilename, group] of groupByMacro(entries)) {
      const previous = this.#memos.find(macroFilename, (m) => sameGroup(m.group, group));
      let memo: MacroMemo;
      if (previous !== undefined) {
        memo = { group: previous.group, merged: previous.merged, warnings: previous.warnings };
      } else {
        const macroWarnings: string[] = [];
        memo = {
          group,
          merged: mergeMacro(macroFilename, group, parsed, macroWarnings),
          warnings: macroWarnings,
        };
      }
      memos.set(macroFilename, memo);
      for (const warning of memo.warnings) warnings.push(warning);
    }
    const merged = [...memos.values()].flatMap((m) => (m.merged === undefined ? [] : [m.merged]));

    const fieldNames = assignMacroFieldNames(
      merged.map((m) => m.macroFilename),
      {
        reserved: [...DEFAULT_RESERVED_MACRO_FIELD_NAMES, ...(options.reservedFieldNames ?? [])],
        derived: options.derivedFieldNames ?? defaultDerivedMacroFieldNames,
      },
    );
    const types = new TypeNameAllocator({
      reserved: [...DEFAULT_RESERVED_TYPE_NAMES, ...(options.reservedTypeNames ?? [])],
      derived: options.derivedTypeNames ?? (() => []),
    });
    // Measurement types first, so a nested type never takes a name a macro would have.
    const typeNames = merged.map((m) =>
      types.allocate(`${upperFirst(fieldNames.get(m.macroFilename)!)}Measurement`),
    );

    const macros = merged.map((m, i): MacroTypeModel => {
      const fieldName = fieldNames.get(m.macroFilename)!;
      const typeName = typeNames[i]!;
      const memo = memos.get(m.macroFilename)!;
      const previous = this.#memos.find(m.macroFilename, (v) => v.merged === m && v.model !== undefined);
      // Reuse only the model built from this very merge, under the same names.
      if (
        previous?.model !== undefined &&
        previous.model.fieldName === fieldName &&
        previous.model.typeName === typeName &&
        types.allocateAll(previous.nestedTypes!)
      ) {
        memos.set(m.macroFilename, { ...memo, model: previous.model, nestedTypes: previous.nestedTypes });
        return previous.model;
      }
      const nestedTypes: [string, string][] = [];
      const context: FieldContext = {
        macroName: m.macroName,
        allocateType: (base) => {
          const name = types.allocate(base);
          nestedTypes.push([base, name]);
          return name;
        },
      };
      const fields =
        m.root === undefined
          ? []
          : buildFields(
              m.root,
              context,
              { path: [], display: "", withinList: false, typeName },
              this.#reservedTopLevel,
            );
      // After the output's nested types, so a macro gaining questions never renames them.
      const answers =
        m.questions === undefined
          ? null
          : buildAnswers(m.questions, context.allocateType(`${upperFirst(fieldName)}Answers`), m.macroName);
      const model: MacroTypeModel = {
        macroFilename: m.macroFilename,
        macroName: m.macroName,
        fieldName,
        typeName,
        description:
          `Measurements of macro ${m.macroName} (${m.macroFilename}). The typed fields merge the output schemas ` +
          `of every experiment that ran it; \`output\` holds the raw value.`,
        experimentIds: m.experimentIds,
        fields,
        answers,
      };
      memos.set(m.macroFilename, { ...memo, model, nestedTypes });
      return model;
    });
    this.#memos.commit(memos, (a, b) => sameGroup(a.group, b.group));
    return { macros, warnings };
  }
}

function sameGroup(a: readonly CatalogSchemaEntry[], b: readonly CatalogSchemaEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameEntry(a[i]!, b[i]!)) return false;
  return true;
}

function groupByMacro(entries: readonly CatalogSchemaEntry[]): Map<string, CatalogSchemaEntry[]> {
  const sorted = [...entries].sort(
    (a, b) =>
      compareVariantKeys(a.macroFilename, b.macroFilename) ||
      compareVariantKeys(a.experimentId, b.experimentId) ||
      compareVariantKeys(a.macroName, b.macroName) ||
      compareVariantKeys(a.outputSchema, b.outputSchema) ||
      compareVariantKeys(a.questionsSchema ?? "", b.questionsSchema ?? "") ||
      Number(a.questionsSchema != null) - Number(b.questionsSchema != null),
  );
  const groups = new Map<string, CatalogSchemaEntry[]>();
  for (const [i, entry] of sorted.entries()) {
    // An exact repeat adds nothing (and must not count twice in the macro name vote).
    const previous = sorted[i - 1];
    if (previous !== undefined && sameEntry(previous, entry)) continue;
    const group = groups.get(entry.macroFilename);
    if (group === undefined) groups.set(entry.macroFilename, [entry]);
    else group.push(entry);
  }
  return groups;
}

function sameEntry(a: CatalogSchemaEntry, b: CatalogSchemaEntry): boolean {
  return (
    a.macroFilename === b.macroFilename &&
    a.experimentId === b.experimentId &&
    a.macroName === b.macroName &&
    a.outputSchema === b.outputSchema &&
    (a.questionsSchema ?? null) === (b.questionsSchema ?? null)
  );
}

/** One schema text, parsed: its shape when it is an OBJECT, else its type (or why it did not parse). */
type ParsedSchema =
  | { readonly shape: OutputShape }
  | { readonly type: VariantType }
  | { readonly error: VariantSchemaParseError };

function parseSchema(text: string, cache: Map<string, ParsedSchema>): ParsedSchema {
  let parsed = cache.get(text);
  if (parsed === undefined) {
    try {
      const type = parseVariantSchema(text);
      parsed = type.kind === "object" ? { shape: shapeOfVariantType(type) } : { type };
    } catch (error) {
      if (!(error instanceof VariantSchemaParseError)) throw error;
      parsed = { error };
    }
    cache.set(text, parsed);
  }
  return parsed;
}

function mergeMacro(
  macroFilename: string,
  group: readonly CatalogSchemaEntry[],
  cache: Map<string, ParsedSchema>,
  warnings: string[],
): MergedMacro | undefined {
  let root: OutputShape = { kind: "void" };
  let questions: OutputShape = { kind: "void" };
  const experimentIds = new Set<string>();
  const nameVotes = new Map<string, number>();
  for (const entry of group) {
    const where = `experiment ${JSON.stringify(entry.experimentId)}, macro ${JSON.stringify(macroFilename)}`;
    const parsed = parseSchema(entry.outputSchema, cache);
    if ("error" in parsed) {
      warnings.push(`${where}: output_schema skipped: ${parsed.error.message}`);
      continue;
    }
    experimentIds.add(entry.experimentId);
    questions = mergeQuestions(questions, entry.questionsSchema, where, cache, warnings);
    nameVotes.set(entry.macroName, (nameVotes.get(entry.macroName) ?? 0) + 1);
    // Merging is idempotent, so a text seen before in this macro changes nothing (`mergeOutputShapes(a, a)` is a).
    if ("shape" in parsed) root = mergeOutputShapes(root, parsed.shape);
    // VOID = only null outputs so far: nothing to type, nothing to warn about.
    else if (parsed.type.kind !== "void") {
      warnings.push(
        `${where}: output_schema is ${printVariantSchema(parsed.type)}, not an OBJECT; it adds no typed fields`,
      );
    }
  }
  if (experimentIds.size === 0) {
    warnings.push(
      `macro ${JSON.stringify(macroFilename)}: no experiment has a parseable output_schema; macro dropped`,
    );
    return undefined;
  }
  return {
    macroFilename,
    macroName: mostCommon(nameVotes),
    experimentIds: [...experimentIds].sort(compareVariantKeys),
    root: root.kind === "object" ? root : undefined,
    questions: questions.kind === "object" && questions.fields.size > 0 ? questions : undefined,
  };
}

/** `merged` with one experiment's questions schema merged in (numeric widening, conflicts → JSON, like outputs). */
function mergeQuestions(
  merged: OutputShape,
  text: string | null | undefined,
  where: string,
  cache: Map<string, ParsedSchema>,
  warnings: string[],
): OutputShape {
  if (text == null) return merged;
  const parsed = parseSchema(text, cache);
  if ("error" in parsed) {
    warnings.push(`${where}: questions_schema skipped: ${parsed.error.message}`);
    return merged;
  }
  if ("shape" in parsed) return mergeOutputShapes(merged, parsed.shape);
  if (parsed.type.kind !== "void") {
    warnings.push(
      `${where}: questions_schema is ${printVariantSchema(parsed.type)}, not an OBJECT; it adds no typed answers`,
    );
  }
  return merged;
}

/**
 * The answers type of a macro: a scalar field per label, named by the field name rules (cache keys reserved: the
 * answers are a value inside their measurement). An answer whose schema is an object or a list is read whole as JSON.
 */
function buildAnswers(questions: ObjectShape, typeName: string, macroName: string): AnswersModel {
  const names = assignGraphQLFieldNames(questions.fields.keys(), NESTED_RESERVED);
  const fields = [...questions.fields].map(([label, field]): ModelField => {
    const shape = field.shape;
    const type: ModelFieldType =
      shape.kind === "scalar"
        ? shape.scalar === "Decimal"
          ? shape
          : SCALAR_TYPES[shape.scalar]
        : SCALAR_TYPES.JSON;
    let types = "";
    for (const [i, text] of field.variantTypes.entries()) {
      types += `${i === 0 ? "" : " | "}${text.length > MAX_TYPE_TEXT_IN_DESCRIPTION ? `${text.slice(0, MAX_TYPE_TEXT_IN_DESCRIPTION)}…` : text}`;
    }
    return {
      key: label,
      name: names.get(label)!,
      description: `The answer to question "${label}" (${types}) of ${macroName} measurements; null when unanswered or not of this type.`,
      type,
      path: [label],
      withinList: false,
      variantTypes: field.variantTypes,
      conflict:
        holdsJson(type) &&
        (field.variantTypes.length > 1 || field.variantTypes.some((t) => t.includes("VARIANT"))),
    };
  });
  return {
    typeName,
    description: `Typed answers to the questions of ${macroName} measurements, from the catalog's questions schemas; \`questions\` holds the raw text.`,
    fields,
  };
}

/** The name most experiments use; ties go to the first in sorted order. */
function mostCommon(votes: ReadonlyMap<string, number>): string {
  let best: [string, number] | undefined;
  for (const [name, count] of [...votes].sort(([a], [b]) => compareVariantKeys(a, b))) {
    if (best === undefined || count > best[1]) best = [name, count];
  }
  return best![0];
}

interface FieldContext {
  macroName: string;
  /** `TypeNameAllocator.allocate`, recorded. */
  allocateType: (base: string) => string;
}

interface Parent {
  path: string[];
  /** The path as text for descriptions: printed keys joined by `.`, `[]` after a list. */
  display: string;
  withinList: boolean;
  /** The enclosing object type. */
  typeName: string;
  /** The field name here: an object type at this position is named `typeName + PascalCase(segment)`. */
  segment?: string;
}

function buildFields(
  object: ObjectShape,
  context: FieldContext,
  parent: Parent,
  reserved: ReadonlySet<string>,
): ModelField[] {
  const names = assignGraphQLFieldNames(object.fields.keys(), reserved);
  // The shape keeps its keys in order, so the fields come out sorted by original key.
  return [...object.fields].map(([key, field]) => {
    const name = names.get(key)!;
    const display =
      parent.display === "" ? printVariantKey(key) : `${parent.display}.${printVariantKey(key)}`;
    const at: Parent = {
      path: [...parent.path, key],
      display,
      withinList: parent.withinList,
      typeName: parent.typeName,
      segment: name,
    };
    const type = fieldType(field.shape, key, context, at);
    return {
      key,
      name,
      description: describeField(key, field, context.macroName, parent.display === "" ? undefined : display),
      type,
      path: at.path,
      withinList: parent.withinList,
      variantTypes: field.variantTypes,
      // Mixed kinds in one experiment arrive as VARIANT; different kinds across experiments as several types.
      conflict:
        holdsJson(type) &&
        (field.variantTypes.length > 1 || field.variantTypes.some((t) => t.includes("VARIANT"))),
    };
  });
}

/** A JSON scalar, or a list of them at any depth (where a failed merge leaves its mark). */
function holdsJson(type: ModelFieldType): boolean {
  return type.kind === "list" ? holdsJson(type.of) : type.kind === "scalar" && type.scalar === "JSON";
}

const SCALAR_TYPES: Readonly<Record<Exclude<GraphQLScalarName, "Decimal">, ModelFieldType>> = SCALAR_SHAPES;

function fieldType(shape: OutputShape, key: string, context: FieldContext, at: Parent): ModelFieldType {
  switch (shape.kind) {
    case "void":
      return SCALAR_TYPES.JSON;
    case "scalar":
      // Shapes are never mutated: a Decimal's shape is its field type, digits included.
      return shape.scalar === "Decimal" ? shape : SCALAR_TYPES[shape.scalar];
    case "list":
      return { kind: "list", of: fieldType(shape.of, key, context, listElementOf(at)) };
    case "object": {
      // A GraphQL object type needs at least one field; an empty OBJECT<> stays opaque JSON.
      if (shape.fields.size === 0) return SCALAR_TYPES.JSON;
      const typeName = context.allocateType(`${at.typeName}${pascalCase(at.segment ?? "")}`);
      const object: ObjectModel = {
        typeName,
        description: `The "${key}" object${at.display === printVariantKey(key) ? "" : ` at ${at.display}`} from macro output of ${context.macroName}.`,
        fields: buildFields(shape, context, { ...at, typeName, segment: undefined }, NESTED_RESERVED),
      };
      return { kind: "object", object };
    }
  }
}

function listElementOf(at: Parent): Parent {
  return { ...at, display: `${at.display}[]`, withinList: true };
}

function describeField(
  key: string,
  field: OutputShapeField,
  macroName: string,
  display: string | undefined,
): string {
  // variantTypes are sorted already.
  let types = "";
  for (const [i, text] of field.variantTypes.entries()) {
    types += `${i === 0 ? "" : " | "}${text.length > MAX_TYPE_TEXT_IN_DESCRIPTION ? `${text.slice(0, MAX_TYPE_TEXT_IN_DESCRIPTION)}…` : text}`;
  }
  const location = display === undefined ? "" : ` at ${display}`;
  return `"${key}" (${types})${location} from macro output of ${macroName}.`;
}

/**
 * Whether two models are the same in every property (what a schema generated from one would be for the other
 * too), so a rebuilt catalog can reuse the types it generated for an unchanged macro.
 */
export function sameMacroTypeModel(a: MacroTypeModel, b: MacroTypeModel): boolean {
  return (
    a === b ||
    (a.macroFilename === b.macroFilename &&
      a.macroName === b.macroName &&
      a.fieldName === b.fieldName &&
      a.typeName === b.typeName &&
      a.description === b.description &&
      sameStrings(a.experimentIds, b.experimentIds) &&
      sameFields(a.fields, b.fields) &&
      sameAnswers(a.answers, b.answers))
  );
}

function sameAnswers(a: AnswersModel | null, b: AnswersModel | null): boolean {
  if (a === null || b === null) return a === b;
  return a.typeName === b.typeName && a.description === b.description && sameFields(a.fields, b.fields);
}

function sameFields(a: readonly ModelField[], b: readonly ModelField[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.key !== y.key ||
      x.name !== y.name ||
      x.withinList !== y.withinList ||
      x.description !== y.description ||
      x.conflict !== y.conflict ||
      !sameStrings(x.variantTypes, y.variantTypes) ||
      !sameStrings(x.path, y.path) ||
      !sameFieldType(x.type, y.type)
    ) {
      return false;
    }
  }
  return true;
}

function sameFieldType(a: ModelFieldType, b: ModelFieldType): boolean {
  if (a === b) return true;
  switch (a.kind) {
    case "scalar":
      return (
        b.kind === "scalar" &&
        a.scalar === b.scalar &&
        a.decimal?.precision === b.decimal?.precision &&
        a.decimal?.scale === b.decimal?.scale
      );
    case "list":
      return b.kind === "list" && sameFieldType(a.of, b.of);
    case "object":
      return (
        b.kind === "object" &&
        a.object.typeName === b.object.typeName &&
        a.object.description === b.object.description &&
        sameFields(a.object.fields, b.object.fields)
      );
  }
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
