import fc from "fast-check";
import { naturalCompare } from "graphql/jsutils/naturalCompare.js";
import { describe, expect, it } from "vitest";
import { compareNames, naturalKey, sortBySchemaName } from "../../schema/schema-order.js";

/** GraphQL names rich in digit runs, zeros and shared prefixes: where natural order differs from code units. */
const name = fc
  .tuple(
    fc.constantFrom("_", "a", "A", "Z", "Phi", "Generated0"),
    fc.string({ unit: fc.constantFrom("a", "B", "_", "0", "1", "9"), maxLength: 10 }),
    fc.constantFrom("", "1234567890123456789"),
  )
  .map(([start, rest, long]) => start + rest + (rest.length > 8 ? long : ""));

describe("schema order", () => {
  it("compareNames orders as naturalCompare (lexicographicSortSchema's comparator)", () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(Math.sign(compareNames(a, b))).toBe(Math.sign(naturalCompare(a, b)));
      }),
      { numRuns: 20_000 },
    );
  });

  it("natural keys compare as plain strings in naturalCompare's order", () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        const [ka, kb] = [naturalKey(a), naturalKey(b)];
        fc.pre(ka !== undefined && kb !== undefined);
        expect(Math.sign(ka! < kb! ? -1 : ka! > kb! ? 1 : 0)).toBe(Math.sign(naturalCompare(a, b)));
      }),
      { numRuns: 20_000 },
    );
  });

  it("sorts short and long lists of unique names as naturalCompare does", () => {
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 1200 }), (names) => {
        expect(sortBySchemaName([...names], (n) => n)).toEqual([...names].sort(naturalCompare));
      }),
      { numRuns: 60 },
    );
  });
});
