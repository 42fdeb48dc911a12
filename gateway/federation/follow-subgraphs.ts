/**
 * Recomposition the moment a subgraph's schema changes, not only on a timer: for every subgraph that offers
 * `subscription { schemaChanged }` — this gateway does — a graphql-sse subscription stays open and each change asks
 * for a recomposition (`supergraph-file.ts`). A dropped subscription is opened again with backoff; what changed
 * meanwhile the timer catches. A subgraph that answers the subscription with GraphQL errors has no such field and is
 * left to the timer.
 */
import { createClient } from "graphql-sse";
import type { SubgraphSource } from "./supergraph.js";

const SCHEMA_CHANGED = "subscription { schemaChanged { version } }";

/** A validation error naming the missing field: the subgraph has no `schemaChanged`. */
function isUnknownField(error: unknown): boolean {
  const e = error as { message?: string; extensions?: { code?: string } } | null;
  return (
    typeof e?.message === "string" &&
    /schemaChanged|Subscription/.test(e.message) &&
    (e.extensions?.code === "GRAPHQL_VALIDATION_FAILED" || /Cannot query field/.test(e.message))
  );
}

export interface FollowerLog {
  info(message: string): void;
  warn(message: string): void;
}

/** What recomposes the supergraph. */
export interface Recomposable {
  recompose(why: string): unknown;
}

export interface SubgraphFollower {
  stop(): void;
}

export function followSubgraphSchemas(
  sources: readonly SubgraphSource[],
  target: Recomposable,
  log: FollowerLog,
  options: { maxRetryMs?: number } = {},
): SubgraphFollower {
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  const stops: (() => void)[] = [];
  const reload = (why: string) => {
    void Promise.resolve()
      .then(() => target.recompose(why))
      .catch((e) => log.warn(`Recomposing failed: ${String(e)}`));
  };
  for (const source of sources) {
    let stopped = false;
    let failures = 0;
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | undefined;
    const client = createClient({ url: source.url, retryAttempts: 0 });
    const again = () => {
      if (stopped) return;
      const wait = Math.min(maxRetryMs, 500 * 2 ** Math.min(failures++, 10));
      timer = setTimeout(follow, wait);
      timer.unref();
    };
    const follow = () => {
      if (stopped) return;
      unsubscribe = client.subscribe<{ schemaChanged: { version: string } }>(
        { query: SCHEMA_CHANGED },
        {
          next(result) {
            if (result.errors?.length && !result.data) {
              // No such field: left to the timer. Any other refusal (rate limited, not ready): try again later.
              if (result.errors.some(isUnknownField)) {
                stopped = true;
                log.info(`Subgraph ${source.name} has no schemaChanged subscription: left to polling.`);
              }
              return;
            }
            failures = 0;
            reload(
              `subgraph ${source.name} changed its schema (version ${result.data?.schemaChanged.version})`,
            );
          },
          error(error) {
            if (Array.isArray(error) && error.some(isUnknownField)) {
              stopped = true;
              log.info(`Subgraph ${source.name} has no schemaChanged subscription: left to polling.`);
              return;
            }
            // Unreachable or dropped: try again with backoff.
            again();
          },
          complete() {
            again();
          },
        },
      );
    };
    follow();
    stops.push(() => {
      stopped = true;
      clearTimeout(timer);
      unsubscribe?.();
      client.dispose();
    });
  }
  return {
    stop() {
      for (const stop of stops) stop();
    },
  };
}
