import fc from "fast-check";
import { assertName } from "graphql";
import { describe, expect, it } from "vitest";
import {
  assignGraphQLFieldNames,
  assignMacroFieldNames,
  DEFAULT_RESERVED_MEASUREMENT_FIELD_NAMES,
  graphQLFieldNameBase,
  isValidGraphQLName,
  MAX_FIELD_NAME_LENGTH,
  macroFieldNameBase,
  pascalCase,
  TypeNameAllocator,
} from "../../codegen/graphql-names.js";
import { hostileKey } from "./variant-type-arbitraries.js";

const RESERVED = new Set(DEFAULT_RESERVED_MEASUREMENT_FIELD_NAMES);

describe("graphQLFieldNameBase", () => {
  it.each([
    ["Phi2", "Phi2"],
    ["phi2", "phi2"],
    ["_private", "_private"],
    ["a`b", "a_b"],
    ["x.y", "x_y"],
    ["'; drop table", "drop_table"],
    ["Light Intensity (PAR)", "Light_Intensity_PAR"],
    ["Fv/Fm", "Fv_Fm"],
    ["__typename", "typename_"],
    ["__schema", "schema_"],
    ["_.x", "x_"],
    ["_é", "_"],
    ["1st", "_1st"],
    [".1st", "_1st"],
    ["__1", "_1_"],
    ["ΦPSII", "PSII"],
    ["ΦΨ", "_u3A6_u3A8"],
    ["__", "_u5F_u5F"],
    ["", "_empty"],
    ["a😀b", "a_b"],
  ])("%j → %s", (key, name) => {
    expect(graphQLFieldNameBase(key)).toBe(name);
  });

  it("suffixes names of the measurement interface with _", () => {
    expect(graphQLFieldNameBase("id", RESERVED)).toBe("id_");
    expect(graphQLFieldNameBase("output", RESERVED)).toBe("output_");
    expect(graphQLFieldNameBase("ID", RESERVED)).toBe("ID");
    expect(graphQLFieldNameBase("id")).toBe("id");
  });

  it("limits long keys to the maximum length", () => {
    const name = graphQLFieldNameBase("k ".repeat(150));
    expect(name.length).toBe(MAX_FIELD_NAME_LENGTH);
    expect(isValidGraphQLName(name)).toBe(true);
  });
});

describe("assignGraphQLFieldNames", () => {
  it("keeps case-only differences: they are distinct GraphQL names", () => {
    expect(assignGraphQLFieldNames(["phi2", "Phi2"])).toEqual(
      new Map([
        ["Phi2", "Phi2"],
        ["phi2", "phi2"],
      ]),
    );
  });

  it("gives keys that map to the same name suffixes in sorted key order", () => {
    expect(assignGraphQLFieldNames(["x.y", "x y"])).toEqual(
      new Map([
        ["x y", "x_y"],
        ["x.y", "x_y_2"],
      ]),
    );
  });

  it("lets a key that is already valid keep its name", () => {
    expect(assignGraphQLFieldNames(["x.y", "x y", "x_y", "x_y_2"])).toEqual(
      new Map([
        ["x y", "x_y_3"],
        ["x.y", "x_y_4"],
        ["x_y", "x_y"],
        ["x_y_2", "x_y_2"],
      ]),
    );
  });

  it("renames reserved keys around real keys with the same spelling", () => {
    expect(assignGraphQLFieldNames(["id", "id_"], RESERVED)).toEqual(
      new Map([
        ["id", "id_2"],
        ["id_", "id_"],
      ]),
    );
  });

  it("keeps 300-character keys distinct within the length limit", () => {
    const a = "a".repeat(300);
    const b = `${"a".repeat(299)}b`;
    const names = assignGraphQLFieldNames([a, b]);
    expect(names.get(a)).toBe("a".repeat(100));
    expect(names.get(b)).toBe(`${"a".repeat(98)}_2`);
  });

  it("names the hostile keys of the brief validly and uniquely", () => {
    const keys = [
      "a`b",
      "x.y",
      "'; drop table",
      "__typename",
      "1st",
      "ΦPSII",
      "",
      "q".repeat(300),
      "Phi2",
      "phi2",
    ];
    const names = assignGraphQLFieldNames([...keys, "id"], RESERVED);
    expect(Object.fromEntries(names)).toEqual({
      "a`b": "a_b",
      "x.y": "x_y",
      "'; drop table": "drop_table",
      __typename: "typename_",
      "1st": "_1st",
      ΦPSII: "PSII",
      "": "_empty",
      ["q".repeat(300)]: "q".repeat(100),
      Phi2: "Phi2",
      phi2: "phi2",
      id: "id_",
    });
  });

  it("always yields valid, unique, bounded names, whatever the keys and their order", () => {
    fc.assert(
      fc.property(fc.uniqueArray(hostileKey, { maxLength: 30 }), fc.boolean(), (keys, useReserved) => {
        const reserved = useReserved ? RESERVED : new Set<string>();
        const names = assignGraphQLFieldNames(keys, reserved);
        const values = [...names.values()];
        expect(names.size).toBe(keys.length);
        expect(new Set(values).size).toBe(values.length);
        for (const name of values) {
          expect(() => assertName(name)).not.toThrow();
          expect(name.startsWith("__")).toBe(false);
          expect(name.length).toBeLessThanOrEqual(MAX_FIELD_NAME_LENGTH);
          expect(reserved.has(name)).toBe(false);
        }
        expect(assignGraphQLFieldNames([...keys].reverse(), reserved)).toEqual(names);
      }),
      { numRuns: 500 },
    );
  });
});

describe("macro field names", () => {
  it.each([
    ["macro_photosynthesis", "photosynthesis"],
    ["macro_leaf_temperature", "leafTemperature"],
    ["macro_leaf_temperature.py", "leafTemperature"],
    ["macro_spad.R", "spad"],
    ["macro_spad.js", "spad"],
    ["Macro_PAR_sensor.py", "parSensor"],
    ["photosynthesis", "photosynthesis"],
    ["macro_Phi2", "phi2"],
    ["macro_1st_pass", "_1stPass"],
    ["macro_fv/fm v2", "fvFmV2"],
    ["macro_", "macro"],
    ["ΦΨ.py", "_u3A6_u3A8"],
    ["", "_empty"],
  ])("%j → %s", (filename, name) => {
    expect(macroFieldNameBase(filename)).toBe(name);
  });

  it("suffixes reserved names with Macro and collisions with _2 in filename order", () => {
    const names = assignMacroFieldNames([
      "macro_samples",
      "macro_leaf.temperature.py",
      "macro_leaf_temperature",
      "macro_photosynthesis_aggregate",
      "macro_photosynthesis",
      "macro_node",
    ]);
    expect(names).toEqual(
      new Map([
        ["macro_leaf.temperature.py", "leafTemperature"],
        ["macro_leaf_temperature", "leafTemperature_2"],
        ["macro_node", "nodeMacro"],
        // `photosynthesisAggregate` is the aggregate field of `photosynthesis`.
        ["macro_photosynthesis", "photosynthesis"],
        ["macro_photosynthesis_aggregate", "photosynthesisAggregate_2"],
        ["macro_samples", "samplesMacro"],
      ]),
    );
  });

  it("accepts reserved names and derived names from the schema builder", () => {
    const names = assignMacroFieldNames(["macro_viewer", "macro_stats"], {
      reserved: ["viewer", "statsTotals"],
      derived: (f) => [`${f}Totals`],
    });
    expect(names).toEqual(
      new Map([
        ["macro_stats", "statsMacro"],
        ["macro_viewer", "viewerMacro"],
      ]),
    );
  });
});

describe("TypeNameAllocator", () => {
  it("hands out unique names with deterministic suffixes, avoiding reserved and derived names", () => {
    const types = new TypeNameAllocator({ derived: (t) => [`${t}Connection`] });
    expect(types.allocate("PhotosynthesisMeasurement")).toBe("PhotosynthesisMeasurement");
    expect(types.allocate("PhotosynthesisMeasurement")).toBe("PhotosynthesisMeasurement_2");
    expect(types.allocate("PhotosynthesisMeasurementConnection")).toBe(
      "PhotosynthesisMeasurementConnection_2",
    );
    expect(types.allocate("JSON")).toBe("JSON_2");
    expect(types.allocate("Measurement")).toBe("Measurement_2");
    expect(() => types.allocate("1st")).toThrow(/valid GraphQL type name/);
  });

  it("pascal-cases field names for type names", () => {
    expect(pascalCase("Leaf_Temperature")).toBe("LeafTemperature");
    expect(pascalCase("messages")).toBe("Messages");
    expect(pascalCase("_1st")).toBe("1st");
    expect(pascalCase("_")).toBe("_");
  });
});
