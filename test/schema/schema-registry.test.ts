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

  describe("with one schema per access set", () => {
    const E1 = SMALL_CATALOG[0]!.experimentId;
    const experimentsOf = (key: string) => (key === "" ? [] : key.split(","));
    function scopedOver(catalogs: (readonly CatalogInputEntry[])[], maxScopes = 8) {
      let call = 0;
      const builds: string[] = [];
      const events = createMemoryPubSub();
      const registry = new SchemaRegistry<readonly CatalogInputEntry[]>({
        loadCatalog: async () => catalogs[Math.min(call++, catalogs.length - 1)]!,
        fingerprint: catalogFingerprint,
        // A viewer's user id names the experiments they may read ("" for none, "a,b" for two).
        scoping: {
          keyOf: (_catalog, viewer) => viewer.userId ?? "",
          restrict: (catalog, key) => {
            const part = catalog.filter((e) => experimentsOf(key).includes(e.experimentId));
            return { catalog: part, version: catalogFingerprint(part) };
          },
          defaultKey: "",
        },
        maxScopes,
        build: async (catalog, version) => {
          builds.push(version);
          const { schema, warnings, models } = await schemas.buildAsync({ version, catalog });
          return { schema, warnings, macros: new Map(models.map((m) => [m.macroFilename, m])) };
        },
        pollMs: 60_000,
        pubsub: events,
      });
      return { registry, builds, events };
    }
    const viewer = (userId: string) => ({ userId, name: null });
    const E2 = SMALL_CATALOG.find((e) => e.experimentId !== E1)!.experimentId;

    it("builds each access set's part of the catalog once, and shares a type a macro has in both", async () => {
      const { registry, builds } = scopedOver([SMALL_CATALOG]);
      await registry.refresh();
      const one = (await registry.schemaFor(viewer(E2))).built;
      const both = (await registry.schemaFor(viewer(`${E1},${E2}`))).built;
      const again = registry.schemaFor(viewer(E2));
      expect(again).not.toBeInstanceOf(Promise);
      expect((again as { built: unknown }).built).toBe(one);
      expect(builds).toHaveLength(3); // the default (empty) set, E1, both
      expect(registry.current.schema.getType("FlagsMeasurement")).toBeUndefined();
      // macro_flags.js runs in E2 only: the same merge, so the same generated type in both schemas.
      expect(one.schema.getType("FlagsMeasurement")).toBeDefined();
      expect(both.schema.getType("FlagsMeasurement")).toBe(one.schema.getType("FlagsMeasurement"));
    });

    it("rebuilds the sets in use before a swap and tells each set of its own change only", async () => {
      const retyped = SMALL_CATALOG.map((e) =>
        e.macroFilename === "macro_flags.js" ? { ...e, outputSchema: "OBJECT<note: STRING, x: INT>" } : e,
      );
      const { registry, events } = scopedOver([SMALL_CATALOG, retyped]);
      await registry.refresh();
      await registry.schemaFor(viewer(E2));
      await registry.schemaFor(viewer(E1));
      const seen: SchemaChanged[] = [];
      await events.subscribe("schema.changed", (c) => seen.push(c));
      expect(await registry.refresh()).toBe(true);
      // E2 runs the retyped macro, E1 does not; the empty set sees nothing.
      expect(seen.map((c) => [c.scope, c.changed])).toEqual([[E2, ["macro_flags.js"]]]);
      expect(registry.schemaFor(viewer(E2))).not.toBeInstanceOf(Promise);
    });

    it("lets go of the least recently used sets past the bound, but not of a retained one", async () => {
      const { registry } = scopedOver([SMALL_CATALOG], 2);
      await registry.refresh();
      const first = await registry.schemaFor(viewer(E1));
      const release = first.scope.retain();
      await registry.schemaFor(viewer(E2));
      await registry.schemaFor(viewer(`${E1},${E2}`));
      await registry.schemaFor(viewer(`${E2},${E1}`));
      // The default set and the retained one stay, and the bound holds for the rest.
      expect(registry.scopeCount).toBeLessThanOrEqual(3);
      expect(registry.schemaFor(viewer(E1))).not.toBeInstanceOf(Promise);
      release();
      await registry.schemaFor(viewer(E2));
      await registry.schemaFor(viewer(`${E1},${E2}`));
      expect(registry.schemaFor(viewer(E1))).toBeInstanceOf(Promise);
    });
  });
});
