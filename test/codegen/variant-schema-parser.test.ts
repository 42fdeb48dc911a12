import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_VARIANT_SCHEMA_DEPTH,
  parseVariantSchema,
  VariantSchemaParseError,
} from "../../codegen/variant-schema-parser.js";
import { printVariantSchema } from "../../codegen/variant-schema-printer.js";
import type { VariantType } from "../../codegen/variant-type.js";
import { normalize, variantType } from "./variant-type-arbitraries.js";

function parseError(text: string): VariantSchemaParseError {
  try {
    parseVariantSchema(text);
  } catch (error) {
    if (error instanceof VariantSchemaParseError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe("parseVariantSchema", () => {
  it("parses the example from design.md", () => {
    const text =
      "OBJECT<`Leaf Temperature`: DECIMAL(4,2), `Light Intensity (PAR)`: DECIMAL(23,3), Phi2: DOUBLE, " +
      "messages: OBJECT<info: ARRAY<STRING>>, trace: ARRAY<DOUBLE>>";
    const expected: VariantType = {
      kind: "object",
      fields: [
        { key: "Leaf Temperature", type: { kind: "decimal", precision: 4, scale: 2 } },
        { key: "Light Intensity (PAR)", type: { kind: "decimal", precision: 23, scale: 3 } },
        { key: "Phi2", type: { kind: "double" } },
        {
          key: "messages",
          type: {
            kind: "object",
            fields: [{ key: "info", type: { kind: "array", element: { kind: "string" } } }],
          },
        },
        { key: "trace", type: { kind: "array", element: { kind: "double" } } },
      ],
    };
    expect(parseVariantSchema(text)).toEqual(expected);
    expect(printVariantSchema(parseVariantSchema(text))).toBe(text);
  });

  it.each([
    ["BOOLEAN", "boolean"],
    ["TINYINT", "tinyint"],
    ["SMALLINT", "smallint"],
    ["INT", "int"],
    ["BIGINT", "bigint"],
    ["FLOAT", "float"],
    ["DOUBLE", "double"],
    ["STRING", "string"],
    ["DATE", "date"],
    ["TIMESTAMP", "timestamp"],
    ["TIMESTAMP_NTZ", "timestamp_ntz"],
    ["BINARY", "binary"],
    ["VOID", "void"],
    ["VARIANT", "variant"],
  ])("parses %s", (text, kind) => {
    expect(parseVariantSchema(text)).toEqual({ kind });
    expect(parseVariantSchema(text.toLowerCase())).toEqual({ kind });
  });

  it("parses DECIMAL(p,s) at the bounds", () => {
    expect(parseVariantSchema("DECIMAL(1,0)")).toEqual({ kind: "decimal", precision: 1, scale: 0 });
    expect(parseVariantSchema("DECIMAL(38,38)")).toEqual({ kind: "decimal", precision: 38, scale: 38 });
    expect(parseVariantSchema("decimal ( 10 , 2 )")).toEqual({ kind: "decimal", precision: 10, scale: 2 });
  });

  it("parses nested arrays and objects, and the empty object", () => {
    expect(parseVariantSchema("ARRAY<ARRAY<OBJECT<>>>")).toEqual({
      kind: "array",
      element: { kind: "array", element: { kind: "object", fields: [] } },
    });
    expect(parseVariantSchema("OBJECT< >")).toEqual({ kind: "object", fields: [] });
    expect(parseVariantSchema("OBJECT<a: OBJECT<b: OBJECT<c: ARRAY<OBJECT<d: VOID>>>>>")).toEqual({
      kind: "object",
      fields: [
        {
          key: "a",
          type: {
            kind: "object",
            fields: [
              {
                key: "b",
                type: {
                  kind: "object",
                  fields: [
                    {
                      key: "c",
                      type: {
                        kind: "array",
                        element: { kind: "object", fields: [{ key: "d", type: { kind: "void" } }] },
                      },
                    },
                  ],
                },
              },
            ],
          },
        },
      ],
    });
  });

  it("accepts any case and whitespace between tokens", () => {
    expect(parseVariantSchema("  object <\n\ta :Int ,`b c`\t:  array< timestamp_ntz > >  ")).toEqual({
      kind: "object",
      fields: [
        { key: "a", type: { kind: "int" } },
        { key: "b c", type: { kind: "array", element: { kind: "timestamp_ntz" } } },
      ],
    });
  });

  it("reads backtick-quoted keys with doubled inner backticks", () => {
    const keys = (text: string) => {
      const type = parseVariantSchema(text);
      return type.kind === "object" ? type.fields.map((f) => f.key) : [];
    };
    expect(keys("OBJECT<`a``b`: INT>")).toEqual(["a`b"]);
    expect(keys("OBJECT<``: INT>")).toEqual([""]);
    expect(keys("OBJECT<````: INT>")).toEqual(["`"]);
    expect(keys("OBJECT<`'; drop table x; --`: STRING>")).toEqual(["'; drop table x; --"]);
    expect(keys("OBJECT<`x.y`: INT, `a: B, c<d>`: INT>")).toEqual(["x.y", "a: B, c<d>"]);
    expect(keys("OBJECT<`ΦPSII`: DOUBLE>")).toEqual(["ΦPSII"]);
    expect(keys(`OBJECT<\`${"k".repeat(300)}\`: INT>`)).toEqual(["k".repeat(300)]);
  });

  it("accepts unquoted keys with characters other than delimiters", () => {
    const type = parseVariantSchema("OBJECT<ΦPSII: DOUBLE, x.y: INT, f(x): STRING, 1st: BOOLEAN, INT: INT>");
    expect(type.kind === "object" && type.fields.map((f) => f.key)).toEqual([
      "ΦPSII",
      "x.y",
      "f(x)",
      "1st",
      "INT",
    ]);
  });

  it.each([
    ["", 0, "a type"],
    ["   ", 3, "a type"],
    ["FOO", 0, "a type"],
    ["DECIMAL", 7, "'(' after DECIMAL"],
    ["DECIMAL(4)", 9, "','"],
    ["DECIMAL(0,0)", 8, "precision from 1 to 38"],
    ["DECIMAL(39,2)", 8, "precision from 1 to 38"],
    ["DECIMAL(4,5)", 10, "scale from 0 to the precision 4"],
    ["DECIMAL(4,-1)", 10, "DECIMAL scale"],
    ["DECIMAL(10000,2)", 8, "precision from 1 to 38"],
    ["ARRAY", 5, "'<' after ARRAY"],
    ["ARRAY<INT", 9, "'>' closing ARRAY"],
    ["ARRAY<>", 6, "a type"],
    ["ARRAY<INT, STRING>", 9, "'>' closing ARRAY"],
    ["OBJECT", 6, "'<' after OBJECT"],
    ["OBJECT<", 7, "an OBJECT key"],
    ["OBJECT<a INT>", 9, "':' after an OBJECT key"],
    ["OBJECT<a: >", 10, "a type"],
    ["OBJECT<a: INT,>", 14, "an OBJECT key"],
    ["OBJECT<a: INT b: INT>", 14, "',' or '>'"],
    ["OBJECT<a: INT, a: DOUBLE>", 15, "not already in this OBJECT"],
    ["OBJECT<`a: INT>", 15, "closing backtick for the key opened at offset 7"],
    ["OBJECT<a: INT>>", 14, "end of input"],
    ["INT STRING", 4, "end of input"],
    ["STRUCT<a: INT>", 0, "a type"],
    ["MAP<STRING, INT>", 0, "a type"],
    ["OBJECT<a: INTEGER>", 10, "a type"],
  ])("rejects %j at offset %i", (text, offset, expected) => {
    const error = parseError(text);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("VariantSchemaParseError");
    expect(error.offset).toBe(offset);
    expect(error.expected).toContain(expected);
    expect(error.message).toContain(`offset ${offset}`);
    expect(error.message).toContain(expected);
  });

  it("rejects nesting deeper than the limit, instead of overflowing the stack", () => {
    const deep = (n: number) => `${"ARRAY<".repeat(n)}INT${">".repeat(n)}`;
    expect(() => parseVariantSchema(deep(MAX_VARIANT_SCHEMA_DEPTH))).not.toThrow();
    expect(parseError(deep(MAX_VARIANT_SCHEMA_DEPTH + 1)).offset).toBe(6 * MAX_VARIANT_SCHEMA_DEPTH);
    expect(parseError(deep(100_000))).toBeInstanceOf(VariantSchemaParseError);
  });

  it("round-trips every printed type (print → parse → deep-equal)", () => {
    fc.assert(
      fc.property(variantType(3), (type) => {
        expect(normalize(parseVariantSchema(printVariantSchema(type)))).toEqual(normalize(type));
      }),
      { numRuns: 500 },
    );
  });

  it("parses printed types again after whitespace and keyword case are varied", () => {
    const loose = fc.record({ spaces: fc.constantFrom(" ", "", "\n\t", "   "), lower: fc.boolean() });
    fc.assert(
      fc.property(variantType(3), loose, (type, { spaces, lower }) => {
        expect(normalize(parseVariantSchema(printLoosely(type, spaces, lower)))).toEqual(normalize(type));
      }),
      { numRuns: 300 },
    );
  });
});

/** A printer with extra whitespace around every token and optionally lower-case keywords. */
function printLoosely(type: VariantType, s: string, lower: boolean): string {
  const kw = (word: string) => (lower ? word.toLowerCase() : word);
  switch (type.kind) {
    case "decimal":
      return `${kw("DECIMAL")}${s}(${s}${type.precision}${s},${s}${type.scale}${s})`;
    case "array":
      return `${kw("ARRAY")}${s}<${s}${printLoosely(type.element, s, lower)}${s}>`;
    case "object": {
      const fields = type.fields.map(
        (f) => `${s}\`${f.key.replaceAll("`", "``")}\`${s}:${s}${printLoosely(f.type, s, lower)}${s}`,
      );
      return `${kw("OBJECT")}${s}<${s}${fields.join(",")}${s}>`;
    }
    default:
      return kw(type.kind.toUpperCase());
  }
}
