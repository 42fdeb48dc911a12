import { describe, expect, it } from "vitest";
import { createMemoryPubSub, type SchemaChanged } from "../../resolvers/events/gateway-events.js";
import {
  type CatalogInputEntry,
  catalogFingerprint,
  GatewaySchemaBuilder,
} from "../../schema/build-schema.js";
import { SchemaRegistry } from "../../schema/schema-registry.js";
import { SMALL_CATALOG } from "./small-catalog.js";

/** One builder, as the runtime has: it keeps the previous catalog's types for the next build. */
const schemas = new GatewaySchemaBuilder();

const pubsub = createMemoryPubSub();

function registryOver(catalogs: (readonly CatalogInputEntry[])[]) {
  let call = 0;
  const logs: string[] = [];
  const registry = new SchemaRegistry<readonly CatalogInputEntry[]>({
    loadCatalog: async () => catalogs[Math.min(call++, catalogs.length - 1)]!,
    fingerprint: catalogFingerprint,
    build: async (catalog, version) => {
      const { schema, warnings, models } = await schemas.buildAsync({ version, catalog });
      return { schema, warnings, macros: new Map(models.map((m) => [m.macroFilename, m])) };
    },
    pollMs: 60_000,
    log: (m) => logs.push(m),
    pubsub,
  });
  return { registry, logs };
}

describe("SchemaRegistry", () => {
  it("swaps to an asynchronously built schema when the catalog changes, and only then", async () => {
    const smaller = SMALL_CATALOG.filter((e) => e.macroFilename !== "macro_flags.js");
    const { registry } = registryOver([SMALL_CATALOG, SMALL_CATALOG, smaller]);
    const seen: SchemaChanged[] = [];
    await pubsub.subscribe("schema.changed", (change) => seen.push(change));

    expect(await registry.refresh()).toBe(true);
    const first = registry.current;
    expect(first.schema.getType("FlagsMeasurement")).toBeDefined();
    expect(await registry.refresh()).toBe(false);
    expect(registry.current).toBe(first);

    expect(await registry.refresh()).toBe(true);
    expect(registry.current.schema.getType("FlagsMeasurement")).toBeUndefined();
    expect(seen.map((c) => c.version)).toEqual([
      catalogFingerprint(SMALL_CATALOG),
      catalogFingerprint(smaller),
    ]);
    expect(seen[0]).toMatchObject({ previousVersion: null, changed: [], removed: [] });
    expect(seen[0]!.added).toContain("macro_flags.js");
    expect(seen[1]).toEqual({
      version: catalogFingerprint(smaller),
      previousVersion: catalogFingerprint(SMALL_CATALOG),
      added: [],
      changed: [],
      removed: ["macro_flags.js"],
    });
  });

  it("publishes a changed macro as changed, and unchanged ones not at all", async () => {
    const retyped = SMALL_CATALOG.map((e) =>
      e.macroFilename === "macro_flags.js" ? { ...e, outputSchema: "OBJECT<note: STRING, x: INT>" } : e,
    );
    const { registry } = registryOver([SMALL_CATALOG, retyped]);
    const seen: SchemaChanged[] = [];
    await pubsub.subscribe("schema.changed", (change) => seen.push(change));
    await registry.refresh();
    await registry.refresh();
    expect(seen.at(-1)).toMatchObject({ added: [], changed: ["macro_flags.js"], removed: [] });
  });

  it("answers a refresh asked during a refresh with a fresh run, and shares it between callers", async () => {
    const smaller = SMALL_CATALOG.filter((e) => e.macroFilename !== "macro_flags.js");
    const { registry } = registryOver([SMALL_CATALOG, smaller, smaller]);
    const first = registry.refresh();
    const [a, b, c] = await Promise.all([first, registry.refresh(), registry.refresh()]);
    // The second and third calls came during the first load: they share one load that started after it.
    expect([a, b, c]).toEqual([true, true, true]);
    expect(registry.current.schema.getType("FlagsMeasurement")).toBeUndefined();
    expect(await registry.refresh()).toBe(false);
  });
});
