/**
 * `npm run bench:subscriptions -- [--subscribers 5000] [--experiments 50] [--window-s 30] [--poll-ms 2000]`
 *
 * Subscribers through the REAL server: a gateway process on an embedded lakehouse with `--experiments` active public
 * experiments (the `ci` preset's, cloned), its ingest simulation writing to 10 of them every second and NOT pushing
 * its writes (`STREAM_WRITE_PUSH=false`), so every event goes the poller's way: one statement per interval. The
 * bench process holds `--subscribers` graphql-ws connections (one `sampleAdded` subscription each, spread evenly) and
 * measures, over `--window-s`:
 *   - delivery latency: receive time − the row's processed (commit) time, same clock; p50/p99 beside the bound
 *     (poll interval + 250 ms);
 *   - completeness: every subscriber of an experiment received exactly the rows the lakehouse committed for it in
 *     the window (checked against a query of the experiment's samples afterwards);
 *   - lakehouse read statements per poll (from `/metrics`: reads counted by the connector, polls by the hub);
 *   - the server's RSS per subscriber (VmRSS before and after subscribing).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { seedDemo } from "../../lakehouse/demo/seed-demo.js";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import { sql, table } from "../../lakehouse/sql.js";
import { startGateway, tempDir } from "../support/gateway-process.js";
import { wsUrl } from "../support/subscription-clients.js";
import { percentile } from "./latency-stats.js";

const log = (line: string) => process.stderr.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    subscribers: { type: "string", default: "5000" },
    experiments: { type: "string", default: "50" },
    "window-s": { type: "string", default: "30" },
    "poll-ms": { type: "string", default: "2000" },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const EXPERIMENTS = Number(values.experiments);
const WINDOW_MS = Number(values["window-s"]) * 1000;
const POLL_MS = Number(values["poll-ms"]);

const TABLES = [
  "experiments",
  "experiment_members",
  "experiment_raw_data",
  "experiment_macro_data",
  "experiment_device_data",
  "experiment_macros",
  "experiment_contributors",
  "experiment_status",
] as const;

async function prepareDatabase(path: string): Promise<string[]> {
  const duck = await openCentrumDuckDb(path, { connections: 1 });
  await seedDemo(duck, { preset: "ci", seed: 42 });
  const [source] = await duck.query<{ experiment_id: string }>(
    sql`SELECT experiment_id FROM ${table("experiments")} WHERE status = 'active' AND visibility = 'public' ORDER BY experiment_id LIMIT 1`,
  );
  const ids = [source!.experiment_id];
  for (let i = 1; i < EXPERIMENTS; i++) {
    const id = `bench-stream-${String(i).padStart(3, "0")}`;
    ids.push(id);
    for (const t of TABLES) {
      await duck.execute(
        sql`INSERT INTO ${table(t)} SELECT * REPLACE (${id} AS experiment_id) FROM ${table(t)} WHERE experiment_id = ${source!.experiment_id}`,
      );
    }
  }
  await duck.close();
  return ids;
}

function rssBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) * 1024;
}

async function metric(url: string, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    const m = pattern.exec(line);
    if (m) total += Number(m[1]);
  }
  return total;
}

interface Subscriber {
  readonly experimentId: string;
  readonly ids: string[];
  /** [processed at, received at] per event. */
  readonly latencies: [number, number][];
  dispose(): Promise<void>;
}

async function main(): Promise<void> {
  const dir = tempDir("centrum-sub-bench-");
  const dbFile = join(dir, "centrum.duckdb");
  log(`preparing ${EXPERIMENTS} experiments…`);
  const experimentIds = await prepareDatabase(dbFile);
  const gw = await startGateway({
    dbFile,
    env: {
      SIMULATE: "true",
      SIMULATE_INTERVAL_MS: "1000",
      SIMULATE_EXPERIMENTS_PER_TICK: "10",
      STREAM_WRITE_PUSH: "false",
      STREAM_POLL_MS: String(POLL_MS),
      CACHE_TTL_MS: "0",
      // All 5,000 clients share one address (one anonymous caller): its subscription and cost caps are raised.
      SUBSCRIPTIONS_PER_CALLER: String(SUBSCRIBERS + 10),
      RATE_LIMIT_POINTS: String(4 * SUBSCRIBERS),
      LOG_LEVEL: "debug",
      EXPOSE_STATEMENTS: "false",
    },
  });
  try {
    const rssBefore = rssBytes(gw.pid);
    log(`opening ${SUBSCRIBERS} WebSocket subscribers…`);
    const subscribers: Subscriber[] = [];
    const startedLines = gw.countLines(/"msg":"subscription started"/);
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const experimentId = experimentIds[i % experimentIds.length]!;
      const client = createClient({
        url: wsUrl(gw.url),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
      });
      const sub: Subscriber = {
        experimentId,
        ids: [],
        latencies: [],
        dispose: async () => {
          await client.dispose();
        },
      };
      client.subscribe<{ sampleAdded: { sample: { id: string; processedTimestamp: string } } }>(
        {
          query: `subscription($e: ID!) { sampleAdded(experimentId: $e) { cursor sample { id processedTimestamp } } }`,
          variables: { e: experimentId },
        },
        {
          next: (r) => {
            const s = r.data?.sampleAdded.sample;
            if (!s) return;
            sub.latencies.push([Date.parse(s.processedTimestamp), Date.now()]);
            sub.ids.push(s.id);
          },
          error: (e) => log(`subscriber error: ${JSON.stringify(e).slice(0, 200)}`),
          complete: () => undefined,
        },
      );
      subscribers.push(sub);
      if (i % 500 === 499)
        await gw.waitForLines(/"msg":"subscription started"/, startedLines + i + 1, 120_000);
    }
    await gw.waitForLines(/"msg":"subscription started"/, startedLines + SUBSCRIBERS, 120_000);
    const rssAfter = rssBytes(gw.pid);
    // The window starts at a poll, so every row processed after `t0` is new to every subscriber.
    const polls = /"msg":"stream poll"/;
    await gw.waitForLines(polls, gw.countLines(polls) + 1, 30_000);
    const t0 = Date.now();
    for (const s of subscribers) {
      s.ids.length = 0;
      s.latencies.length = 0;
    }
    const readsBefore = await metric(
      gw.url,
      /^centrum_lakehouse_statements_total\{[^}]*origin="stream-poll"[^}]*\} (\d+)/,
    );
    const pollsBefore = await metric(gw.url, /^centrum_stream_polls (\d+)/);
    const everything = /^centrum_lakehouse_statements_total\{[^}]*\} (\d+)/;
    const othersBefore = (await metric(gw.url, everything)) - readsBefore;
    const windowStart = performance.now();
    await new Promise<void>((resolve) => setTimeout(resolve, WINDOW_MS)); // the measurement window (load runs meanwhile)
    // End at a poll, then let its fan-out reach every socket.
    await gw.waitForLines(polls, gw.countLines(polls) + 1, 30_000);
    const elapsedMs = performance.now() - windowStart;
    const readsAfter = await metric(
      gw.url,
      /^centrum_lakehouse_statements_total\{[^}]*origin="stream-poll"[^}]*\} (\d+)/,
    );
    const pollsAfter = await metric(gw.url, /^centrum_stream_polls (\d+)/);
    const othersAfter = (await metric(gw.url, everything)) - readsAfter;
    const tEnd = Date.now();

    // What the lakehouse committed per experiment in the window (processed after t0, up to the last delivered).
    const delivered = new Map<string, Set<string>>();
    for (const s of subscribers) {
      const set = delivered.get(s.experimentId) ?? new Set<string>();
      for (const id of s.ids) set.add(id);
      delivered.set(s.experimentId, set);
    }
    let incomplete = 0;
    let duplicates = 0;
    let committed = 0;
    for (const experimentId of experimentIds) {
      const res = await fetch(`${gw.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          query: `query($id: ID!) { experiment(id: $id) { samples(first: 1000) { edges { node { id processedTimestamp } } } } }`,
          variables: { id: experimentId },
        }),
      });
      const body = (await res.json()) as {
        data: { experiment: { samples: { edges: { node: { id: string; processedTimestamp: string } }[] } } };
      };
      const union = delivered.get(experimentId) ?? new Set();
      const lastDelivered = Math.max(
        0,
        ...body.data.experiment.samples.edges
          .filter((e) => union.has(e.node.id))
          .map((e) => Date.parse(e.node.processedTimestamp)),
      );
      const expected = body.data.experiment.samples.edges
        .filter((e) => {
          const at = Date.parse(e.node.processedTimestamp);
          return at > t0 && at <= Math.min(lastDelivered, tEnd);
        })
        .map((e) => e.node.id)
        .sort();
      committed += expected.length;
      for (const s of subscribers.filter((x) => x.experimentId === experimentId)) {
        const got = s.ids.filter((id) => expected.includes(id));
        if (new Set(s.ids).size !== s.ids.length) duplicates++;
        if (got.length !== expected.length || [...got].sort().join() !== expected.join()) incomplete++;
      }
    }
    // Rows committed in the window (earlier ones may still have been on their way when it began), timed from their
    // commit (the simulation's log: processed stamp → commit time) and from their processed stamp.
    const committedAt = new Map<number, number>();
    for (const m of gw.output().matchAll(/ingest committed: processed=(\d+) committed=(\d+)/g))
      committedAt.set(Number(m[1]), Number(m[2]));
    const inWindow = subscribers.flatMap((s) => s.latencies.filter(([at]) => at > t0));
    const latencies = inWindow
      .map(([at, received]) => received - (committedAt.get(at) ?? Number.NaN))
      .sort((a, b) => a - b);
    const fromStamp = inWindow.map(([at, received]) => received - at).sort((a, b) => a - b);
    const writeMs = [...committedAt]
      .filter(([at]) => at > t0)
      .map(([at, c]) => c - at)
      .sort((a, b) => a - b);
    const pollsInWindow = pollsAfter - pollsBefore;
    const report = {
      subscribers: SUBSCRIBERS,
      experiments: EXPERIMENTS,
      windowS: Math.round(elapsedMs / 100) / 10,
      pollMs: POLL_MS,
      rowsCommitted: committed,
      eventsDelivered: latencies.length,
      subscribersMissingRows: incomplete,
      subscribersWithDuplicates: duplicates,
      unmatchedCommits: latencies.filter((l) => Number.isNaN(l)).length,
      latencyP50Ms: percentile(latencies, 50),
      latencyP99Ms: percentile(latencies, 99),
      latencyMaxMs: latencies.at(-1) ?? Number.NaN,
      boundMs: POLL_MS + 250,
      fromProcessedStampP50Ms: percentile(fromStamp, 50),
      fromProcessedStampP99Ms: percentile(fromStamp, 99),
      ingestWriteP50Ms: percentile(writeMs, 50),
      ingestWriteMaxMs: writeMs.at(-1) ?? Number.NaN,
      polls: pollsInWindow,
      pollStatements: readsAfter - readsBefore,
      pollStatementsPerPoll: pollsInWindow ? (readsAfter - readsBefore) / pollsInWindow : Number.NaN,
      otherStatements: othersAfter - othersBefore,
      rssBeforeMiB: Math.round(rssBefore / 2 ** 20),
      rssAfterMiB: Math.round(rssAfter / 2 ** 20),
      rssPerSubscriberKiB: Math.round((rssAfter - rssBefore) / SUBSCRIBERS / 1024),
    };
    console.log(JSON.stringify(report, null, 2));
    if (process.env.BENCH_VERBOSE) {
      log(
        gw
          .output()
          .split("\n")
          .filter((l) => /stream poll/.test(l))
          .slice(-12)
          .join("\n"),
      );
    }
    await Promise.all(subscribers.map((s) => s.dispose()));
  } finally {
    await gw.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
