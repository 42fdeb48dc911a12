/**
 * Assembles a running gateway from configuration: the lakehouse (embedded DuckDB, seeded on first start, or
 * Databricks), the schema registry over the macro catalog, and the token verifier.
 */

import { CachedLakehouse } from "../lakehouse/cached-lakehouse.js";
import { createDatabricksLakehouse } from "../lakehouse/databricks/databricks-lakehouse.js";
import { seedDemo } from "../lakehouse/demo/seed-demo.js";
import { startSimulation } from "../lakehouse/demo/simulate.js";
import { isEmpty, openCentrumDuckDb } from "../lakehouse/duckdb/bootstrap.js";
import type { Lakehouse } from "../lakehouse/lakehouse.js";
import { catalogSourceByName } from "../resolvers/catalog/catalog-source.js";
import { buildGatewaySchemaAsync, catalogFingerprint } from "../schema/build-schema.js";
import { SchemaRegistry } from "../schema/schema-registry.js";
import { createHs256Verifier, type TokenVerifier } from "./auth/jwt.js";
import type { GatewayConfig } from "./config.js";
import { FreshnessWatch } from "./freshness/freshness-watch.js";

export interface GatewayRuntime {
  readonly config: GatewayConfig;
  /** The lakehouse resolvers use (behind the result cache when it is enabled). */
  readonly lakehouse: Lakehouse;
  /** The lakehouse itself, for writers such as the simulation and tests. */
  readonly raw: Lakehouse;
  readonly registry: SchemaRegistry<unknown>;
  readonly verifier: TokenVerifier;
  close(): Promise<void>;
}

export async function createRuntime(
  config: GatewayConfig,
  log: (message: string) => void = (m) => console.log(m),
): Promise<GatewayRuntime> {
  let lakehouse: Lakehouse;
  let stopSimulation: (() => Promise<void>) | null = null;
  if (config.lakehouse === "databricks") {
    lakehouse = createDatabricksLakehouse(config.databricks!);
  } else {
    const duck = await openCentrumDuckDb(config.duckdb.path, { connections: config.duckdb.connections });
    lakehouse = duck;
    if (config.demo.seedIfEmpty && (await isEmpty(duck))) {
      const started = performance.now();
      log(
        `seeding ${config.duckdb.path} with the '${config.demo.preset}' demo preset (seed ${config.demo.seed})…`,
      );
      await seedDemo(duck, { preset: config.demo.preset, seed: config.demo.seed });
      log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    if (config.demo.simulate) {
      const sim = startSimulation(duck, {
        intervalMs: config.demo.simulateIntervalMs,
        seed: config.demo.seed,
      });
      stopSimulation = () => sim.stop();
    }
  }

  const raw = lakehouse;
  let watch: FreshnessWatch | null = null;
  if (config.cache.ttlMs > 0 && config.cache.maxEntries > 0) {
    const cached = new CachedLakehouse(raw, config.cache);
    lakehouse = cached;
    watch = new FreshnessWatch(
      raw,
      (ids) => {
        for (const id of ids) cached.invalidate(id);
      },
      config.freshnessPollMs,
      log,
    );
    watch.start();
  }

  const source = catalogSourceByName(config.catalog.source);
  const registry = new SchemaRegistry({
    loadCatalog: () => source.read(raw),
    fingerprint: (entries) => catalogFingerprint(entries),
    // Built off the request path: the async build yields to the event loop between its steps.
    build: async (entries, version) => {
      const { schema, warnings } = await buildGatewaySchemaAsync({ version, catalog: entries });
      return { schema, warnings };
    },
    pollMs: config.catalog.pollMs,
    log,
  });
  await registry.start();

  return {
    config,
    lakehouse,
    raw,
    registry: registry as SchemaRegistry<unknown>,
    verifier: createHs256Verifier(config.jwt),
    async close() {
      registry.stop();
      watch?.stop();
      await stopSimulation?.();
      await lakehouse.close();
    },
  };
}
