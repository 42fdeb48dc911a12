/**
 * What the guard costs in throughput: a cached simple query (the result cache answers, 0 statements) through the
 * real server process with the guard (`npm start`'s server) and without it (`unguarded-server.ts`), under
 * autocannon at c=50, in interleaved rounds on the same DuckDB file, one process at a time. The issue's bar: with
 * the guard within 5 % of without. Run: `npx tsx test/bench/guard-throughput-bench.ts [--rounds 3] [--seconds 10]`.
 */
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { type GatewayProcess, startGateway, tempDir } from "../support/gateway-process.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg("rounds", 3);
const SECONDS = arg("seconds", 10);
const CONNECTIONS = arg("connections", 50);
const QUERY = `{ experiments(first: 10) { totalCount edges { node { id name visibility status } } } }`;

const dir = tempDir("centrum-guard-bench-");
const dbFile = join(dir, "centrum.duckdb");
const env = {
  // Limits far above what one load generator reaches: the guard's work runs, it refuses nothing.
  RATE_LIMIT_POINTS: "1000000000",
  RATE_LIMIT_DRAIN_PER_S: "1000000",
  EXPOSE_STATEMENTS: "false",
  LOG_LEVEL: "warn",
  FRESHNESS_POLL_MS: "600000",
  // As deployed: graphql-js skips its development-mode checks.
  NODE_ENV: "production",
};

interface Round {
  readonly variant: "guarded" | "unguarded";
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

async function load(gw: GatewayProcess, variant: Round["variant"]): Promise<Round> {
  const body = JSON.stringify({ query: QUERY });
  const request = { method: "POST" as const, headers: { "content-type": "application/json" }, body };
  // Warm-up: fills the result cache and Yoga's document caches.
  await autocannon({ url: `${gw.url}/graphql`, connections: 10, duration: 2, ...request });
  const r = await autocannon({
    url: `${gw.url}/graphql`,
    connections: CONNECTIONS,
    duration: SECONDS,
    ...request,
  });
  return {
    variant,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts,
  };
}

// Seed once (the first process), then every round reuses the file.
await (await startGateway({ dir, dbFile, env })).stop();
const rounds: Round[] = [];
const load0 = loadavg()
  .map((l) => l.toFixed(2))
  .join(" / ");
for (let i = 0; i < ROUNDS; i++) {
  // ABBA: each variant goes first in every other round, so neither always follows the other's teardown.
  const order = i % 2 === 0 ? (["guarded", "unguarded"] as const) : (["unguarded", "guarded"] as const);
  for (const variant of order) {
    const gw = await startGateway({
      dir,
      dbFile,
      env,
      script: variant === "guarded" ? undefined : "test/bench/unguarded-server.ts",
    });
    try {
      rounds.push(await load(gw, variant));
      const r = rounds.at(-1)!;
      console.log(
        `round ${i + 1} ${variant.padEnd(9)} ${r.rps.toFixed(0)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  errors ${r.errors}`,
      );
    } finally {
      await gw.stop();
    }
  }
}
const mean = (v: Round["variant"]) => {
  const xs = rounds.filter((r) => r.variant === v).map((r) => r.rps);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};
const guarded = mean("guarded");
const unguarded = mean("unguarded");
console.log(
  `\n${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, load average at start ${load0}, c=${CONNECTIONS}, ${SECONDS} s × ${ROUNDS} interleaved rounds`,
);
console.log(
  `cached simple query: guarded ${guarded.toFixed(0)} req/s, unguarded ${unguarded.toFixed(0)} req/s → ratio ${(guarded / unguarded).toFixed(3)} (goal ≥ 0.95)`,
);
