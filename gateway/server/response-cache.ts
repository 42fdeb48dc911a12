/**
 * The whole-response cache: a repeated query is answered without executing it (`@graphql-yoga/plugin-response-cache`,
 * envelop's response cache), so a repeat costs what a static response costs.
 *
 * - **Keys**: the document, variables and operation name (the plugin's own key) within a session of the schema the
 *   request is served and the caller: one session for every anonymous caller, one per signed-in user. Not per
 *   access set: callers who read the same experiments may still see different fields (an experiment's admins see
 *   contributors' email), and never per token (a new token of the same user hits).
 * - **Invalidation** by the experiments an answer read, not by the entities it happens to select: every read of a
 *   request carries its cache tags (`RequestLakehouse.dependencies`), an answer is stored with them, and the result
 *   cache's invalidations — the gateway's own writes, synchronously, and the freshness watch (memberships and
 *   visibility too) — drop the answers tagged with the experiment (and every answer read across experiments). A
 *   read without tags, a write, an error, or an invalidation while the request ran: not stored. A schema swap
 *   changes the session, so an old schema's answers are never served.
 * - **Bounds**: entries and bytes (lru-cache), the result cache's TTL. Mutations and subscriptions are never cached
 *   (the plugin caches queries only); a hit reports 0 statements in `extensions.cost`.
 */
import {
  type Cache,
  type CacheEntityRecord,
  defaultBuildResponseCacheKey,
  defaultShouldCacheResult,
  useResponseCache,
} from "@envelop/response-cache";
import { type ExecutionResult, type GraphQLSchema, getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { LRUCache } from "lru-cache";
import { estimateJsonBytes, TaggedCache } from "../../lakehouse/tagged-cache.js";
import type { GatewayContext } from "../../resolvers/context.js";

export interface ResponseCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export interface ResponseCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
  readonly bytes: number;
}

/** The answers, by key, with the experiments each one read (envelop's `Cache` interface). */
export class TaggedResponseCache implements Cache {
  readonly #entries: TaggedCache<ExecutionResult>;
  /** Tags of the answers about to be stored (set when the plugin decides to store, read by `set`). */
  readonly #pendingTags = new Map<string, readonly string[]>();
  #generation = 0;
  #hits = 0;
  #misses = 0;

  constructor(options: ResponseCacheOptions) {
    this.#entries = new TaggedCache({ ...options, sizeOf: estimateJsonBytes });
  }

  /** Increases with every invalidation: an answer computed across one is not stored. */
  get generation(): number {
    return this.#generation;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** What the next `set(key)` stores the answer under. */
  tagNext(key: string, tags: Iterable<string>): void {
    this.#pendingTags.set(key, [...tags]);
  }

  get(key: string): ExecutionResult | undefined {
    const result = this.#entries.get(key);
    if (result) this.#hits++;
    else this.#misses++;
    return result;
  }

  set(key: string, result: ExecutionResult, _entities: Iterable<CacheEntityRecord>, ttl: number): void {
    const tags = this.#pendingTags.get(key);
    this.#pendingTags.delete(key);
    // Only answers whose reads all carried tags are stored (see `shouldCache` in the plugin below).
    if (!tags) return;
    this.#entries.set(key, result, tags, Number.isFinite(ttl) ? ttl : undefined);
  }

  /** Entity invalidation (mutation results) is not used: invalidation is by experiment. */
  invalidate(_entities: Iterable<CacheEntityRecord>): void {}

  /** Drops the answers that read the experiment and those read across experiments; null: everything. */
  invalidateExperiment(experimentId: string | null): void {
    this.#generation++;
    if (experimentId === null) this.#entries.clear();
    else this.#entries.invalidate(experimentId);
  }

  stats(): ResponseCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      entries: this.#entries.size,
      bytes: this.#entries.bytes,
    };
  }
}

export interface GatewayResponseCache {
  /** Register in this order, before the cost plugin: a hit must be known when the cost is charged. */
  readonly plugins: readonly Plugin[];
  readonly cache: TaggedResponseCache;
  /** Whether this operation is answered from the cache (known once the plugin's `onExecute` has run). */
  isHit(context: unknown): boolean;
}

export function useGatewayResponseCache(
  options: ResponseCacheOptions & { readonly includeMetadata?: boolean },
): GatewayResponseCache {
  const cache = new TaggedResponseCache(options);
  /** Per request: its schema's number, whether it hits, the invalidation generation it started at. */
  const requests = new WeakMap<
    object,
    { schema: number; query: boolean; hit: boolean; generation: number }
  >();
  const schemaIds = new WeakMap<GraphQLSchema, number>();
  let nextSchemaId = 0;
  const schemaId = (schema: GraphQLSchema) => {
    let id = schemaIds.get(schema);
    if (id === undefined) {
      id = ++nextSchemaId;
      schemaIds.set(schema, id);
    }
    return id;
  };
  /** Which request asked for a key (from key building to the decision to store; bounded, hits never wait). */
  const pending = new LRUCache<string, GatewayContext>({ max: 10_000 });

  const responseCache = useResponseCache<GatewayContext>({
    cache,
    ttl: options.ttlMs,
    session: (context) => {
      const request = requests.get(context);
      const viewer = context.viewer.userId === null ? "anonymous" : `user:${context.viewer.userId}`;
      return `${request?.schema ?? 0}|${viewer}|${context.viewer.name ?? ""}`;
    },
    invalidateViaMutation: false,
    // Queries only: a mutation or subscription is never looked up nor stored.
    enabled: (context) => requests.get(context)?.query ?? false,
    includeExtensionMetadata: options.includeMetadata ?? false,
    buildResponseCacheKey: async (params) => {
      const key = await defaultBuildResponseCacheKey(params);
      const context = params.context as GatewayContext;
      const request = requests.get(context);
      const hit = cache.has(key);
      if (request) request.hit = hit;
      if (!hit) pending.set(key, context);
      return key;
    },
    shouldCacheResult: ({ cacheKey, result }) => {
      const context = pending.get(cacheKey);
      pending.delete(cacheKey);
      if (!context || !defaultShouldCacheResult({ cacheKey, result })) return false;
      const reads = context.readDependencies();
      const request = requests.get(context);
      if (!reads.complete || !request || request.generation !== cache.generation) return false;
      cache.tagNext(cacheKey, reads.tags);
      return true;
    },
  });

  // The plugin reads each schema it is served once (`mapSchema`, for entity metadata this cache does not use). A
  // request is served its access set's schema, so the served schema changes between requests: map each schema
  // object once, not on every change.
  const mapped = new WeakSet<GraphQLSchema>();
  const onSchemaChange = responseCache.onSchemaChange;
  const cachePlugin: Plugin = {
    ...(responseCache as Plugin),
    onSchemaChange(payload) {
      if (mapped.has(payload.schema)) return;
      mapped.add(payload.schema);
      return onSchemaChange?.(payload as never);
    },
  };
  const tracking: Plugin = {
    onExecute({ args }) {
      // Before the response cache's own hook (next in the list): the schema and generation this request runs on.
      requests.set(args.contextValue as object, {
        schema: schemaId(args.schema),
        query: getOperationAST(args.document, args.operationName)?.operation === "query",
        hit: false,
        generation: cache.generation,
      });
    },
  };
  return {
    plugins: [tracking, cachePlugin],
    cache,
    isHit: (context) => requests.get(context as object)?.hit ?? false,
  };
}
