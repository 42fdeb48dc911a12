/**
 * Configuration, read and validated once at start-up into a typed object. Nothing else reads `process.env`.
 * Every variable is listed in the README's configuration table.
 */
import { z } from "zod";
import type { DatabricksConfig } from "../lakehouse/databricks/databricks-lakehouse.js";
import { TABLE_SHAPES, type TableShape } from "../lakehouse/table-shapes.js";
import { DEFAULT_MAX_GROUPS } from "../resolvers/measurements/compile-aggregate.js";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** The default secret: fine on a laptop, refused in production. */
const DEVELOPMENT_JWT_SECRET = "centrum-gateway-development-secret-change-me";

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default("127.0.0.1"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LAKEHOUSE: z.enum(["duckdb", "databricks"]).default("duckdb"),
  DUCKDB_PATH: z.string().default("data/centrum.duckdb"),
  DUCKDB_CONNECTIONS: z.coerce.number().int().min(1).max(64).default(4),
  DEMO_PRESET: z.enum(["ci", "demo", "bench"]).default("demo"),
  DEMO_SEED: z.coerce.number().int().default(42),
  SEED_IF_EMPTY: bool.default(true),
  SIMULATE: bool.default(true),
  SIMULATE_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
  SIMULATE_EXPERIMENTS_PER_TICK: z.coerce.number().int().min(0).default(0),
  JWT_SECRET: z.string().min(16).default(DEVELOPMENT_JWT_SECRET),
  JWT_ISSUER: z.string().default("centrum-gateway"),
  JWT_AUDIENCE: z.string().default("centrum"),
  JWT_JWKS_URL: z.string().url().optional(),
  JWT_CLOCK_SKEW_S: z.coerce.number().int().min(0).max(600).default(30),
  JWT_MAX_AGE_S: z.coerce.number().int().min(1).optional(),
  CATALOG_POLL_MS: z.coerce.number().int().min(50).default(30_000),
  FRESHNESS_POLL_MS: z.coerce.number().int().min(50).default(2_000),
  ADMIN_ENDPOINTS: z.enum(["loopback", "any", "off"]).default("loopback"),
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 * 1024 * 1024),
  SCHEMA_ACCESS_SETS: z.coerce.number().int().min(1).default(64),
  FEDERATION: bool.default(false),
  TABLE_SHAPE: z.enum(TABLE_SHAPES).default("centrum"),
  CATALOG_SOURCE: z.enum(["experiment_macros", "experiment_table_metadata"]).optional(),
  MAX_PAGE_SIZE: z.coerce.number().int().min(1).default(1000),
  MAX_AGGREGATE_GROUPS: z.coerce.number().int().min(1).default(DEFAULT_MAX_GROUPS),
  MAX_DEPTH: z.coerce.number().int().min(1).default(15),
  MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  MAX_ROOT_FIELDS: z.coerce.number().int().min(1).default(20),
  MAX_TOKENS: z.coerce.number().int().min(100).default(10_000),
  MAX_DIRECTIVES: z.coerce.number().int().min(0).default(50),
  MAX_NODES: z.coerce.number().int().min(1).default(250_000),
  MAX_STATEMENTS: z.coerce.number().int().min(1).default(25),
  RATE_LIMIT_POINTS: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_DRAIN_PER_S: z.coerce.number().min(0.001).default(10),
  MUTATIONS_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  CACHE_TTL_MS: z.coerce.number().int().min(0).default(60_000),
  CACHE_MAX_ENTRIES: z.coerce.number().int().min(0).default(5000),
  CACHE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(64 * 1024 * 1024),
  RESPONSE_CACHE: bool.default(true),
  RESPONSE_CACHE_LANE: bool.default(true),
  RESPONSE_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).default(1000),
  RESPONSE_CACHE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(32 * 1024 * 1024),
  STREAM_POLL_MS: z.coerce.number().int().min(50).optional(),
  STREAM_WRITE_PUSH: bool.default(true),
  STREAM_BUFFER: z.coerce.number().int().min(1).default(1_000),
  STREAM_REPLAY_LIMIT: z.coerce.number().int().min(1).default(10_000),
  SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(100),
  SUBSCRIPTIONS_PER_CALLER: z.coerce.number().int().min(1).default(500),
  WS_KEEPALIVE_MS: z.coerce.number().int().min(0).default(12_000),
  REDIS_URL: z.string().url().optional(),
  REDIS_PREFIX: z.string().min(1).default("centrum-gateway"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  READINESS_CACHE_MS: z.coerce.number().int().min(0).default(3_000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  EXPOSE_STATEMENTS: bool.optional(),
  DATABRICKS_HOST: z.string().optional(),
  DATABRICKS_HTTP_PATH: z.string().optional(),
  DATABRICKS_TOKEN: z.string().optional(),
  DATABRICKS_CLIENT_ID: z.string().optional(),
  DATABRICKS_CLIENT_SECRET: z.string().optional(),
  DATABRICKS_CATALOG: z.string().default("main"),
  DATABRICKS_SCHEMA: z.string().default("centrum"),
  DATABRICKS_STATEMENT_TIMEOUT_S: z.coerce.number().int().min(1).default(120),
});

export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  readonly env: "development" | "production" | "test";
  readonly lakehouse: "duckdb" | "databricks";
  readonly duckdb: { readonly path: string; readonly connections: number };
  /**
   * The shape of the lakehouse's tables (`lakehouse/table-shapes.ts`): `centrum` (design.md) or `openjii`
   * (openJII's production pipeline tables); on the embedded lakehouse also the shape a new demo file is made in.
   */
  readonly tableShape: TableShape;
  readonly demo: {
    readonly preset: "ci" | "demo" | "bench";
    readonly seed: number;
    readonly seedIfEmpty: boolean;
    readonly simulate: boolean;
    readonly simulateIntervalMs: number;
    /** Experiments written per tick (0: one public and one private, sometimes one more). */
    readonly simulateExperimentsPerTick: number;
  };
  readonly jwt: {
    readonly secret: string;
    readonly issuer: string;
    readonly audience: string;
    readonly jwksUrl?: string;
    readonly clockToleranceSeconds: number;
    readonly maxAgeSeconds?: number;
  };
  /** Serve an Apollo Federation v2 subgraph (one schema of the whole catalog; access still per request). */
  readonly federation: boolean;
  readonly catalog: {
    readonly pollMs: number;
    readonly source: "experiment_macros" | "experiment_table_metadata";
    /** Access sets whose schemas are kept built (most recently used). */
    readonly accessSets: number;
  };
  /** `/admin/import` and `/admin/schema`: who may reach them, and the largest import body. */
  readonly admin: { readonly access: "loopback" | "any" | "off"; readonly maxImportBytes: number };
  /** How often the freshness watch compares experiment watermarks (drives cache invalidation). */
  readonly freshnessPollMs: number;
  readonly maxPageSize: number;
  /** The most groups an aggregate returns, and the largest `limit` it takes. */
  readonly maxAggregateGroups: number;
  /** Limits checked before an operation runs (see README, "Limits"). */
  readonly limits: {
    readonly depth: number;
    readonly aliases: number;
    readonly rootFields: number;
    readonly tokens: number;
    readonly directives: number;
    readonly nodes: number;
    readonly statements: number;
  };
  /** Cost points (estimated statements) per caller: a leaky bucket; and mutation calls per caller per minute. */
  readonly rateLimits: {
    readonly points: number;
    readonly drainPerSecond: number;
    readonly mutationsPerMinute: number;
  };
  readonly cache: { readonly ttlMs: number; readonly maxEntries: number; readonly maxBytes: number };
  /** The whole-response cache (TTL of the result cache, which it needs); null when off. */
  readonly responseCache: {
    readonly maxEntries: number;
    readonly maxBytes: number;
    /** Repeats answered before Yoga from the cached bytes (`response-cache-lane.ts`). */
    readonly lane: boolean;
  } | null;
  /** Subscriptions (see README, "Subscriptions"). */
  readonly streams: {
    /** How often the one poller reads new rows of watched experiments (2 s on DuckDB, 10 s on Databricks). */
    readonly pollMs: number;
    /** Writes through the gateway (the simulation) are pushed at once instead of at the next poll. */
    readonly writePush: boolean;
    readonly bufferSize: number;
    readonly replayLimit: number;
    readonly perConnection: number;
    readonly perCaller: number;
    /** graphql-ws keep-alive ping interval (0: none). */
    readonly keepAliveMs: number;
  };
  /** Several gateway processes share subscribers, the poll lease and events through this Redis. */
  readonly redis?: { readonly url: string; readonly prefix: string };
  readonly shutdownGraceMs: number;
  /** How long one real read of the tables answers `/readyz` probes. */
  readonly readinessCacheMs: number;
  /** pino level: `info` by default (`warn` under NODE_ENV=test). */
  readonly logLevel: string;
  /** Adds the statements an operation ran to the response `extensions` (default: on outside production). */
  readonly exposeStatements: boolean;
  readonly databricks?: DatabricksConfig;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === "production" && !e.JWT_JWKS_URL) {
    // Anyone could sign a token for any user with a known or short secret.
    if (e.JWT_SECRET === DEVELOPMENT_JWT_SECRET) {
      throw new ConfigError(
        "NODE_ENV=production refuses the development JWT_SECRET: set a secret of your own.",
      );
    }
    if (Buffer.byteLength(e.JWT_SECRET) < 32) {
      throw new ConfigError("NODE_ENV=production needs a JWT_SECRET of at least 32 bytes.");
    }
  }
  let databricks: GatewayConfig["databricks"];
  if (e.LAKEHOUSE === "databricks") {
    if (!e.DATABRICKS_HOST || !e.DATABRICKS_HTTP_PATH) {
      throw new ConfigError("LAKEHOUSE=databricks needs DATABRICKS_HOST and DATABRICKS_HTTP_PATH.");
    }
    if (!e.DATABRICKS_TOKEN && !(e.DATABRICKS_CLIENT_ID && e.DATABRICKS_CLIENT_SECRET)) {
      throw new ConfigError(
        "LAKEHOUSE=databricks needs DATABRICKS_TOKEN or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET.",
      );
    }
    databricks = {
      host: e.DATABRICKS_HOST,
      httpPath: e.DATABRICKS_HTTP_PATH,
      token: e.DATABRICKS_TOKEN,
      clientId: e.DATABRICKS_CLIENT_ID,
      clientSecret: e.DATABRICKS_CLIENT_SECRET,
      catalog: e.DATABRICKS_CATALOG,
      schema: e.DATABRICKS_SCHEMA,
      shape: e.TABLE_SHAPE,
      statementTimeoutSeconds: e.DATABRICKS_STATEMENT_TIMEOUT_S,
    };
  }
  return {
    port: e.PORT,
    host: e.HOST,
    env: e.NODE_ENV,
    lakehouse: e.LAKEHOUSE,
    duckdb: { path: e.DUCKDB_PATH, connections: e.DUCKDB_CONNECTIONS },
    tableShape: e.TABLE_SHAPE,
    demo: {
      preset: e.DEMO_PRESET,
      seed: e.DEMO_SEED,
      seedIfEmpty: e.SEED_IF_EMPTY,
      simulate: e.SIMULATE,
      simulateIntervalMs: e.SIMULATE_INTERVAL_MS,
      simulateExperimentsPerTick: e.SIMULATE_EXPERIMENTS_PER_TICK,
    },
    jwt: {
      secret: e.JWT_SECRET,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      jwksUrl: e.JWT_JWKS_URL,
      clockToleranceSeconds: e.JWT_CLOCK_SKEW_S,
      maxAgeSeconds: e.JWT_MAX_AGE_S,
    },
    admin: { access: e.ADMIN_ENDPOINTS, maxImportBytes: e.IMPORT_MAX_BYTES },
    federation: e.FEDERATION,
    catalog: {
      pollMs: e.CATALOG_POLL_MS,
      source:
        e.CATALOG_SOURCE ?? (e.TABLE_SHAPE === "openjii" ? "experiment_table_metadata" : "experiment_macros"),
      accessSets: e.SCHEMA_ACCESS_SETS,
    },
    freshnessPollMs: e.FRESHNESS_POLL_MS,
    maxPageSize: e.MAX_PAGE_SIZE,
    maxAggregateGroups: e.MAX_AGGREGATE_GROUPS,
    limits: {
      depth: e.MAX_DEPTH,
      aliases: e.MAX_ALIASES,
      rootFields: e.MAX_ROOT_FIELDS,
      tokens: e.MAX_TOKENS,
      directives: e.MAX_DIRECTIVES,
      nodes: e.MAX_NODES,
      statements: e.MAX_STATEMENTS,
    },
    rateLimits: {
      points: e.RATE_LIMIT_POINTS,
      drainPerSecond: e.RATE_LIMIT_DRAIN_PER_S,
      mutationsPerMinute: e.MUTATIONS_PER_MINUTE,
    },
    cache: { ttlMs: e.CACHE_TTL_MS, maxEntries: e.CACHE_MAX_ENTRIES, maxBytes: e.CACHE_MAX_BYTES },
    responseCache: e.RESPONSE_CACHE
      ? {
          maxEntries: e.RESPONSE_CACHE_MAX_ENTRIES,
          maxBytes: e.RESPONSE_CACHE_MAX_BYTES,
          lane: e.RESPONSE_CACHE_LANE,
        }
      : null,
    streams: {
      pollMs: e.STREAM_POLL_MS ?? (e.LAKEHOUSE === "databricks" ? 10_000 : 2_000),
      writePush: e.STREAM_WRITE_PUSH,
      bufferSize: e.STREAM_BUFFER,
      replayLimit: e.STREAM_REPLAY_LIMIT,
      perConnection: e.SUBSCRIPTIONS_PER_CONNECTION,
      perCaller: e.SUBSCRIPTIONS_PER_CALLER,
      keepAliveMs: e.WS_KEEPALIVE_MS,
    },
    redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.REDIS_PREFIX } : undefined,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    readinessCacheMs: e.READINESS_CACHE_MS,
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === "test" ? "warn" : "info"),
    exposeStatements: e.EXPOSE_STATEMENTS ?? e.NODE_ENV !== "production",
    databricks,
  };
}

const FederatedEnvSchema = z.object({
  FEDERATED_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  HOST: z.string().default("127.0.0.1"),
  FEDERATION_SUBGRAPHS: z.string().min(1).default("lakehouse=http://127.0.0.1:4000/graphql"),
  FEDERATION_POLL_MS: z.coerce.number().int().min(100).default(10_000),
  FEDERATION_SUPERGRAPH_FILE: z.string().min(1).default("data/supergraph.graphql"),
});

export interface FederatedConfig {
  readonly port: number;
  readonly host: string;
  /** `name=url` pairs (`gateway/federation/supergraph.ts`). */
  readonly subgraphs: string;
  /** Recomposition interval for subgraph changes no `schemaChanged` subscription reports. */
  readonly pollMs: number;
  /** Where the composed supergraph is written (Hive Gateway serves and watches it). */
  readonly supergraphFile: string;
}

/** The federated entry point's configuration (`gateway.config.ts`, run by `npm run federated`). */
export function loadFederatedConfig(env: NodeJS.ProcessEnv = process.env): FederatedConfig {
  const parsed = FederatedEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    port: e.FEDERATED_PORT,
    host: e.HOST,
    subgraphs: e.FEDERATION_SUBGRAPHS,
    pollMs: e.FEDERATION_POLL_MS,
    supergraphFile: e.FEDERATION_SUPERGRAPH_FILE,
  };
}
