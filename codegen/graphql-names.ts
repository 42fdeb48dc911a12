/**
 * GraphQL-safe names for catalog keys and macros. Every function is deterministic: the same set of keys yields
 * the same names whatever order they arrive in, so the same catalog always prints the same schema.
 * The rules and their reasons are in README.md.
 */
import { compareVariantKeys } from "./variant-type.js";

export const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
export const MAX_FIELD_NAME_LENGTH = 100;
/** Type names carry the macro's name plus a path, so they get a little more room. */
export const MAX_TYPE_NAME_LENGTH = 128;

/**
 * The fields a normalized client cache keys objects by (Apollo's default `dataIdFromObject` reads `id`, then `_id`):
 * a macro output key must not take them in a generated object type, or the cache would merge unrelated rows' values.
 */
export const CACHE_KEY_FIELD_NAMES: readonly string[] = ["id", "_id"];

/** The fixed fields of `interface Measurement` (and the cache keys): a macro output key must not shadow them. */
export const DEFAULT_RESERVED_MEASUREMENT_FIELD_NAMES: readonly string[] = [
  ...CACHE_KEY_FIELD_NAMES,
  "rowId",
  "experimentId",
  "macroName",
  "macroFilename",
  "timestamp",
  "deviceId",
  "device",
  "contributor",
  "questions",
  "annotations",
  "sample",
  "output",
  "error",
  /** A macro's typed question answers (`<Macro>Answers`), where its catalog has a questions schema. */
  "answers",
];

/** Fields of `Experiment` and `Query` that a per-macro connection field must not take. */
export const DEFAULT_RESERVED_MACRO_FIELD_NAMES: readonly string[] = [
  "id",
  "name",
  "description",
  "visibility",
  "status",
  "freshness",
  "devices",
  "contributors",
  "macros",
  "samples",
  "experiment",
  "experiments",
  "viewer",
  "schemaVersion",
  "node",
];

/** Built-in scalars, root types and the static types a generated type name could otherwise hit. */
export const DEFAULT_RESERVED_TYPE_NAMES: readonly string[] = [
  "String",
  "Int",
  "Float",
  "Boolean",
  "ID",
  "BigInt",
  "Date",
  "DateTime",
  "JSON",
  "Query",
  "Mutation",
  "Subscription",
  "Measurement",
];

/** The fields the schema builder adds next to each macro field (design.md: `photosynthesisAggregate`, …). */
export function defaultDerivedMacroFieldNames(fieldName: string): readonly string[] {
  return [`${fieldName}Aggregate`, `${fieldName}Distinct`];
}

const MACRO_SUFFIX = "Macro";
const INVALID_RUN = /[^_0-9A-Za-z]+/g;
const STARTS_INVALID = /^[^_0-9A-Za-z]/;
const ENDS_INVALID = /[^_0-9A-Za-z]$/;
const STARTS_WITH_DIGIT = /^[0-9]/;

export function isValidGraphQLName(name: string): boolean {
  return GRAPHQL_NAME.test(name) && !name.startsWith("__");
}

/**
 * The name a key would get on its own, before collisions are resolved: the key itself when it is a valid,
 * unreserved GraphQL name, else a readable repair of it. Never empty, never starts with `__`.
 */
export function graphQLFieldNameBase(key: string, reserved: ReadonlySet<string> = new Set()): string {
  if (key === "") return appendIfReserved("_empty", reserved);
  let name = GRAPHQL_NAME.test(key) ? key : replaceInvalidRuns(key);
  // Nothing readable left (e.g. only non-ASCII letters): spell the code points so distinct keys stay distinct.
  if (name === "") name = codePointName(key);
  // `__` is reserved for introspection: move the underscores to the end (`__typename` → `typename_`).
  if (name.startsWith("__")) {
    const rest = name.replace(/^_+/, "");
    name = rest === "" ? codePointName(key) : `${STARTS_WITH_DIGIT.test(rest) ? "_" : ""}${rest}_`;
  }
  if (STARTS_WITH_DIGIT.test(name)) name = `_${name}`;
  return truncate(appendIfReserved(name, reserved), MAX_FIELD_NAME_LENGTH);
}

/**
 * Collision-free field names for the keys of one object. Keys that keep their own spelling claim it first;
 * every other key takes its base name or, if taken, `base_2`, `base_3`, … in sorted order of the original key.
 * Case matters: `Phi2` and `phi2` are distinct GraphQL names and both stay.
 */
export function assignGraphQLFieldNames(
  keys: Iterable<string>,
  reserved: Iterable<string> = [],
): Map<string, string> {
  const reservedSet = reserved instanceof Set ? (reserved as ReadonlySet<string>) : new Set(reserved);
  const sorted = [...new Set(keys)].sort(compareVariantKeys);
  const bases = sorted.map((key) => graphQLFieldNameBase(key, reservedSet));
  const used = new Set<string>();
  sorted.forEach((key, i) => {
    if (bases[i] === key) used.add(key);
  });
  const names = new Map<string, string>();
  sorted.forEach((key, i) => {
    const base = bases[i]!;
    if (base === key) {
      names.set(key, key);
      return;
    }
    const name = firstFree(base, MAX_FIELD_NAME_LENGTH, (n) => used.has(n) || reservedSet.has(n));
    used.add(name);
    names.set(key, name);
  });
  return names;
}

/**
 * `macro_leaf_temperature.py` → `leafTemperature`: drop a `macro_` prefix and a `.py`/`.js`/`.R` extension,
 * camelCase the words that remain.
 */
export function macroFieldNameBase(macroFilename: string): string {
  const stem = macroFilename.replace(/\.(py|js|r)$/i, "");
  let words = splitWords(stem.replace(/^macro_/i, ""));
  if (words.length === 0) words = splitWords(stem);
  if (words.length === 0) {
    if (macroFilename === "") return "_empty";
    return truncate(codePointName(stem === "" ? macroFilename : stem), MAX_FIELD_NAME_LENGTH);
  }
  const [first, ...rest] = words as [string, ...string[]];
  const name = [first.replace(/^[A-Z]+/, (upper) => upper.toLowerCase()), ...rest.map(upperFirst)].join("");
  return truncate(STARTS_WITH_DIGIT.test(name) ? `_${name}` : name, MAX_FIELD_NAME_LENGTH);
}

export interface MacroFieldNameOptions {
  /** Names no macro field (nor its derived fields) may take; a macro that would gets the suffix `Macro`. */
  reserved?: Iterable<string>;
  /** The names the schema builder derives from a macro field name; they are claimed with it. */
  derived?: (fieldName: string) => readonly string[];
}

/**
 * One field name per macro filename, unique together with the names derived from it
 * (`photosynthesis`, `photosynthesisAggregate`, `photosynthesisDistinct`). Collisions get `_2`, `_3`, …
 * in sorted order of the filename.
 */
export function assignMacroFieldNames(
  macroFilenames: Iterable<string>,
  options: MacroFieldNameOptions = {},
): Map<string, string> {
  const reserved = new Set(options.reserved ?? DEFAULT_RESERVED_MACRO_FIELD_NAMES);
  const derived = options.derived ?? defaultDerivedMacroFieldNames;
  const used = new Set<string>();
  const claimed = (name: string) => [name, ...derived(name)];
  const names = new Map<string, string>();
  for (const filename of [...new Set(macroFilenames)].sort(compareVariantKeys)) {
    let base = macroFieldNameBase(filename);
    if (claimed(base).some((n) => reserved.has(n))) {
      base = truncate(base, MAX_FIELD_NAME_LENGTH - MACRO_SUFFIX.length) + MACRO_SUFFIX;
    }
    const name = firstFree(base, MAX_FIELD_NAME_LENGTH, (n) =>
      claimed(n).some((c) => used.has(c) || reserved.has(c)),
    );
    for (const n of claimed(name)) used.add(n);
    names.set(filename, name);
  }
  return names;
}

export interface TypeNameAllocatorOptions {
  reserved?: Iterable<string>;
  /** The type names the schema builder derives from each generated type (connection, edge, where, …). */
  derived?: (typeName: string) => readonly string[];
}

/**
 * Hands out type names unique across the whole schema: a name is free only when neither it nor any name
 * derived from it is taken or reserved. Callers allocate in a deterministic order; taken names get `_2`, `_3`, ….
 */
export class TypeNameAllocator {
  readonly #used = new Set<string>();
  readonly #reserved: ReadonlySet<string>;
  readonly #derived: (typeName: string) => readonly string[];

  constructor(options: TypeNameAllocatorOptions = {}) {
    this.#reserved = new Set(options.reserved ?? DEFAULT_RESERVED_TYPE_NAMES);
    this.#derived = options.derived ?? (() => []);
  }

  allocate(base: string): string {
    return this.#allocate(base, undefined);
  }

  /**
   * Allocates every `[base, name]` in order if each base comes out as that name (as it did in an earlier run);
   * otherwise allocates nothing and returns false.
   */
  allocateAll(expected: readonly (readonly [base: string, name: string])[]): boolean {
    const added: string[] = [];
    for (const [base, name] of expected) {
      if (this.#allocate(base, added) !== name) {
        for (const n of added) this.#used.delete(n);
        return false;
      }
    }
    return true;
  }

  #allocate(base: string, added: string[] | undefined): string {
    if (!isValidGraphQLName(base)) throw new Error(`Not a valid GraphQL type name: ${JSON.stringify(base)}`);
    let derived: readonly string[] = [];
    const name = firstFree(base, MAX_TYPE_NAME_LENGTH, (n) => {
      if (this.#taken(n)) return true;
      derived = this.#derived(n);
      for (const d of derived) if (this.#taken(d)) return true;
      return false;
    });
    this.#used.add(name);
    for (const d of derived) this.#used.add(d);
    if (added) added.push(name, ...derived);
    return name;
  }

  #taken(name: string): boolean {
    return this.#used.has(name) || this.#reserved.has(name);
  }
}

/** `Leaf_Temperature` → `LeafTemperature`: a field name as a segment of a type name. */
export function pascalCase(name: string): string {
  const pascal = name.split("_").filter(Boolean).map(upperFirst).join("");
  return pascal === "" ? "_" : pascal;
}

export function upperFirst(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** `x.y` → `x_y`, `'; drop table` → `drop_table`: invalid runs become `_`, minus those at either end. */
function replaceInvalidRuns(key: string): string {
  let name = key.replace(INVALID_RUN, "_");
  if (STARTS_INVALID.test(key)) name = name.slice(1);
  if (ENDS_INVALID.test(key) && name !== "") name = name.slice(0, -1);
  return name;
}

/** `ΦΨ` → `_u3A6_u3A8` */
function codePointName(text: string): string {
  return `_${[...text].map((ch) => `u${ch.codePointAt(0)!.toString(16).toUpperCase()}`).join("_")}`;
}

function splitWords(text: string): string[] {
  return text.split(/[^0-9A-Za-z]+/).filter((word) => word !== "");
}

function appendIfReserved(name: string, reserved: ReadonlySet<string>): string {
  return reserved.has(name) ? `${name}_` : name;
}

function truncate(name: string, max: number): string {
  return name.length > max ? name.slice(0, max) : name;
}

/**
 * `base`, else `base_2`, `base_3`, … (`id_` → `id_2`, and never `__2`), the base shortened so the suffix fits.
 */
function firstFree(base: string, max: number, taken: (name: string) => boolean): string {
  let name = truncate(base, max);
  for (let i = 2; taken(name); i++) {
    const suffix = base.endsWith("_") ? `${i}` : `_${i}`;
    name = truncate(base, max - suffix.length) + suffix;
  }
  return name;
}
