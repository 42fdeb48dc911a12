/**
 * The hit lane: a repeated query whose answer is in the response cache is answered from the node HTTP handler,
 * before Yoga parses the request, with the answer's serialized bytes (issue 13: a repeat should cost what a static
 * response costs).
 *
 * It learns from Yoga. When Yoga answers a request from the response cache (a hit, no errors, one operation, a JSON
 * response), the lane remembers that request's shape: the raw request (method, URL, the headers the answer can
 * depend on, the body bytes) → the response cache key, the schema it was served, the response headers and the
 * extensions of that answer. The next byte-identical request is answered by the lane, provided, at that moment:
 * - the token still verifies (expiry included) — the same check Yoga's pipeline makes;
 * - the caller's access set is still served the same schema object (a swap, or a membership change that moves the
 *   caller to another access set, sends the request through Yoga);
 * - the response cache still holds the answer under that key (its TTL, its invalidations by experiment, its
 *   bounds all apply unchanged: the lane never holds an answer of its own, only the serialized bytes of the
 *   cache's entry, kept beside that entry object and gone with it);
 * - the caller's cost bucket allows the one point a cached answer pours (otherwise Yoga answers, and refuses).
 * The answer is the template's with the bucket's `remaining`/`resetAt` of this request, a fresh `x-request-id`,
 * and the same log line and metrics a hit through Yoga has. Anything else — another body, another token, a GET
 * with other parameters, a request without a content length, a body over `maxBodyBytes` — goes to Yoga, with the
 * body the lane read handed over as the request's parsed body (`req.body`, which @whatwg-node/server reads).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type ExecutionResult, type GraphQLSchema, getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { LRUCache } from "lru-cache";
import type { Viewer } from "../../resolvers/access/viewer.js";
import { callerOf, type GatewayContext } from "../../resolvers/context.js";
import type { ScopedSchema } from "../../schema/schema-registry.js";
import type { TokenVerifier } from "../auth/jwt.js";
import type { CostBucketStore } from "./cost-bucket.js";
import type { Logger } from "./logger.js";
import type { GatewayResponseCache } from "./response-cache.js";
import { requestIdFromHeader } from "./use-operation-log.js";

export interface ResponseCacheLaneOptions {
  readonly responseCache: GatewayResponseCache;
  readonly verifier: TokenVerifier;
  readonly schemaFor: (viewer: Viewer) => ScopedSchema | Promise<ScopedSchema>;
  /** The cost buckets (null: the guard is off, nothing is poured). */
  readonly buckets: CostBucketStore | null;
  readonly logger: Logger;
  /** Request shapes remembered (each a few hundred bytes plus its body). */
  readonly maxEntries?: number;
  /** Larger request bodies are never read by the lane. */
  readonly maxBodyBytes?: number;
}

export interface ResponseCacheLaneStats {
  /** Requests answered by the lane. */
  readonly answers: number;
  /** Request shapes it knows. */
  readonly entries: number;
}

export interface ResponseCacheLane {
  /** Registered last (it reads the final result of an operation, extensions included). */
  readonly plugin: Plugin;
  /** Answers the request when it can; otherwise calls `next` (Yoga), with the body read so far on `req.body`. */
  handle(req: IncomingMessage, res: ServerResponse, next: () => void): void;
  stats(): ResponseCacheLaneStats;
}

interface LaneEntry {
  readonly cacheKey: string;
  readonly schema: GraphQLSchema;
  readonly operationName: string | null;
  readonly requested: unknown;
  /** The answer's extensions; `cost.remaining`/`cost.resetAt` are replaced per request. */
  readonly extensions: Readonly<Record<string, unknown>> | undefined;
  readonly headers: readonly (readonly [string, string])[];
}

/** What the plugin saw of an operation Yoga answered from the cache. */
interface SeenHit {
  readonly context: GatewayContext;
  readonly schema: GraphQLSchema;
  readonly operationName: string | null;
  readonly result: ExecutionResult;
}

/** Request headers the answer may depend on (content negotiation, CORS, the caller). */
const KEY_HEADERS = ["authorization", "accept", "content-type", "origin"] as const;
/** Response headers not replayed: the lane writes its own. */
const OWN_HEADERS = new Set([
  "content-length",
  "x-request-id",
  "date",
  "connection",
  "keep-alive",
  "transfer-encoding",
]);
const JSON_TYPE = /^application\/(graphql-response\+)?json\b/;

function laneKey(req: IncomingMessage, body: Buffer | null): string {
  let key = `${req.method} ${req.url}`;
  for (const name of KEY_HEADERS) key += `\n${req.headers[name] ?? ""}`;
  return body ? `${key}\n\n${body.toString("latin1")}` : key;
}

export function useResponseCacheLane(options: ResponseCacheLaneOptions): ResponseCacheLane {
  const { responseCache, verifier, schemaFor, buckets, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const entries = new LRUCache<string, LaneEntry>({ max: options.maxEntries ?? 1000 });
  /** The serialized `{"data":…` of a cached answer, beside the cache's entry object (gone with it). */
  const serialized = new WeakMap<ExecutionResult, Buffer>();
  /** The lane key of each request the handler saw, and what the plugin saw of its operation. */
  const keys = new WeakMap<IncomingMessage, string>();
  const seen = new WeakMap<IncomingMessage, SeenHit>();
  /** Operations executed per request: only a request of one operation is the lane's (never a batch). */
  const executions = new WeakMap<IncomingMessage, number>();
  let answers = 0;

  const prefixOf = (result: ExecutionResult): Buffer => {
    let bytes = serialized.get(result);
    if (!bytes) {
      bytes = Buffer.from(`{"data":${JSON.stringify(result.data)}`);
      serialized.set(result, bytes);
    }
    return bytes;
  };

  /** Answers from the lane: true when it did, false when Yoga must. */
  const answer = async (req: IncomingMessage, res: ServerResponse, key: string): Promise<boolean> => {
    const started = performance.now();
    const entry = entries.get(key);
    if (!entry) return false;
    let viewer: Viewer;
    try {
      viewer = await verifier.viewerFromHeader(req.headers.authorization);
    } catch {
      return false; // Yoga answers with the token's error
    }
    const scoped = await schemaFor(viewer);
    const result = scoped.built.schema === entry.schema ? responseCache.cache.get(entry.cacheKey) : undefined;
    if (!result) {
      entries.delete(key);
      return false;
    }
    let extensions = entry.extensions;
    const caller = callerOf(viewer, req.socket.remoteAddress);
    if (buckets) {
      const state = await buckets.take(caller, 1);
      if (!state.allowed) return false; // Yoga refuses with RATE_LIMITED and Retry-After
      const cost = extensions?.cost as Record<string, unknown> | undefined;
      if (cost && "remaining" in cost) {
        extensions = {
          ...extensions,
          cost: { ...cost, remaining: state.remaining, resetAt: state.resetAt.toISOString() },
        };
      }
    }
    if (res.writableEnded || res.destroyed) return true;
    const prefix = prefixOf(result);
    const suffix = Buffer.from(extensions ? `,"extensions":${JSON.stringify(extensions)}}` : "}");
    const requestId = requestIdFromHeader(req.headers["x-request-id"]);
    res.writeHead(200, [
      ...entry.headers.flat(),
      "content-length",
      String(prefix.length + suffix.length),
      "x-request-id",
      requestId,
    ]);
    // Two writes in one flush: the cached bytes are never copied.
    res.cork();
    res.write(prefix);
    res.end(suffix);
    answers++;
    logger.info(
      {
        requestId,
        caller,
        operation: entry.operationName,
        cost: entry.requested,
        statements: 0,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      "operation",
    );
    return true;
  };

  const plugin: Plugin = {
    onExecute({ args }) {
      const context = args.contextValue as unknown as GatewayContext & { req?: IncomingMessage };
      const req = context.req;
      if (!req || !keys.has(req)) return;
      executions.set(req, (executions.get(req) ?? 0) + 1);
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== "query") return;
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in (result as object)) return;
          const r = result as ExecutionResult;
          if (r.errors?.length || !responseCache.isHit(context)) return;
          seen.set(req, {
            context,
            schema: args.schema,
            operationName: operation.name?.value ?? null,
            result: r,
          });
        },
      };
    },
    onResponse({ response, serverContext }) {
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      const hit = req && seen.get(req);
      const key = req && keys.get(req);
      if (!hit || !key || executions.get(req) !== 1 || response.status !== 200) return;
      if (!JSON_TYPE.test(response.headers.get("content-type") ?? "")) return;
      const cacheKey = responseCache.keyOf(hit.context);
      if (!cacheKey) return;
      const headers: [string, string][] = [];
      response.headers.forEach((value, name) => {
        if (!OWN_HEADERS.has(name.toLowerCase())) headers.push([name, value]);
      });
      const extensions = hit.result.extensions as Record<string, unknown> | undefined;
      const cost = extensions?.cost as { requested?: unknown } | undefined;
      entries.set(key, {
        cacheKey,
        schema: hit.schema,
        operationName: hit.operationName,
        requested: cost?.requested,
        extensions,
        headers,
      });
    },
  };

  const handle = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const path = req.url?.split("?", 1)[0];
    if (path !== "/graphql") {
      next();
      return;
    }
    const go = (body: Buffer | null) => {
      const key = laneKey(req, body);
      keys.set(req, key);
      if (!entries.has(key)) {
        next();
        return;
      }
      answer(req, res, key).then(
        (done) => {
          if (!done) next();
        },
        () => next(),
      );
    };
    if (req.method === "GET") {
      go(null);
      return;
    }
    const length = Number(req.headers["content-length"]);
    if (
      req.method !== "POST" ||
      !Number.isInteger(length) ||
      length <= 0 ||
      length > maxBodyBytes ||
      !JSON_TYPE.test(req.headers["content-type"] ?? "")
    ) {
      next();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("error", () => res.destroy());
    req.once("end", () => {
      const body = Buffer.concat(chunks);
      // Yoga (through @whatwg-node/server) reads a consumed request's body from here.
      (req as IncomingMessage & { body?: Buffer }).body = body;
      go(body);
    });
  };

  return { plugin, handle, stats: () => ({ answers, entries: entries.size }) };
}
