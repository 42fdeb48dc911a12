/**
 * Throughput under concurrency (issue 13): autocannon at c = 1, 10, 50 against real server processes, one at a
 * time, in interleaved rounds — each round runs every side once, in the same order:
 *
 *   1. the gateway with the result cache and the response cache off (CACHE_TTL_MS=0, RESPONSE_CACHE=false): the
 *      uncached typed page and the 100-row dashboard, so every request pays its statements;
 *   2. the floor (`floor-server.ts`): the same hand-written statements through the same driver and pool size,
 *      behind a bare `node:http` server that returns the rows as JSON — the floor pays HTTP and JSON too;
 *   3. with `--peer`, PostGraphile v5 over PostgreSQL serving the same typed page (`postgraphile-peer.ts`);
 *   4. the gateway with its default caches: the repeated dashboard and typed page (at the highest concurrency);
 *   5. bare graphql-yoga answering `{ hello }` (`bare-yoga-server.ts`), the ceiling for repeated answers.
 *
 * Every process runs as deployed (NODE_ENV=production) on the bench file; the floor opens it read-only. Before
 * its load, each side answers once and is checked against the others (same row ids in order, totals, relation
 * counts), then warms up (`warmupS` at c=10) and is loaded for `seconds` per concurrency. The load generator runs
 * in this process, on the same cores as the servers, for every side alike: compare ratios, not absolute req/s.
 */
import { loadavg } from "node:os";
import { isDeepStrictEqual } from "node:util";
import autocannon from "autocannon";
import { type GatewayProcess, postGraphQL, startGateway } from "../support/gateway-process.js";
import type { FloorSpec } from "./floor-server.js";
import type { FloorRow } from "./floor-statements.js";
import { percentile } from "./latency-stats.js";
import { type PeerSetup, setUpPeer } from "./postgraphile-peer.js";
import type { OperationCheck, ReferenceOperation } from "./reference-operations.js";
import type { Discovery } from "./schema-discovery.js";

export type ThroughputSide = "gateway" | "floor" | "peer" | "gateway-cached" | "bare-yoga";

export interface ThroughputSample {
  readonly round: number;
  readonly side: ThroughputSide;
  /** Operation id (`macro-page`, `dashboard-100`, `…-repeated`, `hello` for bare Yoga). */
  readonly operation: string;
  readonly connections: number;
  /** 2xx responses per second over the measured window. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly responses: number;
  /** Connection errors, timeouts and non-2xx responses. */
  readonly errors: number;
  readonly kibPerResponse: number;
  /** Seconds of ramp before the measured window opened. */
  readonly rampS: number;
  /** False when the load never reached a steady window (then its whole run is counted). */
  readonly steady: boolean;
  readonly firstError?: string;
}

export interface ThroughputCheck {
  readonly round: number;
  readonly operation: string;
  readonly side: ThroughputSide;
  readonly sameRows: boolean;
  readonly mismatch?: string;
}

export interface ThroughputReport {
  readonly seconds: number;
  readonly rounds: number;
  readonly warmupS: number;
  readonly concurrency: readonly number[];
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  /** Operation id → title (as in the latency table). */
  readonly titles: Readonly<Record<string, string>>;
  readonly samples: readonly ThroughputSample[];
  readonly checks: readonly ThroughputCheck[];
  readonly peer:
    | {
        readonly postgres: string;
        readonly postgraphile: string;
        readonly rows: number;
        readonly setupS: number;
      }
    | { readonly error: string }
    | null;
  readonly errors: readonly string[];
}

/** The operations of the phase, by reference operation id. */
export const THROUGHPUT_UNCACHED = ["macro-page", "dashboard-100"] as const;
export const THROUGHPUT_CACHED = ["dashboard-100-repeated", "macro-page-repeated"] as const;
export const BARE_YOGA = "hello";

const GATEWAY_ENV = {
  SEED_IF_EMPTY: "false",
  DEMO_PRESET: "bench",
  SIMULATE: "false",
  EXPOSE_STATEMENTS: "false",
  NODE_ENV: "production",
  LOG_LEVEL: "warn",
  // The bench measures the engine, not the throttle.
  RATE_LIMIT_POINTS: "1000000000",
  RATE_LIMIT_DRAIN_PER_S: "1000000",
  FRESHNESS_POLL_MS: "600000",
};
const UNCACHED_ENV = { CACHE_TTL_MS: "0", RESPONSE_CACHE: "false" };

interface Target {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** What one load measured, over its steady window. */
interface Measured {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly responses: number;
  readonly errors: number;
  readonly kibPerResponse: number;
  /** Seconds from the start of the load to the start of the window. */
  readonly rampS: number;
  /** False when no window was reached before `maxS` (then the whole run is counted). */
  readonly steady: boolean;
  /** The first request error, if any (connection refused, reset, timeout). */
  readonly firstError?: string;
}

/**
 * One autocannon run at `connections`, measured over a steady window: the window opens once `warmupS` passed AND
 * as many responses arrived as there are connections (every connection went round once — with 50 concurrent
 * dashboards sharing two cores, the first answers arrive only after many seconds, and a window from the start
 * would count the ramp), and closes at the first answer after `seconds` once it holds one answer per connection.
 * Responses outside it are not counted. Capped at `maxS` (then the window ends there, marked not steady).
 */
function load(
  target: Target,
  connections: number,
  options: { warmupS: number; seconds: number; maxS: number },
): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let arrived = 0;
    let windowStart: number | null = null;
    let windowEnd: number | null = null;
    let ok = 0;
    let bad = 0;
    let bytes = 0;
    const latencies: number[] = [];
    let firstError: string | undefined;
    const instance = autocannon(
      { ...target, connections, duration: options.maxS, timeout: Math.max(60, options.maxS) },
      (error, result) => {
        if (error) return reject(error);
        const steady = windowStart !== null && windowEnd !== null;
        const start = windowStart ?? t0;
        const end = windowEnd ?? performance.now();
        if (windowStart === null) {
          ok = result["2xx"];
          bad = result.non2xx;
        }
        const sorted = latencies.sort((a, b) => a - b);
        resolve({
          rps: ok / Math.max((end - start) / 1000, 1e-9),
          p50Ms: sorted.length ? percentile(sorted, 50) : result.latency.p50,
          p99Ms: sorted.length ? percentile(sorted, 99) : result.latency.p99,
          responses: ok,
          errors: bad + result.errors + result.timeouts,
          kibPerResponse:
            (steady ? bytes / Math.max(1, ok) : result.throughput.total / Math.max(1, ok)) / 1024,
          rampS: (start - t0) / 1000,
          steady,
          ...(firstError ? { firstError } : {}),
        });
      },
    );
    instance.on("reqError", (error: Error) => {
      firstError ??= `${error.message}${(error as { code?: string }).code ? ` (${(error as { code?: string }).code})` : ""}`;
    });
    instance.on("response", (_client: unknown, status: number, resBytes: number, responseTime: number) => {
      const now = performance.now();
      arrived++;
      if (windowStart === null) {
        if (arrived >= connections && now - t0 >= options.warmupS * 1000) windowStart = now;
        return;
      }
      if (windowEnd !== null) return;
      if (status >= 200 && status < 300) {
        ok++;
        bytes += resBytes;
        latencies.push(responseTime);
      } else bad++;
      // At least `seconds` and at least one answer per connection: requests that share the cores finish in
      // bursts about `connections / rps` apart, and a shorter window may fall between two bursts.
      if (now - windowStart >= options.seconds * 1000 && ok + bad >= connections) {
        windowEnd = now;
        instance.stop();
      }
    });
  });
}

function sample(
  m: Measured,
  meta: Pick<ThroughputSample, "round" | "side" | "operation" | "connections">,
): ThroughputSample {
  return { ...meta, ...m };
}

function describeMismatch(a: OperationCheck, b: OperationCheck): string {
  const parts: string[] = [];
  if (a.total !== b.total) parts.push(`total ${a.total} vs ${b.total}`);
  if (a.extra !== b.extra) parts.push(`${a.extra} vs ${b.extra}`);
  if (!isDeepStrictEqual(a.keys, b.keys)) {
    const at = a.keys.findIndex((k, i) => k !== b.keys[i]);
    parts.push(`${a.keys.length} vs ${b.keys.length} rows, first difference at #${at}`);
  }
  return parts.join("; ");
}

export async function runThroughputPhase(options: {
  dbPath: string;
  token: string;
  userId: string;
  discovery: Discovery;
  operations: readonly ReferenceOperation[];
  /** Operation ids to run (`--only`), or null for all. */
  only: ReadonlySet<string> | null;
  seconds: number;
  rounds: number;
  warmupS: number;
  concurrency: readonly number[];
  peer: boolean;
  peerPrefix?: string;
  /** Longest one load may run waiting for its steady window (default max(120, 4 × seconds)). */
  maxS?: number;
  log: (line: string) => void;
}): Promise<ThroughputReport> {
  const { log, seconds, warmupS, discovery, token } = options;
  const maxS = options.maxS ?? Math.max(120, 4 * seconds);
  const concurrency = [...options.concurrency].sort((a, b) => a - b);
  const top = concurrency.at(-1)!;
  const selected = (id: string) => !options.only || options.only.has(id);
  const byId = new Map(options.operations.map((op) => [op.id, op]));
  const macroPage = byId.get("macro-page");
  const titles: Record<string, string> = { [BARE_YOGA]: "bare Yoga `{ hello }`" };

  const uncached = THROUGHPUT_UNCACHED.filter(selected).flatMap((id) => byId.get(id) ?? []);
  const cached: ReferenceOperation[] = [];
  const dashboardRepeated = byId.get("dashboard-100-repeated");
  if (dashboardRepeated && selected(dashboardRepeated.id)) cached.push(dashboardRepeated);
  if (macroPage && selected("macro-page-repeated")) {
    cached.push({
      ...macroPage,
      id: "macro-page-repeated",
      title: `${macroPage.title}, repeated (default caches)`,
      phase: "cached",
    });
  }
  for (const op of [...uncached, ...cached]) titles[op.id] = op.title;

  const samples: ThroughputSample[] = [];
  const checks: ThroughputCheck[] = [];
  const errors: string[] = [];
  const gatewayChecks = new Map<string, OperationCheck>();
  const start = loadavg();
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };

  const graphqlTarget = (url: string, op: ReferenceOperation): Target => ({
    url: `${url}/graphql`,
    method: "POST",
    headers,
    body: JSON.stringify({ query: op.document, variables: op.variables(0) }),
  });
  const measure = async (
    target: Target,
    meta: Pick<ThroughputSample, "round" | "side" | "operation">,
    levels: readonly number[],
  ) => {
    for (const connections of levels) {
      const s = sample(await load(target, connections, { warmupS, seconds, maxS }), { ...meta, connections });
      samples.push(s);
      log(
        `  round ${meta.round} ${meta.side.padEnd(14)} ${meta.operation.padEnd(22)} c=${String(connections).padEnd(3)} ` +
          `${s.rps.toFixed(1).padStart(7)} req/s  p50 ${s.p50Ms.toFixed(0)} ms  p99 ${s.p99Ms.toFixed(0)} ms  (${s.responses} in the window, ` +
          `ramp ${s.rampS.toFixed(1)} s${s.steady ? "" : ", NOT steady"})${s.errors ? `  errors ${s.errors}${s.firstError ? `, first: ${s.firstError}` : ""}` : ""}`,
      );
      // An abandoned load leaves requests in flight on the server; one more request waits behind them.
      await fetch(target.url, { method: target.method, headers: target.headers, body: target.body }).then(
        (r) => r.arrayBuffer(),
        () => undefined,
      );
    }
  };
  const withServer = async (
    what: string,
    launch: () => Promise<GatewayProcess>,
    run: (p: GatewayProcess) => Promise<void>,
  ) => {
    let p: GatewayProcess;
    try {
      p = await launch();
    } catch (error) {
      errors.push(`${what} did not start: ${(error as Error).message.split("\n")[0]}`);
      log(`  ${errors.at(-1)}`);
      return;
    }
    try {
      await run(p);
    } catch (error) {
      errors.push(`${what}: ${(error as Error).message.split("\n")[0]}`);
      log(`  ${errors.at(-1)}\n  its last output:\n${p.output().slice(-3000)}`);
    } finally {
      await p.stop().catch((error: Error) => {
        errors.push(`${what} did not stop: ${error.message.split("\n")[0]}`);
        log(`  ${errors.at(-1)}`);
      });
    }
  };
  const gatewayAnswer = async (url: string, op: ReferenceOperation): Promise<OperationCheck> => {
    const res = await postGraphQL(`${url}/graphql`, op.document, op.variables(0), { token });
    if (res.errors?.length || !res.data)
      throw new Error(`${op.id}: ${JSON.stringify(res.errors).slice(0, 300)}`);
    return op.check(res.data);
  };
  const compare = (round: number, side: ThroughputSide, operation: string, got: OperationCheck) => {
    const reference = gatewayChecks.get(operation.replace(/-repeated$/, ""));
    if (!reference) return;
    const sameRows = isDeepStrictEqual(reference, got);
    checks.push({
      round,
      operation,
      side,
      sameRows,
      ...(sameRows ? {} : { mismatch: describeMismatch(reference, got) }),
    });
    if (!sameRows) log(`  ${side} ${operation}: rows differ from the gateway's: ${checks.at(-1)!.mismatch}`);
  };

  const floorSpec: FloorSpec = {
    experimentId: discovery.main.id,
    userId: options.userId,
    macroFilename: discovery.macro.filename,
    typedFields: discovery.typedFields,
    operations: Object.fromEntries(
      uncached.map((op) => [
        op.id,
        op.id === "macro-page"
          ? { kind: "page", size: 100 }
          : { kind: "dashboard", size: Number(op.id.split("-")[1]) },
      ]),
    ),
  };

  let peer: PeerSetup | null = null;
  let peerInfo: ThroughputReport["peer"] = null;
  if (options.peer) {
    if (!uncached.some((op) => op.id === "macro-page")) {
      peerInfo = { error: "--peer needs the uncached typed page (macro-page), which --only left out" };
    } else {
      try {
        peer = await setUpPeer({
          dbPath: options.dbPath,
          experimentId: discovery.main.id,
          macroFilename: discovery.macro.filename,
          typedFields: discovery.typedFields,
          pageSize: 100,
          prefix: options.peerPrefix,
          log,
        });
        peerInfo = {
          postgres: peer.postgres,
          postgraphile: peer.postgraphile,
          rows: peer.rows,
          setupS: peer.setupS,
        };
      } catch (error) {
        peerInfo = { error: (error as Error).message.split("\n")[0]! };
        log(`peer: ${peerInfo.error}`);
      }
    }
  }

  try {
    for (let round = 1; round <= options.rounds; round++) {
      log(`throughput round ${round}/${options.rounds} (${seconds} s per load, c=${concurrency.join(",")})…`);
      if (uncached.length) {
        await withServer(
          "gateway (caches off)",
          () =>
            startGateway({
              dbFile: options.dbPath,
              timeoutMs: 300_000,
              env: { ...GATEWAY_ENV, ...UNCACHED_ENV },
            }),
          async (gw) => {
            for (const op of uncached) {
              const check = await gatewayAnswer(gw.url, op);
              if (!gatewayChecks.has(op.id)) gatewayChecks.set(op.id, check);
              else compare(round, "gateway", op.id, check);
              await measure(
                graphqlTarget(gw.url, op),
                { round, side: "gateway", operation: op.id },
                concurrency,
              );
            }
          },
        );
        await withServer(
          "floor server",
          () =>
            startGateway({
              script: "test/bench/floor-server.ts",
              dbFile: options.dbPath,
              env: { NODE_ENV: "production", FLOOR_SPEC: JSON.stringify(floorSpec) },
            }),
          async (floor) => {
            for (const op of uncached) {
              const url = `${floor.url}/floor/${op.id}`;
              const res = await fetch(url);
              if (!res.ok) throw new Error(`floor ${op.id}: ${res.status} ${await res.text()}`);
              compare(round, "floor", op.id, op.floorCheck((await res.json()) as FloorRow[]));
              await measure({ url, method: "GET" }, { round, side: "floor", operation: op.id }, concurrency);
            }
          },
        );
      }
      if (peer && macroPage) {
        const p = peer;
        await withServer("PostGraphile", p.startServer, async (server) => {
          compare(round, "peer", "macro-page", { keys: await p.pageIds(server.url), total: null });
          await measure(
            {
              url: `${server.url}/graphql`,
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ query: p.document, variables: p.variables }),
            },
            { round, side: "peer", operation: "macro-page" },
            concurrency,
          );
        });
      }
      if (cached.length) {
        await withServer(
          "gateway (default caches)",
          () => startGateway({ dbFile: options.dbPath, timeoutMs: 300_000, env: GATEWAY_ENV }),
          async (gw) => {
            for (const op of cached) {
              compare(round, "gateway-cached", op.id, await gatewayAnswer(gw.url, op));
              await measure(graphqlTarget(gw.url, op), { round, side: "gateway-cached", operation: op.id }, [
                top,
              ]);
            }
          },
        );
        await withServer(
          "bare Yoga",
          () => startGateway({ script: "test/bench/bare-yoga-server.ts", env: { NODE_ENV: "production" } }),
          async (yoga) => {
            const body = JSON.stringify({ query: "{ hello }" });
            await measure(
              {
                url: `${yoga.url}/graphql`,
                method: "POST",
                headers: { "content-type": "application/json" },
                body,
              },
              { round, side: "bare-yoga", operation: BARE_YOGA },
              [top],
            );
          },
        );
      }
    }
  } finally {
    await peer?.stop();
  }
  return {
    seconds,
    rounds: options.rounds,
    warmupS,
    concurrency,
    loadAverage: { start, end: loadavg() },
    titles,
    samples,
    checks,
    peer: peerInfo,
    errors,
  };
}
