/**
 * `/healthz` (the process serves) and `/readyz` (the lakehouse answers and a schema is loaded; also reports the
 * result cache counters).
 */
import type { Plugin } from "graphql-yoga";
import type { Lakehouse } from "../../lakehouse/lakehouse.js";

export function useHealthChecks(options: {
  lakehouse: Lakehouse;
  schemaReady: () => boolean;
  /** Result cache counters (hits, misses, entries, bytes), when the cache is on. */
  cacheStats?: () => unknown;
}): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== "GET") return;
      if (url.pathname === "/healthz") {
        endResponse(Response.json({ status: "ok" }));
        return;
      }
      if (url.pathname === "/readyz") {
        const health = await options.lakehouse.health();
        const schema = options.schemaReady();
        const ready = health.ok && schema;
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({
              status: ready ? "ready" : "not ready",
              lakehouse: {
                kind: options.lakehouse.kind,
                ok: health.ok,
                detail: health.detail,
                code: health.code,
              },
              schema: { loaded: schema },
              ...(options.cacheStats ? { cache: options.cacheStats() } : {}),
            }),
            { status: ready ? 200 : 503, headers: { "content-type": "application/json" } },
          ),
        );
      }
    },
  };
}
