import { lexicographicSortSchema, printSchema, validateSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { type CatalogInputEntry, GatewaySchemaBuilder } from "../../schema/build-schema.js";
import { SMALL_CATALOG } from "./small-catalog.js";

/** One builder, as the runtime has: it keeps the previous catalog's types for the next build. */
const schemas = new GatewaySchemaBuilder();

const sdl = (catalog: readonly CatalogInputEntry[]) =>
  printSchema(lexicographicSortSchema(schemas.build({ version: "test", catalog }).schema));

/** A deterministic shuffle (the order of catalog rows must never show in the schema). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("buildGatewaySchema", () => {
  it("prints the pinned SDL for a small catalog", async () => {
    await expect(sdl(SMALL_CATALOG)).toMatchFileSnapshot("../fixtures/schema/small-catalog.graphql");
  });

  it("builds a valid schema and reports the skipped entries", () => {
    const built = schemas.build({ version: "test", catalog: SMALL_CATALOG });
    expect(validateSchema(built.schema)).toEqual([]);
    expect(built.models.map((m) => m.macroFilename)).toEqual([
      "macro_flags.js",
      "macro_hostile",
      "macro_photosynthesis.py",
      "macro_samples",
      "macro_scalar",
      "macro_void",
    ]);
    expect(built.warnings).toHaveLength(3);
  });

  it("is deterministic: a shuffled catalog gives the same SDL", () => {
    const expected = sdl(SMALL_CATALOG);
    for (const seed of [1, 2, 3]) expect(sdl(shuffled(SMALL_CATALOG, seed))).toBe(expected);
  });

  it("serves types, fields, arguments and enum values in lexicographic order (as introspection lists them)", () => {
    const { schema } = schemas.build({ version: "test", catalog: SMALL_CATALOG });
    expect(printSchema(schema)).toBe(printSchema(lexicographicSortSchema(schema)));
    expect(Object.keys(schema.getTypeMap())).toEqual(
      Object.keys(lexicographicSortSchema(schema).getTypeMap()),
    );
  });

  it("reuses the types of unchanged macros in the next build, and only those", () => {
    const first = schemas.build({ version: "1", catalog: SMALL_CATALOG });
    const changed = SMALL_CATALOG.map((e) =>
      e.macroFilename === "macro_flags.js"
        ? { ...e, outputSchema: "OBJECT<note: STRING, ok: BOOLEAN, x: INT>" }
        : e,
    );
    const second = schemas.build({ version: "2", catalog: changed });
    expect(validateSchema(second.schema)).toEqual([]);
    expect(second.schema.getType("HostileMeasurement")).toBe(first.schema.getType("HostileMeasurement"));
    expect(second.schema.getType("FlagsMeasurement")).not.toBe(first.schema.getType("FlagsMeasurement"));
    // Types that gain per-catalog fields are the schema's own.
    expect(second.schema.getType("Experiment")).not.toBe(first.schema.getType("Experiment"));
    expect(printSchema(lexicographicSortSchema(second.schema))).toBe(sdl(changed));
    // The first schema is unaffected by the second build.
    expect(validateSchema(first.schema)).toEqual([]);
    expect(printSchema(lexicographicSortSchema(first.schema))).toBe(sdl(SMALL_CATALOG));
  });

  it("answers schemaVersion and the catalog per schema", () => {
    const first = schemas.build({ version: "one", catalog: SMALL_CATALOG });
    const second = schemas.build({ version: "two", catalog: SMALL_CATALOG.slice(0, 2) });
    const resolve = (built: typeof first, field: string) =>
      // biome-ignore lint/suspicious/noExplicitAny: calling a root resolver directly
      (built.schema.getQueryType()!.getFields()[field]!.resolve as any)(null, {}, null, null);
    expect(resolve(first, "schemaVersion")).toBe("one");
    expect(resolve(second, "schemaVersion")).toBe("two");
    expect(resolve(second, "macros").map((m: { macroFilename: string }) => m.macroFilename)).toEqual([
      "macro_photosynthesis.py",
    ]);
  });

  it("builds the same schema asynchronously, letting the event loop run in between", async () => {
    let turns = 0;
    let running = true;
    const spin = () => {
      turns++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const built = await schemas.buildAsync({ version: "test", catalog: shuffled(SMALL_CATALOG, 4) });
    running = false;
    expect(turns).toBeGreaterThan(1);
    expect(printSchema(lexicographicSortSchema(built.schema))).toBe(sdl(SMALL_CATALOG));
  });
});
