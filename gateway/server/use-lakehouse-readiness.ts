/**
 * `/readyz`: every served table answers a real read and a schema is loaded (also reports the result cache counters),
 * on Yoga's own readiness hook. The read is shared by concurrent probes and reused for `cacheMs`, so a probe storm
 * costs one statement per window; readiness recovers by itself once the fault goes away. `/healthz` (the process
 * serves) is Yoga's health check endpoint, configured in create-server.ts.
 */
import { type Plugin, useReadinessCheck } from "graphql-yoga";
import type { CentrumTable } from "../../lakehouse/dialect.js";
import type { Lakehouse, LakehouseHealth } from "../../lakehouse/lakehouse.js";
import { readTables } from "../../lakehouse/readiness.js";

export function useLakehouseReadiness(options: {
  lakehouse: Lakehouse;
  schemaReady: () => boolean;
  /** Result cache counters (hits, misses, entries, bytes), when the cache is on. */
  cacheStats?: () => unknown;
  /** The tables a real read must reach. */
  tables: readonly CentrumTable[];
  /** How long one read answers probes. */
  cacheMs: number;
}): Plugin {
  let last: { at: number; health: Promise<LakehouseHealth> } | null = null;
  const readHealth = () => {
    const now = performance.now();
    if (!last || now - last.at >= options.cacheMs) {
      last = { at: now, health: readTables(options.lakehouse, options.tables) };
    }
    return last.health;
  };
  return useReadinessCheck({
    endpoint: "/readyz",
    async check({ fetchAPI }) {
      const health = await readHealth();
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
