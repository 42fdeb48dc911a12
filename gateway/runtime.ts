/**
 * Assembles a running gateway from configuration: the lakehouse (embedded DuckDB, seeded on first start, or
 * Databricks), the pub/sub seam, the result cache and the freshness watch that invalidates it through events, the
 * schema builder and registry over the macro catalog, and the token verifier.
 */

import type { GraphQLSchema } from "graphql";
import type { Redis } from "ioredis";
import { CachedLakehouse } from "../lakehouse/cached-lakehouse.js";
import { createDatabricksLakehouse } from "../lakehouse/databricks/databricks-lakehouse.js";
import { seedDemo } from "../lakehouse/demo/seed-demo.js";
import { startSimulation } from "../lakehouse/demo/simulate.js";
import { isEmpty, openCentrumDuckDb, openOpenjiiDuckDb } from "../lakehouse/duckdb/bootstrap.js";
import { DuckDbLakehouse } from "../lakehouse/duckdb/duckdb-lakehouse.js";
import { type ImportOptions, type ImportResult, importFile } from "../lakehouse/import/import-file.js";
import type { Lakehouse } from "../lakehouse/lakehouse.js";
import {
  type AccessRow,
  accessSnapshotStatement,
  CatalogAccess,
  PUBLIC_ACCESS_KEY,
} from "../resolvers/access/catalog-access.js";
import { type CatalogEntry, catalogSourceByName } from "../resolvers/catalog/catalog-source.js";
import { createMemoryPubSub, type GatewayPubSub } from "../resolvers/events/gateway-events.js";
import { StreamHub } from "../resolvers/streams/stream-hub.js";
import { catalogFingerprint, GatewaySchemaBuilder, gatewayContributions } from "../schema/build-schema.js";
import { SchemaRegistry, type SchemaScoping } from "../schema/schema-registry.js";
import { createTokenVerifier, type TokenVerifier } from "./auth/jwt.js";
import type { GatewayConfig } from "./config.js";
import { FreshnessWatch } from "./freshness/freshness-watch.js";
import { connectRedisStreams } from "./streams/redis-streams.js";

/** What the registry loads: the macro catalog, and who may read its experiments. */
interface AccessCatalog {
  readonly entries: readonly CatalogEntry[];
  readonly access: CatalogAccess;
}

/** One access set for everyone: the schema of the whole catalog (a federation subgraph). */
const WHOLE_CATALOG: SchemaScoping<AccessCatalog> = {
  keyOf: () => "*",
  restrict: (catalog) => ({ catalog, version: catalogFingerprint(catalog.entries) }),
  defaultKey: "*",
};

export interface GatewayRuntime {
  readonly config: GatewayConfig;
  /** The lakehouse resolvers use (behind the result cache when it is enabled). */
  readonly lakehouse: Lakehouse;
  /** The lakehouse itself, for writers such as the simulation and tests. */
  readonly raw: Lakehouse;
  readonly registry: SchemaRegistry<unknown>;
  readonly verifier: TokenVerifier;
  /** Events between the parts: `experiment.changed`, `schema.changed`, `annotation.changed`, `stream.rows`. */
  readonly pubsub: GatewayPubSub;
  /** Subscriptions to fresh data: the process's poller and subscribers. */
  readonly streams: StreamHub;
  /** With `REDIS_URL`: the connection and key prefix that processes share (rate limits). */
  readonly redis?: { readonly client: Redis; readonly prefix: string };
  /**
   * Imports while serving (embedded lakehouse only; null on Databricks): the file goes through the same ingest
   * queue as every write, and the catalog, the caches and the streams are refreshed before it resolves, so the
   * import's rows and new typed fields are served by the next request.
   */
  readonly imports: { run(path: string, options: ImportOptions): Promise<ImportResult> } | null;
  /** The schema of the whole catalog (operators: `npm run schema:print`). */
  operatorSchema(): Promise<GraphQLSchema>;
  /** One freshness poll now; resolves with the experiments whose watermark moved (after their events are out). */
  poll(): Promise<string[]>;
  /** One catalog check now; resolves with whether the schema was swapped (after `schema.changed` is out). */
  refresh(): Promise<boolean>;
  close(): Promise<void>;
}

export async function createRuntime(
  config: GatewayConfig,
  log: (message: string) => void = (m) => console.log(m),
): Promise<GatewayRuntime> {
  let lakehouse: Lakehouse;
  let stopSimulation: (() => Promise<void>) | null = null;
  /** Set once the stream hub exists: the simulation's writes are heard at once, not at the next poll. */
  let onIngest: () => void = () => undefined;
  if (config.lakehouse === "databricks") {
    lakehouse = createDatabricksLakehouse(config.databricks!);
  } else {
    const seed = async (duck: DuckDbLakehouse) => {
      if (!config.demo.seedIfEmpty || !(await isEmpty(duck))) return;
      const started = performance.now();
      log(
        `seeding ${config.duckdb.path} with the '${config.demo.preset}' demo preset (seed ${config.demo.seed})…`,
      );
      await seedDemo(duck, { preset: config.demo.preset, seed: config.demo.seed });
      log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    };
    const openjii = config.tableShape === "openjii";
    const duck = openjii
      ? await openOpenjiiDuckDb(config.duckdb.path, { connections: config.duckdb.connections }, seed)
      : await openCentrumDuckDb(config.duckdb.path, { connections: config.duckdb.connections });
    lakehouse = duck;
    if (!openjii) await seed(duck);
    if (openjii && config.demo.simulate) {
      // The production shape's data tables are written by openJII's pipeline, never by the gateway.
      log(
        "simulated ingest is off: TABLE_SHAPE=openjii serves the data tables as openJII's pipeline writes them",
      );
    }
    if (config.demo.simulate && !openjii) {
      const sim = startSimulation(duck, {
        intervalMs: config.demo.simulateIntervalMs,
        seed: config.demo.seed,
        experimentsPerTick: config.demo.simulateExperimentsPerTick,
        onTick: (tick) => {
          // For latency measurements (the subscription bench): when rows stamped `processed` became visible.
          if (config.logLevel === "debug" || config.logLevel === "trace")
            log(`ingest committed: processed=${tick.processedMs} committed=${Date.now()}`);
          onIngest();
        },
      });
      stopSimulation = () => sim.stop();
    }
  }

  const raw = lakehouse;
  // One process: everything in memory. Several: events, the poll lease and subscriber demand through Redis.
  const redis = config.redis
    ? await connectRedisStreams({ ...config.redis, intervalMs: config.streams.pollMs, log })
    : null;
  const pubsub = redis?.pubsub ?? createMemoryPubSub();
  const streams = new StreamHub({
    lakehouse: raw,
    pubsub,
    coordinator: redis?.coordinator,
    intervalMs: config.streams.pollMs,
    bufferSize: config.streams.bufferSize,
    replayLimit: config.streams.replayLimit,
    maxPerCaller: config.streams.perCaller,
    log,
  });
  await streams.start();
  if (config.streams.writePush)
    onIngest = () => void streams.poll().catch((e) => log(`streams: poll failed: ${String(e)}`));
  let watch: FreshnessWatch | null = null;
  if (config.cache.ttlMs > 0 && config.cache.maxEntries > 0) {
    const cached = new CachedLakehouse(raw, config.cache);
    lakehouse = cached;
    // The cache is one subscriber of the watch's events (subscriptions are another).
    await pubsub.subscribe("experiment.changed", ({ experimentIds }) => {
      for (const id of experimentIds) cached.invalidate(id);
    });
    watch = new FreshnessWatch(raw, pubsub, config.freshnessPollMs, log);
    watch.start();
  }

  const source = catalogSourceByName(config.catalog.source);
  const schemas = new GatewaySchemaBuilder(gatewayContributions({ federation: config.federation }));
  const registry = new SchemaRegistry<AccessCatalog>({
    // The catalog and who may read its experiments (each access set is served the schema of what it may read).
    loadCatalog: () =>
      raw.statements.withOrigin("catalog", async () => {
        const entries = await source.read(raw);
        const rows = await raw.query<AccessRow>(accessSnapshotStatement());
        return {
          entries,
          access: new CatalogAccess(
            rows,
            entries.map((e) => e.experimentId),
          ),
        };
      }),
    fingerprint: ({ entries, access }) => `${catalogFingerprint(entries)}:${access.fingerprint}`,
    // A federation router composes one schema for everyone: the subgraph is the whole catalog.
    scoping: config.federation
      ? WHOLE_CATALOG
      : {
          keyOf: ({ access }, viewer) => access.keyOf(viewer),
          restrict: ({ entries, access }, key) => {
            const readable = access.readerOf(key);
            const part = entries.filter((e) => readable(e.experimentId));
            return { catalog: { entries: part, access }, version: catalogFingerprint(part) };
          },
          defaultKey: PUBLIC_ACCESS_KEY,
        },
    maxScopes: config.catalog.accessSets,
    // Built off the request path: the async build yields to the event loop between its steps.
    build: async ({ entries }, version) => {
      const { schema, warnings, models } = await schemas.buildAsync({ version, catalog: entries });
      return { schema, warnings, macros: new Map(models.map((m) => [m.macroFilename, m])) };
    },
    pollMs: config.catalog.pollMs,
    log,
    pubsub,
  });
  await registry.start();

  return {
    config,
    lakehouse,
    raw,
    registry: registry as SchemaRegistry<unknown>,
    verifier: createTokenVerifier(config.jwt),
    pubsub,
    streams,
    redis: redis && config.redis ? { client: redis.commands, prefix: config.redis.prefix } : undefined,
    imports:
      raw instanceof DuckDbLakehouse && config.tableShape === "centrum"
        ? {
            async run(path, options) {
              const result = await importFile(raw, path, options);
              // Visible at once: the new macros' types, fresh cache entries, subscribers told.
              await registry.refresh().catch((e) => log(`import: catalog refresh failed: ${String(e)}`));
              await watch?.poll().catch((e) => log(`import: freshness poll failed: ${String(e)}`));
              await streams.poll().catch((e) => log(`import: stream poll failed: ${String(e)}`));
              return result;
            },
          }
        : null,
    async operatorSchema() {
      if (config.federation) return registry.current.schema;
      return (await registry.schemaForKey(({ access }) => access.everythingKey)).built.schema;
    },
    poll: () => watch?.poll() ?? Promise.resolve([]),
    refresh: () => registry.refresh(),
    async close() {
      registry.stop();
      watch?.stop();
      await streams.stop();
      await pubsub.dispose();
      await stopSimulation?.();
      await lakehouse.close();
    },
  };
}
