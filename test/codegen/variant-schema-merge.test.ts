import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeVariantTypes } from "../../codegen/variant-schema-merge.js";
import { parseVariantSchema } from "../../codegen/variant-schema-parser.js";
import { printVariantSchema } from "../../codegen/variant-schema-printer.js";
import { normalize, variantType } from "./variant-type-arbitraries.js";

/** Merge two schema strings, print the result: the cases read like the catalog does. */
function merge(a: string, b: string): string {
  return printVariantSchema(mergeVariantTypes(parseVariantSchema(a), parseVariantSchema(b)));
}

describe("mergeVariantTypes", () => {
  it.each([
    ["VOID", "DOUBLE", "DOUBLE"],
    ["ARRAY<INT>", "VOID", "ARRAY<INT>"],
    ["VOID", "VOID", "VOID"],
    ["TINYINT", "SMALLINT", "SMALLINT"],
    ["SMALLINT", "INT", "INT"],
    ["BIGINT", "TINYINT", "BIGINT"],
    ["INT", "INT", "INT"],
    ["TINYINT", "DECIMAL(2,1)", "DECIMAL(4,1)"],
    ["INT", "DECIMAL(4,2)", "DECIMAL(12,2)"],
    ["BIGINT", "DECIMAL(4,2)", "DECIMAL(22,2)"],
    ["DECIMAL(4,2)", "DECIMAL(23,3)", "DECIMAL(23,3)"],
    ["DECIMAL(10,0)", "DECIMAL(5,5)", "DECIMAL(15,5)"],
    ["DECIMAL(38,0)", "DECIMAL(38,38)", "DOUBLE"],
    ["BIGINT", "DECIMAL(38,20)", "DOUBLE"],
    ["FLOAT", "FLOAT", "FLOAT"],
    ["FLOAT", "DOUBLE", "DOUBLE"],
    ["FLOAT", "INT", "DOUBLE"],
    ["DECIMAL(4,2)", "FLOAT", "DOUBLE"],
    ["DOUBLE", "BIGINT", "DOUBLE"],
    ["STRING", "INT", "VARIANT"],
    ["BOOLEAN", "TINYINT", "VARIANT"],
    ["DATE", "TIMESTAMP", "VARIANT"],
    ["TIMESTAMP", "TIMESTAMP_NTZ", "VARIANT"],
    ["BINARY", "STRING", "VARIANT"],
    ["VARIANT", "INT", "VARIANT"],
    ["OBJECT<a: INT>", "INT", "VARIANT"],
    ["ARRAY<INT>", "OBJECT<a: INT>", "VARIANT"],
    ["ARRAY<INT>", "ARRAY<DOUBLE>", "ARRAY<DOUBLE>"],
    ["ARRAY<VOID>", "ARRAY<STRING>", "ARRAY<STRING>"],
    ["ARRAY<INT>", "ARRAY<STRING>", "ARRAY<VARIANT>"],
    [
      "OBJECT<b: INT, `x y`: STRING>",
      "OBJECT<a: DOUBLE, b: BIGINT>",
      "OBJECT<a: DOUBLE, b: BIGINT, `x y`: STRING>",
    ],
    [
      "OBJECT<m: OBJECT<z: VOID>>",
      "OBJECT<m: OBJECT<a: DATE, z: STRING>>",
      "OBJECT<m: OBJECT<a: DATE, z: STRING>>",
    ],
    ["OBJECT<>", "OBJECT<a: INT>", "OBJECT<a: INT>"],
  ])("%s + %s = %s", (a, b, expected) => {
    expect(merge(a, b)).toBe(expected);
    expect(merge(b, a)).toBe(expected);
  });

  it("is commutative, idempotent, and has VOID as identity", () => {
    fc.assert(
      fc.property(variantType(3), variantType(3), (a, b) => {
        expect(normalize(mergeVariantTypes(a, b))).toEqual(normalize(mergeVariantTypes(b, a)));
        expect(normalize(mergeVariantTypes(a, a))).toEqual(normalize(a));
        expect(mergeVariantTypes(a, { kind: "void" })).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });

  it("merges into a type that still prints and parses", () => {
    fc.assert(
      fc.property(variantType(3), variantType(3), (a, b) => {
        const merged = mergeVariantTypes(a, b);
        expect(normalize(parseVariantSchema(printVariantSchema(merged)))).toEqual(normalize(merged));
      }),
      { numRuns: 200 },
    );
  });
});
