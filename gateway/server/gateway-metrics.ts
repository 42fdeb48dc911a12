/**
 * `/metrics` in Prometheus format: Yoga's own figures (`@graphql-yoga/plugin-prometheus`: requests, phases, errors,
 * HTTP durations) and the gateway's — lakehouse statements and their latency by dialect, result and response cache
 * hits, misses and sizes, operations refused by a cost limit, rate-limited operations. One registry per server.
 */

import { usePrometheus } from "@graphql-yoga/plugin-prometheus";
import type { Plugin } from "graphql-yoga";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ResultCacheStats } from "../../lakehouse/cached-lakehouse.js";
import type { StatementLog } from "../../lakehouse/statement-log.js";
import type { StreamHubStats } from "../../resolvers/streams/stream-hub.js";
import type { ResponseCacheStats } from "./response-cache.js";
import type { ResponseCacheLaneStats } from "./response-cache-lane.js";

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly refused = new Counter({
    name: "centrum_operations_refused_total",
    help: "Operations refused before running, by the limit they exceeded.",
    labelNames: ["limit"] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: "centrum_operations_rate_limited_total",
    help: "Operations refused by the cost-point rate limit.",
    registers: [this.registry],
  });

  constructor(options: {
    dialect: string;
    statements: StatementLog;
    cacheStats?: () => ResultCacheStats;
    streamStats?: () => StreamHubStats;
  }) {
    const statements = new Counter({
      name: "centrum_lakehouse_statements_total",
      help: "Lakehouse statements sent, by dialect, kind, origin (request, ingest, stream-poll, stream-start, freshness, catalog) and outcome.",
      labelNames: ["dialect", "kind", "origin", "outcome"] as const,
      registers: [this.registry],
    });
    const latency = new Histogram({
      name: "centrum_lakehouse_statement_duration_seconds",
      help: "Lakehouse statement latency by dialect.",
      labelNames: ["dialect", "kind"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    options.statements.onRecord((record) => {
      const labels = { dialect: options.dialect, kind: record.kind };
      statements.inc({ ...labels, origin: record.origin, outcome: record.error ? "error" : "ok" });
      latency.observe(labels, record.ms / 1000);
    });
    if (options.streamStats) this.#streams(options.streamStats);
    const cacheStats = options.cacheStats;
    if (cacheStats) {
      for (const [name, key, help] of [
        ["centrum_result_cache_hits", "hits", "Result cache hits since start."],
        ["centrum_result_cache_misses", "misses", "Result cache misses since start."],
        ["centrum_result_cache_invalidations", "invalidations", "Result cache invalidations since start."],
        ["centrum_result_cache_entries", "entries", "Entries in the result cache."],
        ["centrum_result_cache_bytes", "bytes", "Estimated bytes in the result cache."],
      ] as const) {
        this.#gauge(name, help, () => cacheStats()[key]);
      }
    }
  }

  /** The response cache's figures (`response-cache.ts`), when it runs. */
  addResponseCache(stats: () => ResponseCacheStats): void {
    for (const [name, key, help] of [
      ["centrum_response_cache_hits", "hits", "Queries answered whole from the response cache since start."],
      ["centrum_response_cache_misses", "misses", "Response cache lookups that missed since start."],
      ["centrum_response_cache_entries", "entries", "Answers in the response cache."],
      ["centrum_response_cache_bytes", "bytes", "Estimated bytes in the response cache."],
    ] as const) {
      this.#gauge(name, help, () => stats()[key]);
    }
  }

  /** The response cache's hit lane (`response-cache-lane.ts`): answers it gave before Yoga. */
  addResponseCacheLane(stats: () => ResponseCacheLaneStats): void {
    this.#gauge(
      "centrum_response_cache_lane_answers",
      "Repeated queries answered from the response cache before Yoga since start (also counted as hits).",
      () => stats().answers,
    );
    this.#gauge(
      "centrum_response_cache_lane_entries",
      "Request shapes the hit lane knows.",
      () => stats().entries,
    );
  }

  /** A gauge read when scraped. */
  #gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  #streams(streamStats: () => StreamHubStats): void {
    for (const [name, key, help] of [
      ["centrum_stream_subscriptions", "subscriptions", "Open subscriptions in this process."],
      [
        "centrum_stream_watched_experiments",
        "watchedExperiments",
        "Experiments this process has subscribers of.",
      ],
      ["centrum_stream_polls", "polls", "Stream polls this process ran since start (one statement each)."],
      [
        "centrum_stream_rows_published",
        "rowsPublished",
        "New rows this process's polls published since start.",
      ],
      [
        "centrum_stream_events_queued",
        "eventsQueued",
        "Events queued for this process's subscribers since start.",
      ],
      [
        "centrum_stream_slow_consumers",
        "slowConsumers",
        "Subscriptions ended for falling behind since start.",
      ],
    ] as const) {
      this.#gauge(name, help, () => streamStats()[key]);
    }
  }

  plugin(): Plugin {
    return usePrometheus({ endpoint: "/metrics", registry: this.registry });
  }
}
