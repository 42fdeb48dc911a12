/** fast-check generators for VARIANT type trees with hostile keys, shared by the codegen property tests. */
import fc from "fast-check";
import { PRIMITIVE_KINDS, type VariantType } from "../../codegen/variant-type.js";

/** Characters that break naive printers, parsers and name mangling. */
const HOSTILE_UNITS = [
  "a",
  "Z",
  "_",
  "0",
  "9",
  "`",
  " ",
  "Φ",
  "é",
  "😀",
  ".",
  "'",
  ";",
  "(",
  ")",
  ":",
  ",",
  "<",
  ">",
  "\n",
  '"',
  "\\",
  "-",
];

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom(...HOSTILE_UNITS), maxLength: 8 }),
  fc.constantFrom("", "INT", "OBJECT", "a`b", "``", "__typename", "id", "Phi2", "phi2", "x".repeat(300)),
);

export const primitiveType: fc.Arbitrary<VariantType> = fc
  .constantFrom(...PRIMITIVE_KINDS)
  .map((kind) => ({ kind }));

export const decimalType: fc.Arbitrary<VariantType> = fc
  .integer({ min: 1, max: 38 })
  .chain((precision) =>
    fc.integer({ min: 0, max: precision }).map((scale) => ({ kind: "decimal", precision, scale })),
  );

export function objectOf(type: fc.Arbitrary<VariantType>, maxFields = 5): fc.Arbitrary<VariantType> {
  return fc
    .uniqueArray(fc.record({ key: hostileKey, type }), {
      selector: (field) => field.key,
      maxLength: maxFields,
    })
    .map((fields) => ({ kind: "object", fields }));
}

export function variantType(depth = 3): fc.Arbitrary<VariantType> {
  const leaf = fc.oneof(primitiveType, decimalType);
  if (depth === 0) return leaf;
  const inner = variantType(depth - 1);
  return fc.oneof(
    leaf,
    inner.map((element): VariantType => ({ kind: "array", element })),
    objectOf(inner),
  );
}

/** Object fields in key order, recursively: the order a schema string carries no meaning for. */
export function normalize(type: VariantType): VariantType {
  if (type.kind === "array") return { kind: "array", element: normalize(type.element) };
  if (type.kind === "object") {
    return {
      kind: "object",
      fields: [...type.fields]
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map((field) => ({ key: field.key, type: normalize(field.type) })),
    };
  }
  return type;
}
