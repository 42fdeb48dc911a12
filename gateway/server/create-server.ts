/**
 * The HTTP server: graphql-yoga on one port, GraphiQL served offline (inlined by @graphql-yoga/render-graphiql),
 * health checks, the schema taken from the registry per request, and graceful shutdown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { RedisStore } from "@envelop/rate-limiter";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import type { GraphQLSchema } from "graphql";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { Redis } from "ioredis";
import { CachedLakehouse } from "../../lakehouse/cached-lakehouse.js";
import type { Lakehouse } from "../../lakehouse/lakehouse.js";
import { SERVED_TABLES } from "../../lakehouse/readiness.js";
import { createGatewayContext, type GatewayContext } from "../../resolvers/context.js";
import type { GatewayPubSub } from "../../resolvers/events/gateway-events.js";
import type { StreamHub } from "../../resolvers/streams/stream-hub.js";
import type { SchemaRegistry } from "../../schema/schema-registry.js";
import type { TokenVerifier } from "../auth/jwt.js";
import type { GatewayConfig } from "../config.js";
import { type AdminEndpointsOptions, adminEndpoints } from "./admin-endpoints.js";
import { CostBuckets } from "./cost-bucket.js";
import { exportEndpoint } from "./export-endpoint.js";
import { GatewayMetrics } from "./gateway-metrics.js";
import { graphiqlPage } from "./graphiql-page.js";
import { createLogger, yogaLogger } from "./logger.js";
import { maskError } from "./mask-error.js";
import { envelopRedisClient, RedisCostBuckets } from "./redis-cost-buckets.js";
import { useGatewayResponseCache } from "./response-cache.js";
import { useResponseCacheLane } from "./response-cache-lane.js";
import { useAccessSetSchema } from "./use-access-set-schema.js";
import { useLakehouseReadiness } from "./use-lakehouse-readiness.js";
import { type RateLimitStores, useOperationLimits } from "./use-operation-limits.js";
import { useOperationLog } from "./use-operation-log.js";
import { useStatementExtensions } from "./use-statement-extensions.js";
import { attachWebSockets, type GatewayWebSockets, type WebSocketInitial } from "./websocket-server.js";

export interface GatewayServerDeps {
  readonly config: GatewayConfig;
  readonly lakehouse: Lakehouse;
  readonly registry: SchemaRegistry<unknown>;
  readonly verifier: TokenVerifier;
  /** Where writes publish their events (the runtime's pub/sub). */
  readonly pubsub?: GatewayPubSub;
  /** Subscriptions to fresh data (the runtime's hub); without it, subscriptions answer INTERNAL_SERVER_ERROR. */
  readonly streams?: StreamHub;
  readonly log?: (message: string) => void;
  readonly plugins?: Plugin[];
  /**
   * The guard (document limits, static cost, rate limits) on every operation. There is no configuration to turn it
   * off: only the throughput bench does, to measure what it costs (`test/bench/guard-throughput-bench.ts`).
   */
  readonly guard?: boolean;
  /** The operator token of the run file (`gateway/admin/run-file.ts`), for `/admin/*`. */
  readonly operatorToken?: string;
  /** Imports while serving (`/admin/import`): the runtime's. */
  readonly imports?: AdminEndpointsOptions["imports"];
  readonly operatorSchema?: () => Promise<GraphQLSchema>;
  /** With `REDIS_URL`: rate limits are kept there, shared by every gateway process. */
  readonly redis?: { readonly client: Redis; readonly prefix: string };
}

export interface GatewayServer {
  readonly yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  readonly http: Server;
  readonly websockets: GatewayWebSockets;
  listen(): Promise<string>;
  /** Stops accepting requests, lets in-flight ones finish (up to the grace period), then closes. */
  shutdown(): Promise<void>;
}

const DEFAULT_QUERY = `# Welcome to centrum-gateway. Add a token under Headers: {"Authorization": "Bearer <token>"}
query Experiments {
  viewer { userId authenticated }
  experiments(first: 10) {
    totalCount
    edges { node { id name visibility status macros { name filename sampleCount } } }
  }
}
`;

const GRAPHIQL_OPTIONS = { title: "centrum-gateway", defaultQuery: DEFAULT_QUERY };

/** A request the gateway will not finish: a GraphQL error the client can act on (retry elsewhere), not a reset. */
function shuttingDown(res: ServerResponse): void {
  res.on("error", () => undefined);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({
    errors: [
      { message: "The gateway is shutting down; retry the request.", extensions: { code: "SHUTTING_DOWN" } },
    ],
  });
  res.writeHead(503, { "content-type": "application/json", connection: "close", "retry-after": "1" });
  res.end(body);
}

/** Rate limits every process shares: the cost buckets and the per-field mutation limits, in Redis. */
function redisRateLimits(
  redis: { readonly client: Redis; readonly prefix: string },
  limits: GatewayConfig["rateLimits"],
  log: (message: string) => void,
): RateLimitStores {
  return {
    buckets: new RedisCostBuckets(
      redis.client,
      redis.prefix,
      { capacity: limits.points, drainPerSecond: limits.drainPerSecond },
      log,
    ),
    fields: new RedisStore(envelopRedisClient(redis.client, redis.prefix)),
  };
}

export function createGatewayServer(deps: GatewayServerDeps): GatewayServer {
  const { config, lakehouse, registry, verifier } = deps;
  const log = deps.log ?? ((m: string) => console.log(m));
  const logger = createLogger(config.logLevel);
  const metrics = new GatewayMetrics({
    dialect: lakehouse.dialect.name,
    statements: lakehouse.statements,
    cacheStats: lakehouse instanceof CachedLakehouse ? () => lakehouse.stats() : undefined,
    streamStats: deps.streams ? () => deps.streams!.stats() : undefined,
  });
  deps.streams?.events.on("started", (kind) => logger.debug({ kind }, "subscription started"));
  deps.streams?.events.on("ended", (kind) => logger.debug({ kind }, "subscription ended"));
  deps.streams?.events.on("polled", (poll) => logger.debug(poll, "stream poll"));
  // The schema of the caller's access set as the registry serves it now (a swap applies to the next operation).
  const accessSets = useAccessSetSchema(registry, verifier);
  // Answers are invalidated with the result cache's entries, so the response cache runs only on top of it.
  const responseCache =
    config.responseCache && lakehouse instanceof CachedLakehouse
      ? useGatewayResponseCache({
          ttlMs: config.cache.ttlMs,
          ...config.responseCache,
          includeMetadata: config.exposeStatements,
        })
      : null;
  if (responseCache && lakehouse instanceof CachedLakehouse) {
    lakehouse.onInvalidate((experimentId) => responseCache.cache.invalidateExperiment(experimentId));
    metrics.addResponseCache(() => responseCache.cache.stats());
  }
  // One set of cost buckets for GraphQL operations and exports (`/export/*` pours one point per statement).
  const rateLimitStores: RateLimitStores = deps.redis
    ? redisRateLimits(deps.redis, config.rateLimits, log)
    : {
        buckets: new CostBuckets({
          capacity: config.rateLimits.points,
          drainPerSecond: config.rateLimits.drainPerSecond,
        }),
      };
  // Repeats of a request Yoga answered from the response cache are answered before Yoga (`response-cache-lane.ts`).
  const lane =
    responseCache && config.responseCache?.lane
      ? useResponseCacheLane({
          responseCache,
          verifier,
          schemaFor: (viewer) => registry.schemaFor(viewer),
          buckets: deps.guard === false ? null : (rateLimitStores.buckets ?? null),
          logger,
          maxEntries: config.responseCache?.maxEntries,
        })
      : null;
  if (lane) metrics.addResponseCacheLane(() => lane.stats());
  const plugins: Plugin[] = [
    accessSets.plugin,
    useLakehouseReadiness({
      lakehouse,
      tables: [
        ...SERVED_TABLES,
        config.catalog.source === "experiment_macros" ? "experiment_macros" : "experiment_table_metadata",
      ],
      cacheMs: config.readinessCacheMs,
      schemaReady: () => registry.ready,
      cacheStats: lakehouse instanceof CachedLakehouse ? () => lakehouse.stats() : undefined,
    }),
    // Before the limits: a cached answer costs no statement points.
    ...(responseCache?.plugins ?? []),
    ...(deps.guard === false
      ? []
      : useOperationLimits(
          {
            ...config.limits,
            defaultPageSize: Math.min(100, config.maxPageSize),
            rateLimits: config.rateLimits,
          },
          metrics,
          rateLimitStores,
          responseCache ? (context) => responseCache.isHit(context) : undefined,
        )),
    metrics.plugin(),
    ...(config.exposeStatements ? [useStatementExtensions({ includeText: true })] : []),
    ...(deps.plugins ?? []),
    // Last: it logs what the plugins above reported (cost, statements).
    useOperationLog(logger),
    // After the log: it reads the final answer of an operation, extensions included.
    ...(lane ? [lane.plugin] : []),
  ];

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    graphqlEndpoint: "/graphql",
    landingPage: false,
    graphiql: GRAPHIQL_OPTIONS,
    renderGraphiQL,
    healthCheckEndpoint: "/healthz",
    logging: yogaLogger(logger),
    maskedErrors: {
      maskError: (error, message) =>
        maskError(error, message, (e) => logger.error({ err: e }, "masked error")),
    },
    plugins,
    context: async (initial) => {
      const ws = initial as Partial<WebSocketInitial>;
      const req = (initial as { req?: IncomingMessage }).req;
      // Over graphql-ws the token was checked once, at connection_init; over HTTP as the request was parsed.
      const viewer = ws.wsViewer ?? (await accessSets.viewerOf(initial.request));
      return createGatewayContext({
        viewer,
        lakehouse,
        limits: {
          maxPageSize: config.maxPageSize,
          defaultPageSize: Math.min(100, config.maxPageSize),
          maxGroups: config.maxAggregateGroups,
        },
        signal: initial.request?.signal,
        events: deps.pubsub,
        streams: deps.streams,
        schemaScope: ws.wsSchema?.scope ?? accessSets.scopeOf(initial.request),
        address: ws.wsAddress ?? req?.socket.remoteAddress,
      });
    },
  });

  const admin = adminEndpoints({
    operatorToken: deps.operatorToken ?? null,
    verifier,
    imports: deps.imports ?? null,
    operatorSchema: deps.operatorSchema ?? (async () => registry.current.schema),
    access: config.admin.access,
    maxImportBytes: config.admin.maxImportBytes,
    log,
  });

  const exports = exportEndpoint({
    lakehouse,
    verifier,
    schemaFor: (viewer) => registry.schemaFor(viewer),
    buckets: deps.guard === false ? null : (rateLimitStores.buckets ?? null),
    log,
  });

  // Requests in flight, so shutdown can end as soon as none is left and answer the stragglers at the deadline.
  const inFlight = new Set<ServerResponse>();
  let closing: Promise<void> | null = null;
  let drained: (() => void) | null = null;
  // GraphiQL compressed and with an ETag (Yoga would send its 9 MB as they are).
  const graphiql = graphiqlPage({ endpoint: "/graphql", render: () => renderGraphiQL(GRAPHIQL_OPTIONS) });
  const http = createServer((req, res) => {
    if (closing) {
      shuttingDown(res);
      return;
    }
    inFlight.add(res);
    res.on("close", () => {
      inFlight.delete(res);
      if (inFlight.size === 0) drained?.();
    });
    if (admin(req, res)) return;
    if (exports(req, res)) return;
    if (graphiql(req, res)) return;
    const toYoga = () => {
      Promise.resolve(yoga(req, res)).catch(() => undefined);
    };
    if (lane) lane.handle(req, res, toYoga);
    else toYoga();
  });
  const websockets = attachWebSockets({
    http,
    yoga,
    verifier,
    schemaFor: (viewer) => registry.schemaFor(viewer),
    keepAliveMs: config.streams.keepAliveMs,
    perConnection: config.streams.perConnection,
  });

  return {
    yoga,
    http,
    websockets,
    listen() {
      return new Promise((resolve, reject) => {
        http.once("error", reject);
        http.listen(config.port, config.host, () => {
          const { port } = http.address() as AddressInfo;
          resolve(`http://${config.host}:${port}`);
        });
      });
    },
    shutdown() {
      closing ??= new Promise<void>((resolve) => {
        const finish = () => {
          clearTimeout(force);
          // Keep-alive sockets with no request on them would hold `close` open until they time out.
          http.closeAllConnections();
        };
        const force = setTimeout(() => {
          log(
            `shutdown: grace period of ${config.shutdownGraceMs} ms over, answering ${inFlight.size} request(s)`,
          );
          for (const res of inFlight) shuttingDown(res);
          finish();
        }, config.shutdownGraceMs).unref();
        http.close(() => resolve());
        http.closeIdleConnections();
        // WebSocket clients are told to go away (1001) and resume elsewhere with their cursors.
        void websockets.close().catch(() => undefined);
        drained = finish;
        if (inFlight.size === 0) finish();
      });
      return closing;
    },
  };
}
