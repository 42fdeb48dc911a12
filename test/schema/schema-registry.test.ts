import { describe, expect, it } from "vitest";
import {
  buildGatewaySchemaAsync,
  type CatalogInputEntry,
  catalogFingerprint,
} from "../../schema/build-schema.js";
import { SchemaRegistry } from "../../schema/schema-registry.js";
import { SMALL_CATALOG } from "./small-catalog.js";

function registryOver(catalogs: (readonly CatalogInputEntry[])[]) {
  let call = 0;
  const logs: string[] = [];
  const registry = new SchemaRegistry<readonly CatalogInputEntry[]>({
    loadCatalog: async () => catalogs[Math.min(call++, catalogs.length - 1)]!,
    fingerprint: catalogFingerprint,
    build: async (catalog, version) => {
      const { schema, warnings } = await buildGatewaySchemaAsync({ version, catalog });
      return { schema, warnings };
    },
    pollMs: 60_000,
    log: (m) => logs.push(m),
  });
  return { registry, logs };
}

describe("SchemaRegistry", () => {
  it("swaps to an asynchronously built schema when the catalog changes, and only then", async () => {
    const smaller = SMALL_CATALOG.filter((e) => e.macroFilename !== "macro_flags.js");
    const { registry } = registryOver([SMALL_CATALOG, SMALL_CATALOG, smaller]);
    const seen: string[] = [];
    registry.onChange((built) => seen.push(built.version));

    expect(await registry.refresh()).toBe(true);
    const first = registry.current;
    expect(first.schema.getType("FlagsMeasurement")).toBeDefined();
    expect(await registry.refresh()).toBe(false);
    expect(registry.current).toBe(first);

    expect(await registry.refresh()).toBe(true);
    expect(registry.current.schema.getType("FlagsMeasurement")).toBeUndefined();
    expect(seen).toEqual([catalogFingerprint(SMALL_CATALOG), catalogFingerprint(smaller)]);
  });

  it("shares one build between concurrent refreshes", async () => {
    const { registry } = registryOver([SMALL_CATALOG]);
    const [a, b] = await Promise.all([registry.refresh(), registry.refresh()]);
    expect([a, b]).toEqual([true, true]);
    expect(registry.ready).toBe(true);
  });
});
