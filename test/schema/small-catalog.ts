/**
 * A small catalog that exercises every branch of the schema build: a macro merged over two experiments (numeric
 * widening, a conflict that becomes JSON, a key only one experiment has), hostile keys, nested objects, lists of
 * objects and of lists, a macro without numeric fields, reserved and colliding names, and entries that are
 * skipped or dropped (null, unparseable, VOID, not an OBJECT).
 */
import { printVariantSchema } from "../../codegen/variant-schema-printer.js";
import { compareVariantKeys, type VariantType } from "../../codegen/variant-type.js";
import type { CatalogInputEntry } from "../../schema/build-schema.js";

function object(fields: Record<string, VariantType>): VariantType {
  return {
    kind: "object",
    fields: Object.entries(fields)
      .map(([key, type]) => ({ key, type }))
      .sort((a, b) => compareVariantKeys(a.key, b.key)),
  };
}

const DOUBLE: VariantType = { kind: "double" };
const STRING: VariantType = { kind: "string" };
const INT: VariantType = { kind: "int" };
const BOOLEAN: VariantType = { kind: "boolean" };

const E1 = "00000000-0000-4000-8000-000000000001";
const E2 = "00000000-0000-4000-8000-000000000002";

export const SMALL_CATALOG: readonly CatalogInputEntry[] = [
  {
    experimentId: E1,
    macroName: "Photosynthesis RIDES",
    macroFilename: "macro_photosynthesis.py",
    outputSchema:
      "OBJECT<`Leaf Temperature`: DECIMAL(4,2), `Light Intensity (PAR)`: DECIMAL(23,3), Phi2: DOUBLE, " +
      "count: INT, messages: OBJECT<info: ARRAY<STRING>>, mixed: STRING, trace: ARRAY<DOUBLE>>",
  },
  {
    experimentId: E2,
    macroName: "Photosynthesis RIDES",
    macroFilename: "macro_photosynthesis.py",
    outputSchema: printVariantSchema(
      object({
        Phi2: DOUBLE,
        count: { kind: "bigint" },
        mixed: INT,
        measured_at: { kind: "timestamp" },
        messages: object({
          info: { kind: "array", element: STRING },
          warning: { kind: "array", element: STRING },
        }),
      }),
    ),
  },
  {
    experimentId: E1,
    macroName: "Hostile Keys",
    macroFilename: "macro_hostile",
    outputSchema: printVariantSchema(
      object({
        "a`b": DOUBLE,
        "x.y": STRING,
        "'; drop table experiments; --": INT,
        __typename: STRING,
        "1st": BOOLEAN,
        ΦPSII: DOUBLE,
        "": DOUBLE,
        Phi2: DOUBLE,
        phi2: DOUBLE,
        id: STRING,
        question: DOUBLE,
        _and: STRING,
        true: DOUBLE,
        day: { kind: "date" },
        raw: { kind: "variant" },
        nothing: { kind: "void" },
        empty: object({}),
        grid: { kind: "array", element: { kind: "array", element: DOUBLE } },
        items: {
          kind: "array",
          element: object({ k: STRING, n: INT, deeper: object({ z: BOOLEAN }) }),
        },
        nested: object({ "inner key": STRING, "a`b": INT, deeper: object({ x: { kind: "smallint" } }) }),
      }),
    ),
  },
  {
    experimentId: E2,
    macroName: "Flags",
    macroFilename: "macro_flags.js",
    outputSchema: printVariantSchema(object({ ok: BOOLEAN, note: STRING })),
  },
  {
    experimentId: E1,
    macroName: "Samples",
    macroFilename: "macro_samples",
    outputSchema: printVariantSchema(object({ n: INT })),
  },
  { experimentId: E1, macroName: "Only nulls", macroFilename: "macro_void", outputSchema: "VOID" },
  { experimentId: E1, macroName: "Scalar output", macroFilename: "macro_scalar", outputSchema: "DOUBLE" },
  { experimentId: E1, macroName: "Broken", macroFilename: "macro_broken", outputSchema: "OBJECT<a: NOPE>" },
  { experimentId: E2, macroName: "Not yet run", macroFilename: "macro_pending", outputSchema: null },
];
