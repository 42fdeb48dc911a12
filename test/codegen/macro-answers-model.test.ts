/**
 * Typed answers in the type model: the catalog's questions schemas (openJII's `questions_schema`) merge across
 * experiments like outputs (numeric widening, conflicts → JSON), labels get GraphQL names by the field name rules,
 * and a catalog without them is exactly what it was.
 */
import { describe, expect, it } from "vitest";
import { buildMacroTypeModels, type CatalogSchemaEntry } from "../../codegen/macro-type-model.js";

const entry = (experimentId: string, questionsSchema: string | null, outputSchema = "OBJECT<Phi2: DOUBLE>") =>
  ({
    experimentId,
    macroName: "Photosynthesis",
    macroFilename: "macro_photosynthesis",
    outputSchema,
    questionsSchema,
  }) satisfies CatalogSchemaEntry;

describe("typed answers in the macro type model", () => {
  it("types each label, merging experiments with numeric widening; a conflict is JSON", () => {
    const { macros, warnings } = buildMacroTypeModels([
      entry("e1", "OBJECT<`leaf count`: INT, plot: STRING, height: DECIMAL(4,1), mixed: STRING>"),
      entry("e2", "OBJECT<`leaf count`: BIGINT, height: DOUBLE, mixed: DOUBLE, `1st visit?`: BOOLEAN>"),
      entry("e3", null),
    ]);
    expect(warnings).toEqual([]);
    const answers = macros[0]!.answers!;
    expect(answers.typeName).toBe("PhotosynthesisAnswers");
    expect(
      answers.fields.map((f) => ({
        key: f.key,
        name: f.name,
        type: f.type,
        conflict: f.conflict,
        path: f.path,
      })),
    ).toEqual([
      {
        key: "1st visit?",
        name: "_1st_visit",
        type: { kind: "scalar", scalar: "Boolean" },
        conflict: false,
        path: ["1st visit?"],
      },
      {
        key: "height",
        name: "height",
        type: { kind: "scalar", scalar: "Float" },
        conflict: false,
        path: ["height"],
      },
      {
        key: "leaf count",
        name: "leaf_count",
        type: { kind: "scalar", scalar: "BigInt" },
        conflict: false,
        path: ["leaf count"],
      },
      {
        key: "mixed",
        name: "mixed",
        type: { kind: "scalar", scalar: "JSON" },
        conflict: true,
        path: ["mixed"],
      },
      {
        key: "plot",
        name: "plot",
        type: { kind: "scalar", scalar: "String" },
        conflict: false,
        path: ["plot"],
      },
    ]);
    expect(answers.fields[2]!.description).toContain('"leaf count"');
    expect(answers.fields[2]!.variantTypes).toEqual(["BIGINT", "INT"]);
  });

  it("has no answers without a questions schema, and keeps the output fields as they were", () => {
    const without = buildMacroTypeModels([entry("e1", null)]).macros[0]!;
    const withAnswers = buildMacroTypeModels([entry("e1", "OBJECT<plot: STRING>")]).macros[0]!;
    expect(without.answers).toBeNull();
    expect(withAnswers.fields).toEqual(without.fields);
    expect(withAnswers.typeName).toBe(without.typeName);
  });

  it("reserves `answers` for the typed answers: an output key of that name is renamed", () => {
    const model = buildMacroTypeModels([entry("e1", null, "OBJECT<answers: DOUBLE>")]).macros[0]!;
    expect(model.fields.map((f) => [f.key, f.name])).toEqual([["answers", "answers_"]]);
  });

  it("skips a questions schema that does not parse or is no OBJECT, with a warning; VOID adds nothing", () => {
    const { macros, warnings } = buildMacroTypeModels([
      entry("e1", "OBJECT<plot: STRNG>"),
      entry("e2", "ARRAY<STRING>"),
      entry("e3", "VOID"),
      entry("e4", "OBJECT<plot: STRING>"),
    ]);
    expect(macros[0]!.answers!.fields.map((f) => f.key)).toEqual(["plot"]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/experiment "e1".*questions_schema skipped/);
    expect(warnings[1]).toMatch(/experiment "e2".*questions_schema is ARRAY<STRING>, not an OBJECT/);
  });

  it("keeps cache keys out of the answers type and an object answer as JSON", () => {
    const model = buildMacroTypeModels([entry("e1", "OBJECT<id: STRING, site: OBJECT<lat: DOUBLE>>")])
      .macros[0]!;
    expect(model.answers!.fields.map((f) => [f.key, f.name, f.type])).toEqual([
      ["id", "id_", { kind: "scalar", scalar: "String" }],
      ["site", "site", { kind: "scalar", scalar: "JSON" }],
    ]);
  });
});
