/**
 * `/readyz`: the lakehouse answers and a schema is loaded (also reports the result cache counters), on Yoga's own
 * readiness hook. `/healthz` (the process serves) is Yoga's health check endpoint, configured in create-server.ts.
 */
import { type Plugin, useReadinessCheck } from "graphql-yoga";
import type { Lakehouse } from "../../lakehouse/lakehouse.js";

export function useLakehouseReadiness(options: {
  lakehouse: Lakehouse;
  schemaReady: () => boolean;
  /** Result cache counters (hits, misses, entries, bytes), when the cache is on. */
  cacheStats?: () => unknown;
}): Plugin {
  return useReadinessCheck({
    endpoint: "/readyz",
    async check({ fetchAPI }) {
      const health = await options.lakehouse.health();
      const schema = options.schemaReady();
      const ready = health.ok && schema;
      return new fetchAPI.Response(
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
      );
    },
  });
}
