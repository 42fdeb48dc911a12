/**
 * The fast path's bar (issue 13): a repeated dashboard and a repeated typed page, answered by the whole-response
 * cache, against bare graphql-yoga answering `{ hello }` — autocannon at c=50 through real server processes, in
 * interleaved rounds, one process at a time. Goals: each ≥ 0.8 × bare Yoga's req/s, the dashboard's p99 < 50 ms.
 * Run: `npx tsx test/bench/repeat-throughput-bench.ts [--rounds 3] [--seconds 10] [--connections 50]`
 * (`--db <file>` to use an existing lakehouse file, e.g. the bench preset's; default: a fresh `demo` preset).
 * `npm run bench` runs the same comparison in its throughput phase (`throughput-phase.ts`), on the bench preset
 * with the reference operations' typed page (100 rows, 10 typed fields); this script stays for a quick look on
 * the small `demo` preset.
 */
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { type GatewayProcess, startGateway, tempDir } from "../support/gateway-process.js";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const ROUNDS = Number(arg("rounds", "3"));
const SECONDS = Number(arg("seconds", "10"));
const CONNECTIONS = Number(arg("connections", "50"));
const dir = tempDir("centrum-repeat-bench-");
const dbFile = arg("db", join(dir, "centrum.duckdb"));
const env = {
  DEMO_PRESET: "demo",
  SIMULATE: "false",
  RATE_LIMIT_POINTS: "1000000000",
  RATE_LIMIT_DRAIN_PER_S: "1000000",
  EXPOSE_STATEMENTS: "false",
  LOG_LEVEL: "warn",
  FRESHNESS_POLL_MS: "600000",
  NODE_ENV: "production",
};

const DASHBOARD = `query Dashboard($id: ID!, $first: Int!) {
  experiment(id: $id) {
    id name description visibility status anonymizeContributors createdAt
    devices { id name firmware firstSeen lastSeen totalMeasurements }
    contributors { id displayName organization totalContributions }
    photosynthesis(first: $first) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node {
        id timestamp Phi2 PhiNPQ LEF
        device { id name } contributor { id displayName }
        annotations { id type text flagType createdByName createdAt }
        questions { label answer } } }
    }
  }
}`;
const TYPED_PAGE = `query Page($id: ID!, $first: Int!) {
  experiment(id: $id) { id photosynthesis(first: $first) { edges { cursor node { id timestamp deviceId Phi2 PhiNPQ LEF } } } }
}`;

interface Result {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly bytes: number;
}

async function load(url: string, query: string, variables: Record<string, unknown>): Promise<Result> {
  const body = JSON.stringify({ query, variables });
  const request = { method: "POST" as const, headers: { "content-type": "application/json" }, body };
  await autocannon({ url: `${url}/graphql`, connections: 10, duration: 2, ...request });
  const r = await autocannon({
    url: `${url}/graphql`,
    connections: CONNECTIONS,
    duration: SECONDS,
    ...request,
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts,
    bytes: r.throughput.average / Math.max(1, r.requests.average),
  };
}

async function withProcess<T>(
  script: string | undefined,
  run: (gw: GatewayProcess) => Promise<T>,
): Promise<T> {
  const gw = await startGateway({ dir, dbFile, env, script, timeoutMs: 600_000 });
  try {
    return await run(gw);
  } finally {
    await gw.stop();
  }
}

// Seed (or open) once and find the experiment with the most photosynthesis rows.
const experimentId = await withProcess(undefined, async (gw) => {
  const res = await gw.gql<{
    experiments: { edges: { node: { id: string; photosynthesis: { totalCount: number } } }[] };
  }>(`{ experiments(first: 100) { edges { node { id photosynthesis(first: 1) { totalCount } } } } }`);
  const nodes = res.data!.experiments.edges.map((e) => e.node);
  nodes.sort((a, b) => b.photosynthesis.totalCount - a.photosynthesis.totalCount);
  return nodes[0]!.id;
});

const results: Record<string, Result[]> = { bare: [], dashboard: [], page: [] };
const load0 = loadavg()
  .map((l) => l.toFixed(2))
  .join(" / ");
for (let i = 0; i < ROUNDS; i++) {
  results.bare!.push(
    await withProcess("test/bench/bare-yoga-server.ts", (p) => load(p.url, "{ hello }", {})),
  );
  await withProcess(undefined, async (gw) => {
    results.dashboard!.push(await load(gw.url, DASHBOARD, { id: experimentId, first: 100 }));
    results.page!.push(await load(gw.url, TYPED_PAGE, { id: experimentId, first: 20 }));
  });
  for (const [name, list] of Object.entries(results)) {
    const r = list.at(-1)!;
    console.log(
      `round ${i + 1} ${name.padEnd(9)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  ${(r.bytes / 1024).toFixed(1)} KiB/response  errors ${r.errors}`,
    );
  }
}
const mean = (name: string, pick: (r: Result) => number) => {
  const xs = results[name]!.map(pick);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};
const bare = mean("bare", (r) => r.rps);
console.log(
  `\n${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, load average at start ${load0}, c=${CONNECTIONS}, ${SECONDS} s × ${ROUNDS} interleaved rounds`,
);
for (const name of ["dashboard", "page"]) {
  const rps = mean(name, (r) => r.rps);
  console.log(
    `repeated ${name === "dashboard" ? "dashboard (100 rows)" : "typed page (20 rows)"}: ${rps.toFixed(0)} req/s vs bare Yoga ${bare.toFixed(0)} → ${(rps / bare).toFixed(2)} (goal ≥ 0.8); p99 ${mean(name, (r) => r.p99).toFixed(0)} ms`,
  );
}
