import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildMacroTypeModels,
  type CatalogSchemaEntry,
  MacroTypeModelBuilder,
  type MacroTypeModelOptions,
} from "../../codegen/macro-type-model.js";
import { printVariantSchema } from "../../codegen/variant-schema-printer.js";
import { objectOf, variantType } from "../codegen/variant-type-arbitraries.js";

const OPTIONS: MacroTypeModelOptions = {
  reservedTypeNames: ["Query", "Experiment"],
  derivedTypeNames: (t) => [`${t}Where`, `${t}Connection`],
};

/** Catalog entries over a few macro files and experiments, so names collide and macros merge. */
const entry: fc.Arbitrary<CatalogSchemaEntry> = fc.record({
  experimentId: fc.constantFrom("e1", "e2", "e3"),
  macroName: fc.constantFrom("Photosynthesis", "Leaf temp", "photo synthesis"),
  macroFilename: fc.constantFrom("macro_a", "macro_a.py", "macro_b", "b", "macro_id", "samples"),
  outputSchema: fc.oneof(
    objectOf(variantType(2), 4).map(printVariantSchema),
    fc.constantFrom("OBJECT<x: OBJECT<y: INT>>", "OBJECT<B: OBJECT<c: DOUBLE>>", "DOUBLE", "VOID", "OBJECT<"),
  ),
});
const catalog = fc.array(entry, { maxLength: 8 });

describe("MacroTypeModelBuilder", () => {
  it("gives what buildMacroTypeModels gives, whatever it built before", () => {
    fc.assert(
      fc.property(fc.array(catalog, { minLength: 2, maxLength: 5 }), (catalogs) => {
        const builder = new MacroTypeModelBuilder(OPTIONS);
        for (const entries of catalogs) {
          expect(builder.build(entries)).toEqual(buildMacroTypeModels(entries, OPTIONS));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the model objects of unchanged macros, and only those", () => {
    const a = {
      experimentId: "e1",
      macroName: "A",
      macroFilename: "macro_a",
      outputSchema: "OBJECT<x: OBJECT<y: INT>>",
    };
    const b = {
      experimentId: "e1",
      macroName: "B",
      macroFilename: "macro_b",
      outputSchema: "OBJECT<z: DOUBLE>",
    };
    const builder = new MacroTypeModelBuilder(OPTIONS);
    const first = builder.build([a, b]).macros;
    const second = builder.build([a, { ...b, outputSchema: "OBJECT<z: DOUBLE, w: STRING>" }]).macros;
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
  });

  it("models a macro again when a name it had is taken by another macro now", () => {
    const a = {
      experimentId: "e1",
      macroName: "A",
      macroFilename: "macro_a",
      outputSchema: "OBJECT<a: OBJECT<y: INT>, b_measurement: OBJECT<w: INT>>",
    };
    const builder = new MacroTypeModelBuilder(OPTIONS);
    const [before] = builder.build([a]).macros;
    const nestedNames = (m: typeof before) =>
      m!.fields.map((f) => (f.type.kind === "object" ? f.type.object.typeName : ""));
    expect(nestedNames(before)).toEqual(["AMeasurementA", "AMeasurementBMeasurement"]);
    // `macro_a_measurement_b`'s own type is `AMeasurementBMeasurement` now: `macro_a`'s second nested type becomes
    // `…_2`, and its first keeps its name (the names taken while checking are given back).
    const b = {
      ...a,
      macroName: "B",
      macroFilename: "macro_a_measurement_b",
      outputSchema: "OBJECT<q: INT>",
    };
    const after = builder.build([a, b]).macros;
    expect(after[0]).not.toBe(before);
    expect(nestedNames(after[0])).toEqual(["AMeasurementA", "AMeasurementBMeasurement_2"]);
    expect(after).toEqual(buildMacroTypeModels([a, b], OPTIONS).macros);
  });
});
