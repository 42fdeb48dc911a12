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
  useResponseCache,
} from "@envelop/response-cache";
import { type ExecutionResult, type GraphQLSchema, getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
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
  /** Tags of the answers the plugin decided to store, by the answer object it then hands to `set`. */
  readonly #tagsOf = new WeakMap<ExecutionResult, readonly string[]>();
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

  /** What `set(…, result)` stores this answer under. */
  tag(result: ExecutionResult, tags: Iterable<string>): void {
    this.#tagsOf.set(result, [...tags]);
  }

  get(key: string): ExecutionResult | undefined {
    const result = this.#entries.get(key);
    if (result) this.#hits++;
    else this.#misses++;
    return result;
  }

  set(key: string, result: ExecutionResult, _entities: Iterable<CacheEntityRecord>, ttl: number): void {
    const tags = this.#tagsOf.get(result);
    // Only answers whose reads all carried tags are stored (see `shouldCacheResult` in the plugin below).
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
  /** The cache key of this operation's answer (known once the plugin's `onExecute` has run). */
  keyOf(context: unknown): string | undefined;
}

export function useGatewayResponseCache(
  options: ResponseCacheOptions & { readonly includeMetadata?: boolean },
): GatewayResponseCache {
  const cache = new TaggedResponseCache(options);
  /** Per request: its schema's number, whether it hits, the invalidation generation it started at. */
  const requests = new WeakMap<object, { schema: number; query: boolean; hit: boolean; key?: string }>();
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
  /**
   * What each answer read, recorded by the tracking plugin's `onExecuteDone` (which runs before the cache plugin's)
   * on the answer object itself, which the plugin then hands to `shouldCacheResult` and `set`: two identical
   * requests in flight never see each other's reads.
   */
  const readsOf = new WeakMap<
    ExecutionResult,
    { tags: readonly string[]; complete: boolean; generation: number }
  >();

  const responseCache = useResponseCache<GatewayContext>({
    cache,
    ttl: options.ttlMs,
    session: (context) =>
      JSON.stringify([
        requests.get(context)?.schema ?? 0,
        context.viewer.userId,
        context.viewer.name ?? null,
      ]),
    // Entities are not collected (invalidation is by experiment): no id selections are added to documents.
    idFields: [],
    invalidateViaMutation: false,
    // Queries only: a mutation or subscription is never looked up nor stored.
    enabled: (context) => requests.get(context)?.query ?? false,
    includeExtensionMetadata: options.includeMetadata ?? false,
    buildResponseCacheKey: async (params) => {
      const key = await defaultBuildResponseCacheKey(params);
      const context = params.context as GatewayContext;
      const request = requests.get(context);
      // (An entry dropped between this check and the plugin's lookup is answered by execution, charged as a hit.)
      if (request) {
        request.hit = cache.has(key);
        request.key = key;
      }
      return key;
    },
    shouldCacheResult: ({ result }) => {
      if (result.errors?.length) return false;
      // Stored only when every read carried tags and nothing was invalidated while the request ran.
      const reads = readsOf.get(result);
      if (!reads?.complete || reads.generation !== cache.generation) return false;
      cache.tag(result, reads.tags);
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
      const query = getOperationAST(args.document, args.operationName)?.operation === "query";
      const generation = cache.generation;
      const context = args.contextValue as unknown as GatewayContext;
      requests.set(context, { schema: schemaId(args.schema), query, hit: false });
      if (!query) return;
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in (result as object)) return;
          const reads = context.readDependencies();
          readsOf.set(result as ExecutionResult, {
            tags: [...reads.tags],
            complete: reads.complete,
            generation,
          });
        },
      };
    },
  };
  return {
    plugins: [tracking, cachePlugin],
    cache,
    isHit: (context) => requests.get(context as object)?.hit ?? false,
    keyOf: (context) => requests.get(context as object)?.key,
  };
}
