/**
 * Timing loops and their summary. Latency is wall-clock time around one call (for the gateway: one HTTP round
 * trip including JSON parsing; for the floor: one statement through the same DuckDB connector, rows materialized).
 */

export interface LatencySummary {
  readonly runs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** Nearest-rank percentile of sorted samples (p in 0…100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    runs: sorted.length,
    medianMs: median(sorted),
    p95Ms: percentile(sorted, 95),
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export interface TimedRun<T> {
  readonly ms: number;
  readonly value: T;
}

/**
 * Runs `fn` `warmup` times untimed, then `runs` times one after another (never concurrently: we measure
 * latency, not throughput) and returns every timed run with its result. `call` counts every call, warm-up
 * included, so an operation that must not repeat its input (to stay clear of caches) can rotate on it.
 */
export async function timeRuns<T>(
  options: {
    runs: number;
    warmup: number;
    /** Stop early once the timed runs took this long in total (but never before `minRuns`). */
    budgetMs?: number;
    minRuns?: number;
  },
  fn: (call: number) => Promise<T>,
): Promise<TimedRun<T>[]> {
  for (let i = 0; i < options.warmup; i++) await fn(i);
  const out: TimedRun<T>[] = [];
  let spent = 0;
  for (let i = 0; i < options.runs; i++) {
    const started = performance.now();
    const value = await fn(options.warmup + i);
    const ms = performance.now() - started;
    out.push({ ms, value });
    spent += ms;
    if (options.budgetMs !== undefined && spent > options.budgetMs && out.length >= (options.minRuns ?? 5))
      break;
  }
  return out;
}
