import fc from "fast-check";
import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInt,
  GraphQLList,
  GraphQLObjectType,
  type GraphQLOutputType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  validateSchema,
} from "graphql";
import { describe, expect, it } from "vitest";
import { DEFAULT_RESERVED_MEASUREMENT_FIELD_NAMES } from "../../codegen/graphql-names.js";
import {
  buildMacroTypeModels,
  type CatalogSchemaEntry,
  type GraphQLScalarName,
  type MacroTypeModel,
  type ModelField,
  type ModelFieldType,
  macroCatalogFingerprint,
} from "../../codegen/macro-type-model.js";
import { printVariantSchema } from "../../codegen/variant-schema-printer.js";
import { type FieldCast, variantCastOf } from "../../lakehouse/variant-casts.js";
import { hostileKey, objectOf, variantType } from "./variant-type-arbitraries.js";

const DESIGN_EXAMPLE =
  "OBJECT<`Leaf Temperature`: DECIMAL(4,2), `Light Intensity (PAR)`: DECIMAL(23,3), Phi2: DOUBLE, " +
  "messages: OBJECT<info: ARRAY<STRING>>, trace: ARRAY<DOUBLE>>";

function entry(
  experimentId: string,
  outputSchema: string,
  macroFilename = "macro_photosynthesis",
): CatalogSchemaEntry {
  return { experimentId, macroName: "Photosynthesis RIDES", macroFilename, outputSchema };
}

function onlyMacro(entries: CatalogSchemaEntry[]): MacroTypeModel {
  const { macros } = buildMacroTypeModels(entries);
  expect(macros).toHaveLength(1);
  return macros[0]!;
}

function field(fields: ModelField[], key: string): ModelField {
  const found = fields.find((f) => f.key === key);
  if (found === undefined) throw new Error(`no field ${JSON.stringify(key)}`);
  return found;
}

const scalar = (name: GraphQLScalarName): ModelFieldType => ({ kind: "scalar", scalar: name });
const decimal = (precision: number, scale: number): ModelFieldType => ({
  kind: "scalar",
  scalar: "Decimal",
  decimal: { precision, scale },
});

/** The GraphQL type of one key after merging the given schemas of `OBJECT<v: …>` across experiments. */
function mergedTypeOf(...valueTypes: string[]): { type: ModelFieldType; sqlType: FieldCast } {
  const macro = onlyMacro(valueTypes.map((t, i) => entry(`e${i}`, `OBJECT<v: ${t}>`)));
  const v = field(macro.fields, "v");
  return { type: v.type, sqlType: variantCastOf(v.type) };
}

describe("buildMacroTypeModels", () => {
  it("models the design.md example", () => {
    const macro = onlyMacro([entry("exp-1", DESIGN_EXAMPLE)]);
    expect(macro).toMatchObject({
      macroFilename: "macro_photosynthesis",
      macroName: "Photosynthesis RIDES",
      fieldName: "photosynthesis",
      typeName: "PhotosynthesisMeasurement",
      experimentIds: ["exp-1"],
    });
    expect(macro.fields.map((f) => [f.key, f.name, variantCastOf(f.type)])).toEqual([
      ["Leaf Temperature", "Leaf_Temperature", "double"],
      // 23 digits are more than a double holds: an exact Decimal, read as DECIMAL(38,3).
      ["Light Intensity (PAR)", "Light_Intensity_PAR", { decimal: 3 }],
      ["Phi2", "Phi2", "double"],
      ["messages", "messages", "json"],
      ["trace", "trace", { list: "double" }],
    ]);
    expect(field(macro.fields, "Light Intensity (PAR)").description).toBe(
      `"Light Intensity (PAR)" (DECIMAL(23,3)) from macro output of Photosynthesis RIDES.`,
    );
    expect(field(macro.fields, "trace").type).toEqual({ kind: "list", of: scalar("Float") });

    const messages = field(macro.fields, "messages");
    expect(messages.type.kind === "object" && messages.type.object).toEqual({
      typeName: "PhotosynthesisMeasurementMessages",
      description: `The "messages" object from macro output of Photosynthesis RIDES.`,
      fields: [
        {
          key: "info",
          name: "info",
          description: `"info" (ARRAY<STRING>) at messages.info from macro output of Photosynthesis RIDES.`,
          type: { kind: "list", of: scalar("String") },
          path: ["messages", "info"],
          withinList: false,
          variantTypes: ["ARRAY<STRING>"],
          conflict: false,
        },
      ],
    });
  });

  it.each([
    [["BOOLEAN"], scalar("Boolean"), "boolean"],
    [["TINYINT"], scalar("Int"), "bigint"],
    [["SMALLINT"], scalar("Int"), "bigint"],
    [["INT"], scalar("Int"), "bigint"],
    [["BIGINT"], scalar("BigInt"), "bigint"],
    [["FLOAT"], scalar("Float"), "double"],
    [["DOUBLE"], scalar("Float"), "double"],
    [["DECIMAL(10,2)"], scalar("Float"), "double"],
    [["DECIMAL(15,4)"], scalar("Float"), "double"],
    [["DECIMAL(16,4)"], decimal(16, 4), { decimal: 4 }],
    [["DECIMAL(38,10)"], decimal(38, 10), { decimal: 10 }],
    // Decimals merge to enough integer digits for both and the larger scale; integers count as 10 and 20 digits.
    [["DECIMAL(20,2)", "DECIMAL(30,10)"], decimal(30, 10), { decimal: 10 }],
    [["DECIMAL(36,2)", "DECIMAL(38,10)"], decimal(38, 4), { decimal: 4 }],
    [["DECIMAL(20,10)", "INT"], decimal(20, 10), { decimal: 10 }],
    [["DECIMAL(20,10)", "BIGINT"], decimal(30, 10), { decimal: 10 }],
    [["DECIMAL(20,2)", "DOUBLE"], scalar("Float"), "double"],
    // A narrow DECIMAL (a Float alone) merged with a wide one or a BIGINT is exact again.
    [["DECIMAL(20,2)", "DECIMAL(4,3)"], decimal(21, 3), { decimal: 3 }],
    [["DECIMAL(10,2)", "DECIMAL(12,4)"], scalar("Float"), "double"],
    [["INT", "DECIMAL(4,2)"], scalar("Float"), "double"],
    [["DECIMAL(20,2)", "STRING"], scalar("JSON"), "json"],
    [["ARRAY<DECIMAL(20,2)>"], { kind: "list", of: decimal(20, 2) }, { list: { decimal: 2 } }],
    [["STRING"], scalar("String"), "string"],
    [["DATE"], scalar("Date"), "date"],
    [["TIMESTAMP"], scalar("DateTime"), "timestamp"],
    [["TIMESTAMP_NTZ"], scalar("DateTime"), "timestamp"],
    [["BINARY"], scalar("JSON"), "json"],
    [["VOID"], scalar("JSON"), "json"],
    [["VARIANT"], scalar("JSON"), "json"],
    [["OBJECT<>"], scalar("JSON"), "json"],
    [["INT", "DOUBLE"], scalar("Float"), "double"],
    [["INT", "BIGINT"], scalar("BigInt"), "bigint"],
    [["SMALLINT", "TINYINT"], scalar("Int"), "bigint"],
    [["BIGINT", "DECIMAL(4,2)"], decimal(22, 2), { decimal: 2 }],
    [["VOID", "DOUBLE"], scalar("Float"), "double"],
    [["TIMESTAMP", "TIMESTAMP_NTZ"], scalar("DateTime"), "timestamp"],
    [["DATE", "TIMESTAMP"], scalar("JSON"), "json"],
    [["STRING", "INT"], scalar("JSON"), "json"],
    [["BOOLEAN", "STRING"], scalar("JSON"), "json"],
    [["OBJECT<a: INT>", "INT"], scalar("JSON"), "json"],
    [["ARRAY<INT>", "STRING"], scalar("JSON"), "json"],
    [["ARRAY<INT>", "ARRAY<BIGINT>"], { kind: "list", of: scalar("BigInt") }, { list: "bigint" }],
    [["ARRAY<DATE>"], { kind: "list", of: scalar("Date") }, { list: "date" }],
    [["ARRAY<BOOLEAN>"], { kind: "list", of: scalar("Boolean") }, { list: "boolean" }],
    [["ARRAY<TIMESTAMP>"], { kind: "list", of: scalar("DateTime") }, { list: "timestamp" }],
    [["ARRAY<INT>", "ARRAY<STRING>"], { kind: "list", of: scalar("JSON") }, "json"],
    [["ARRAY<VARIANT>"], { kind: "list", of: scalar("JSON") }, "json"],
    [["ARRAY<ARRAY<DOUBLE>>"], { kind: "list", of: { kind: "list", of: scalar("Float") } }, "json"],
  ] as const)("%j → %j read as %j", (types, type, sqlType) => {
    expect(mergedTypeOf(...types)).toEqual({ type, sqlType });
  });

  it("merges objects across experiments by key, widening numbers", () => {
    const macro = onlyMacro([
      entry("e2", "OBJECT<Phi2: BIGINT, messages: OBJECT<warn: STRING>, `ΦPSII`: INT>"),
      entry("e1", DESIGN_EXAMPLE),
    ]);
    expect(macro.experimentIds).toEqual(["e1", "e2"]);
    expect(macro.fields.map((f) => f.key)).toEqual([
      "Leaf Temperature",
      "Light Intensity (PAR)",
      "Phi2",
      "messages",
      "trace",
      "ΦPSII",
    ]);
    const phi2 = field(macro.fields, "Phi2");
    expect(phi2.type).toEqual(scalar("Float"));
    expect(phi2.description).toBe(`"Phi2" (BIGINT | DOUBLE) from macro output of Photosynthesis RIDES.`);
    // Widening is not a conflict: both types fit Float.
    expect([phi2.conflict, phi2.variantTypes]).toEqual([false, ["BIGINT", "DOUBLE"]]);
    const messages = field(macro.fields, "messages");
    expect(messages.type.kind === "object" && messages.type.object.fields.map((f) => f.name)).toEqual([
      "info",
      "warn",
    ]);
    expect(field(macro.fields, "ΦPSII").name).toBe("PSII");
  });

  it("types objects inside lists and marks their fields as read from the list", () => {
    const macro = onlyMacro([entry("e1", "OBJECT<points: ARRAY<OBJECT<`t s`: TIMESTAMP, x: INT>>>")]);
    const points = field(macro.fields, "points");
    expect(variantCastOf(points.type)).toBe("json");
    expect(points.type.kind).toBe("list");
    if (points.type.kind !== "list" || points.type.of.kind !== "object") throw new Error("expected [object]");
    const element = points.type.of.object;
    expect(element.typeName).toBe("PhotosynthesisMeasurementPoints");
    expect(element.fields).toEqual([
      {
        key: "t s",
        name: "t_s",
        description: '"t s" (TIMESTAMP) at points[].`t s` from macro output of Photosynthesis RIDES.',
        type: scalar("DateTime"),
        path: ["points", "t s"],
        withinList: true,
        variantTypes: ["TIMESTAMP"],
        conflict: false,
      },
      {
        key: "x",
        name: "x",
        description: `"x" (INT) at points[].x from macro output of Photosynthesis RIDES.`,
        type: scalar("Int"),
        path: ["points", "x"],
        withinList: true,
        variantTypes: ["INT"],
        conflict: false,
      },
    ]);
  });

  it("renames keys that clash with the measurement interface at the top level, and cache keys at every level", () => {
    const macro = onlyMacro([
      entry(
        "e1",
        "OBJECT<_id: INT, id: INT, meta: OBJECT<_id: INT, id: STRING, output: INT>, output: STRING, rowId: INT>",
      ),
    ]);
    expect(macro.fields.map((f) => f.name)).toEqual(["_id_", "id_", "meta", "output_", "rowId_"]);
    expect(field(macro.fields, "id").path).toEqual(["id"]);
    const meta = field(macro.fields, "meta");
    // A nested object is a value inside its measurement: no `id`/`_id` a normalized cache would key it by.
    expect(meta.type.kind === "object" && meta.type.object.fields.map((f) => f.name)).toEqual([
      "_id_",
      "id_",
      "output",
    ]);
  });

  it("names hostile keys validly and keeps every original key in its description", () => {
    const keys = [
      "a`b",
      "x.y",
      "'; drop table",
      "__typename",
      "1st",
      "ΦPSII",
      "",
      "k".repeat(300),
      "Phi2",
      "phi2",
    ];
    const schema = `OBJECT<${keys.map((k) => `\`${k.replaceAll("`", "``")}\`: STRING`).join(", ")}, \`x y\`: INT>`;
    const macro = onlyMacro([entry("e1", schema)]);
    const names = Object.fromEntries(macro.fields.map((f) => [f.key, f.name]));
    expect(names).toEqual({
      "": "_empty",
      "'; drop table": "drop_table",
      "1st": "_1st",
      Phi2: "Phi2",
      __typename: "typename_",
      "a`b": "a_b",
      phi2: "phi2",
      ["k".repeat(300)]: "k".repeat(100),
      "x y": "x_y",
      "x.y": "x_y_2",
      ΦPSII: "PSII",
    });
    for (const f of macro.fields) {
      expect(f.description).toContain(`"${f.key}"`);
      expect(f.path).toEqual([f.key]);
    }
  });

  it("names macros from their filenames, avoiding reserved and colliding names", () => {
    const { macros } = buildMacroTypeModels([
      entry("e1", "OBJECT<a: INT>", "macro_leaf_temperature.py"),
      entry("e1", "OBJECT<a: INT>", "macro_samples.R"),
      entry("e1", "OBJECT<a: INT>", "macro_leaf_temperature.js"),
      entry("e1", "OBJECT<a: INT>", "macro_spad"),
    ]);
    expect(macros.map((m) => [m.macroFilename, m.fieldName, m.typeName])).toEqual([
      ["macro_leaf_temperature.js", "leafTemperature", "LeafTemperatureMeasurement"],
      ["macro_leaf_temperature.py", "leafTemperature_2", "LeafTemperature_2Measurement"],
      ["macro_samples.R", "samplesMacro", "SamplesMacroMeasurement"],
      ["macro_spad", "spad", "SpadMeasurement"],
    ]);
  });

  it("takes extra reserved names and derived type names from the schema builder", () => {
    const { macros } = buildMacroTypeModels([entry("e1", "OBJECT<connection: OBJECT<a: INT>, extra: INT>")], {
      reservedFieldNames: ["photosynthesis"],
      reservedMeasurementFieldNames: ["extra"],
      reservedTypeNames: ["PhotosynthesisMacroMeasurement"],
      derivedTypeNames: (t) => [`${t}Connection`],
    });
    const macro = macros[0]!;
    expect(macro.fieldName).toBe("photosynthesisMacro");
    expect(macro.typeName).toBe("PhotosynthesisMacroMeasurement_2");
    expect(macro.fields.map((f) => f.name)).toEqual(["connection", "extra_"]);
    const connection = field(macro.fields, "connection");
    // `PhotosynthesisMacroMeasurement_2Connection` is the builder's connection type for the macro.
    expect(connection.type.kind === "object" && connection.type.object.typeName).toBe(
      "PhotosynthesisMacroMeasurement_2Connection_2",
    );
  });

  it("skips an unparseable schema with a warning and keeps the experiments that parse", () => {
    const { macros, warnings } = buildMacroTypeModels([
      entry("e1", "OBJECT<a: INT>"),
      entry("e2", "OBJECT<a: STRUCT<b: INT>>"),
      entry("e3", "OBJECT<b: STRING>"),
    ]);
    expect(macros).toHaveLength(1);
    expect(macros[0]!.experimentIds).toEqual(["e1", "e3"]);
    expect(macros[0]!.fields.map((f) => f.key)).toEqual(["a", "b"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('experiment "e2"');
    expect(warnings[0]).toContain('macro "macro_photosynthesis"');
    expect(warnings[0]).toContain("offset 10");
  });

  it("drops a macro without any parseable schema, with a warning", () => {
    const { macros, warnings } = buildMacroTypeModels([
      entry("e1", "OBJECT<a: INT>", "macro_good"),
      entry("e1", "not a schema", "macro_bad"),
      entry("e2", "", "macro_bad"),
    ]);
    expect(macros.map((m) => m.macroFilename)).toEqual(["macro_good"]);
    expect(warnings).toHaveLength(3);
    expect(warnings[2]).toBe('macro "macro_bad": no experiment has a parseable output_schema; macro dropped');
  });

  it("keeps a macro whose outputs are not objects, without typed fields", () => {
    const { macros, warnings } = buildMacroTypeModels([entry("e1", "ARRAY<DOUBLE>"), entry("e2", "VOID")]);
    expect(macros[0]!.fields).toEqual([]);
    expect(macros[0]!.experimentIds).toEqual(["e1", "e2"]);
    expect(warnings).toEqual([
      'experiment "e1", macro "macro_photosynthesis": output_schema is ARRAY<DOUBLE>, not an OBJECT; it adds no typed fields',
    ]);
  });

  it("picks the macro name most experiments use", () => {
    const macro = onlyMacro([
      { ...entry("e1", "OBJECT<>"), macroName: "Photosynthesis (old)" },
      { ...entry("e2", "OBJECT<>"), macroName: "Photosynthesis" },
      { ...entry("e3", "OBJECT<>"), macroName: "Photosynthesis" },
    ]);
    expect(macro.macroName).toBe("Photosynthesis");
    // An exact repeat of an entry is one vote, not two: a tie, won by the name that sorts first.
    const old = { ...entry("e1", "OBJECT<>"), macroName: "Photosynthesis (old)" };
    expect(onlyMacro([old, old, { ...entry("e2", "OBJECT<>"), macroName: "A" }]).macroName).toBe("A");
  });

  it("gives every object type a unique name across macros", () => {
    const { macros } = buildMacroTypeModels([
      entry("e1", "OBJECT<b: OBJECT<c: INT>, b_c: INT, bC: OBJECT<x: INT>>", "macro_a"),
      entry("e1", "OBJECT<c: OBJECT<x: INT>>", "macro_a_b"),
    ]);
    expect(allTypeNames(macros)).toEqual([
      "AMeasurement",
      "AMeasurementB",
      "AMeasurementBC",
      "ABMeasurement",
      "ABMeasurementC",
    ]);
  });

  it("is deterministic: shuffled entries give the identical model", () => {
    const catalog = catalogArbitrary();
    fc.assert(
      fc.property(
        catalog.chain((entries) =>
          fc.tuple(fc.constant(entries), fc.shuffledSubarray(entries, { minLength: entries.length })),
        ),
        ([entries, shuffled]) => {
          expect(buildMacroTypeModels(shuffled)).toEqual(buildMacroTypeModels(entries));
          expect(macroCatalogFingerprint(shuffled)).toBe(macroCatalogFingerprint(entries));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("always yields a valid GraphQL schema", () => {
    fc.assert(
      fc.property(catalogArbitrary(), (entries) => {
        const { macros } = buildMacroTypeModels(entries);
        const errors = validateSchema(schemaOf(macros));
        expect(errors.map((e) => e.message)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

describe("macroCatalogFingerprint", () => {
  const entries = [entry("e1", DESIGN_EXAMPLE), entry("e2", "OBJECT<a: INT>", "macro_spad")];

  it("is a sha256 hex digest independent of entry order and duplicates", () => {
    const fingerprint = macroCatalogFingerprint(entries);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(macroCatalogFingerprint([...entries].reverse())).toBe(fingerprint);
    expect(macroCatalogFingerprint([...entries, entries[0]!])).toBe(fingerprint);
  });

  it("changes when any part of an entry changes", () => {
    const fingerprint = macroCatalogFingerprint(entries);
    const changed = [
      [{ ...entries[0]!, outputSchema: "OBJECT<a: BIGINT>" }, entries[1]!],
      [{ ...entries[0]!, macroName: "Other" }, entries[1]!],
      [{ ...entries[0]!, experimentId: "e3" }, entries[1]!],
      [{ ...entries[0]!, macroFilename: "macro_x" }, entries[1]!],
      [entries[0]!],
    ];
    for (const catalog of changed) expect(macroCatalogFingerprint(catalog)).not.toBe(fingerprint);
  });
});

/** Catalogs of a few macros over a few experiments, with hostile keys and now and then a broken schema. */
function catalogArbitrary(): fc.Arbitrary<CatalogSchemaEntry[]> {
  const schema = fc.oneof(
    { weight: 6, arbitrary: objectOf(variantType(2), 8).map(printVariantSchema) },
    { weight: 1, arbitrary: fc.constantFrom("VOID", "ARRAY<INT>", "OBJECT<a: INT", "", "OBJECT<id: INT>") },
  );
  const filename = fc.oneof(
    fc.constantFrom(
      "macro_photosynthesis",
      "macro_photosynthesis.py",
      "macro_samples",
      "macro_leaf_temperature",
    ),
    hostileKey,
  );
  return fc.uniqueArray(
    fc.record({
      experimentId: fc.constantFrom("e1", "e2", "e3"),
      macroName: fc.constantFrom("Photosynthesis", "Leaf temperature"),
      macroFilename: filename,
      outputSchema: schema,
    }),
    { maxLength: 8, selector: (e) => `${e.experimentId}\u0000${e.macroFilename}` },
  );
}

function allTypeNames(macros: MacroTypeModel[]): string[] {
  const names: string[] = [];
  const visit = (type: ModelFieldType): void => {
    if (type.kind === "list") visit(type.of);
    if (type.kind === "object") {
      names.push(type.object.typeName);
      for (const f of type.object.fields) visit(f.type);
    }
  };
  for (const macro of macros) {
    names.push(macro.typeName);
    for (const f of macro.fields) visit(f.type);
  }
  return names;
}

/**
 * A stand-in for the schema builder: one object type per macro with the measurement interface's fields plus
 * the typed fields, and connection-like fields on Query. graphql-js rejects invalid names; duplicates are
 * checked here because a field map would silently overwrite them.
 */
function schemaOf(macros: MacroTypeModel[]): GraphQLSchema {
  const custom = (name: string) => new GraphQLScalarType({ name });
  const scalars: Record<GraphQLScalarName, GraphQLScalarType> = {
    Int: GraphQLInt,
    Float: GraphQLFloat,
    String: GraphQLString,
    Boolean: GraphQLBoolean,
    BigInt: custom("BigInt"),
    Decimal: custom("Decimal"),
    Date: custom("Date"),
    DateTime: custom("DateTime"),
    JSON: custom("JSON"),
  };
  const typeNames = new Set<string>();
  const objectType = (name: string, description: string, fields: ModelField[], base: string[]) => {
    expect(typeNames.has(name)).toBe(false);
    typeNames.add(name);
    const names = [...base, ...fields.map((f) => f.name)];
    expect(new Set(names).size).toBe(names.length);
    return new GraphQLObjectType({
      name,
      description,
      fields: Object.fromEntries([
        ...base.map((n) => [n, { type: GraphQLString }]),
        ...fields.map((f) => [f.name, { type: outputType(f.type), description: f.description }]),
      ]),
    });
  };
  const outputType = (type: ModelFieldType): GraphQLOutputType => {
    switch (type.kind) {
      case "scalar":
        return scalars[type.scalar];
      case "list":
        return new GraphQLList(outputType(type.of));
      case "object":
        return objectType(type.object.typeName, type.object.description, type.object.fields, []);
    }
  };
  const queryFields = macros.flatMap((m) => {
    const type = objectType(m.typeName, m.description, m.fields, [
      ...DEFAULT_RESERVED_MEASUREMENT_FIELD_NAMES,
    ]);
    return [m.fieldName, `${m.fieldName}Aggregate`, `${m.fieldName}Distinct`].map(
      (n) => [n, { type }] as const,
    );
  });
  const rootNames = queryFields.map(([n]) => n);
  expect(new Set(rootNames).size).toBe(rootNames.length);
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: "Query",
      fields: { schemaVersion: { type: GraphQLString }, ...Object.fromEntries(queryFields) },
    }),
  });
}

describe("type conflicts", () => {
  it("marks a key as a conflict when the types seen merge only to JSON, and says which types", () => {
    const macro = onlyMacro([
      entry("e1", "OBJECT<a: INT, b: ARRAY<INT>, c: VARIANT, d: OBJECT<>>"),
      entry("e2", "OBJECT<a: STRING, b: ARRAY<STRING>>"),
    ]);
    const of = (key: string) => {
      const f = field(macro.fields, key);
      return [f.conflict, f.variantTypes];
    };
    expect(of("a")).toEqual([true, ["INT", "STRING"]]);
    expect(of("b")).toEqual([true, ["ARRAY<INT>", "ARRAY<STRING>"]]);
    // Mixed kinds within one experiment's rows arrive as VARIANT.
    expect(of("c")).toEqual([true, ["VARIANT"]]);
    // An empty object is opaque JSON by nature, not by a conflict.
    expect(of("d")).toEqual([false, ["OBJECT<>"]]);
  });
});
