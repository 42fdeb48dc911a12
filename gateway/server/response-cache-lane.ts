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
import { ANONYMOUS, type Viewer } from "../../resolvers/access/viewer.js";
import { callerOf, type GatewayContext } from "../../resolvers/context.js";
import type { ScopedSchema } from "../../schema/schema-registry.js";
import type { TokenVerifier } from "../auth/jwt.js";
import type { BucketState, CostBucketStore } from "./cost-bucket.js";
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
  /**
   * What follows the cached data: `,"extensions":…}` split around the bucket's `remaining` and `resetAt` (three
   * pieces to join with this request's figures), or one piece when the answer carries no bucket state.
   */
  readonly suffix: readonly [string] | readonly [string, string, string];
  /** Response headers as a flat name, value list. */
  readonly headers: readonly string[];
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

const REMAINING = -7_340_031; // placeholders no real figure takes
const RESET_AT = "\u0000resetAt\u0000";

/** `,"extensions":…}` of a cached answer, split where each request's bucket figures go. */
function suffixTemplate(
  extensions: Record<string, unknown> | undefined,
): readonly [string] | readonly [string, string, string] {
  if (!extensions) return ["}"];
  const cost = extensions.cost as Record<string, unknown> | undefined;
  if (!cost || !("remaining" in cost) || !("resetAt" in cost))
    return [`,"extensions":${JSON.stringify(extensions)}}`];
  const text = `,"extensions":${JSON.stringify({ ...extensions, cost: { ...cost, remaining: REMAINING, resetAt: RESET_AT } })}}`;
  const [a, rest] = text.split(String(REMAINING)) as [string, string];
  const [b, c] = rest.split(JSON.stringify(RESET_AT)) as [string, string];
  return [a, `${b}"`, `"${c}`];
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

  /**
   * Answers from the lane: true when it did, false when Yoga must. The usual case (no token or a verified one,
   * this process's buckets, a built schema) awaits nothing; a remote key set, Redis buckets or a schema still
   * building are awaited.
   */
  const answer = (req: IncomingMessage, res: ServerResponse, key: string): boolean | Promise<boolean> => {
    const started = performance.now();
    const entry = entries.get(key);
    if (!entry) return false;
    const header = req.headers.authorization;
    const withViewer = (viewer: Viewer): boolean | Promise<boolean> => {
      const scoped = schemaFor(viewer);
      return scoped instanceof Promise
        ? scoped.then((s) => withSchema(viewer, s))
        : withSchema(viewer, scoped);
    };
    const withSchema = (viewer: Viewer, scoped: ScopedSchema): boolean | Promise<boolean> => {
      const result =
        scoped.built.schema === entry.schema ? responseCache.cache.get(entry.cacheKey) : undefined;
      if (!result) {
        entries.delete(key);
        return false;
      }
      const caller = callerOf(viewer, req.socket.remoteAddress);
      if (!buckets) return send(result, caller, entry.suffix.join(""));
      const state = buckets.take(caller, 1);
      const poured = (s: BucketState) => {
        if (!s.allowed) return false; // Yoga refuses with RATE_LIMITED and Retry-After
        const [a, b, c] = entry.suffix;
        return send(
          result,
          caller,
          c === undefined ? a : `${a}${s.remaining}${b}${s.resetAt.toISOString()}${c}`,
        );
      };
      return state instanceof Promise ? state.then(poured) : poured(state);
    };
    const send = (result: ExecutionResult, caller: string, suffixText: string): boolean => {
      if (res.writableEnded || res.destroyed) return true;
      const prefix = prefixOf(result);
      const suffix = Buffer.from(suffixText);
      const requestId = requestIdFromHeader(req.headers["x-request-id"]);
      res.writeHead(200, [
        ...entry.headers,
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
      if (logger.isLevelEnabled("info")) {
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
      }
      return true;
    };
    if (!header) return withViewer(ANONYMOUS);
    // Yoga answers a token that does not verify, with its error.
    return verifier.viewerFromHeader(header).then(withViewer, () => false);
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
      const headers: string[] = [];
      response.headers.forEach((value, name) => {
        if (!OWN_HEADERS.has(name.toLowerCase())) headers.push(name, value);
      });
      const extensions = hit.result.extensions as Record<string, unknown> | undefined;
      const cost = extensions?.cost as Record<string, unknown> | undefined;
      entries.set(key, {
        cacheKey,
        schema: hit.schema,
        operationName: hit.operationName,
        requested: cost?.requested,
        suffix: suffixTemplate(extensions),
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
      let done: boolean | Promise<boolean>;
      try {
        done = answer(req, res, key);
      } catch {
        done = false;
      }
      if (done instanceof Promise) {
        done.then(
          (answered) => {
            if (!answered) next();
          },
          () => next(),
        );
      } else if (!done) next();
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
