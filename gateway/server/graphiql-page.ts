/**
 * GraphiQL, compressed and cacheable. `@graphql-yoga/render-graphiql` inlines all of GraphiQL so it works offline —
 * 9 MB of HTML, the same for every request. It is rendered once; each encoding (brotli, gzip: node:zlib, off the
 * event loop) is compressed the first time a browser asks for it and kept; every answer carries an ETag, and a
 * browser revalidating with `If-None-Match` gets a 304 without a body. Yoga's own GraphiQL stays configured behind
 * this (same options), for any request this does not take.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

type Encoding = "br" | "gzip" | "identity";

/** Brotli quality 5: within a few percent of the best ratio at a fraction of quality 11's time for 9 MB. */
const COMPRESS: Record<Exclude<Encoding, "identity">, (body: Buffer) => Promise<Buffer>> = {
  br: (body) =>
    promisify(brotliCompress)(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  gzip: (body) => promisify(gzip)(body, { level: 6 }),
};

/** Browsers may keep the page ten minutes, then revalidate it (a 304 while the gateway serves the same page). */
export const GRAPHIQL_CACHE_CONTROL = "public, max-age=600";

/** The best encoding the client accepts (`Accept-Encoding`, with q-values; `q=0` refuses one). */
export function preferredEncoding(acceptEncoding: string | undefined): Encoding {
  const q = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const weight = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    q.set(name, weight === undefined ? 1 : Number(weight));
  }
  const weight = (e: string) => q.get(e) ?? q.get("*") ?? 0;
  for (const e of ["br", "gzip"] as const) if (weight(e) > 0) return e;
  return "identity";
}

/**
 * A request handler for GraphiQL at `endpoint` (a GET that accepts HTML, as Yoga decides); false when the request
 * is not for it.
 */
export function graphiqlPage(options: {
  endpoint: string;
  render: () => string;
}): (req: IncomingMessage, res: ServerResponse) => boolean {
  let identity: Buffer | undefined;
  let hash = "";
  const bodies = new Map<Encoding, Promise<Buffer>>();
  const body = (encoding: Encoding): Promise<Buffer> => {
    if (!identity) {
      identity = Buffer.from(options.render(), "utf8");
      hash = createHash("sha256").update(identity).digest("base64url").slice(0, 27);
      bodies.set("identity", Promise.resolve(identity));
    }
    let found = bodies.get(encoding);
    if (!found) {
      found = COMPRESS[encoding as Exclude<Encoding, "identity">](identity);
      bodies.set(encoding, found);
    }
    return found;
  };

  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (!req.headers.accept?.includes("text/html")) return false;
    const path = (req.url ?? "").split("?")[0];
    if (path !== options.endpoint && path !== `${options.endpoint}/`) return false;
    const encoding = preferredEncoding(req.headers["accept-encoding"]);
    void body(encoding).then(
      (payload) => {
        const etag = `"${hash}${encoding === "identity" ? "" : `-${encoding}`}"`;
        const headers: Record<string, string | number> = {
          "content-type": "text/html; charset=utf-8",
          "cache-control": GRAPHIQL_CACHE_CONTROL,
          etag,
          vary: "Accept, Accept-Encoding",
        };
        if (encoding !== "identity") headers["content-encoding"] = encoding;
        const ifNoneMatch = req.headers["if-none-match"];
        if (ifNoneMatch?.split(",").some((t) => t.trim() === etag || t.trim() === "*")) {
          res.writeHead(304, headers).end();
          return;
        }
        res.writeHead(200, { ...headers, "content-length": payload.length });
        res.end(req.method === "HEAD" ? undefined : payload);
      },
      () => {
        res.writeHead(500, { "content-type": "text/plain" }).end("GraphiQL could not be prepared");
      },
    );
    return true;
  };
}
