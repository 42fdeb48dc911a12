/**
 * Two real gateway processes sharing a real `redis-server`: an annotation written through one reaches a subscriber
 * of the other; exactly one of them polls the lakehouse (a lease), for the subscribers of both; when it stops,
 * the other takes over. Rate limits (cost points, mutations per minute) are one budget across both. (Each process has its own copy of the same demo lakehouse: DuckDB admits one writing
 * process per file. In production both share one Databricks warehouse.)
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { type GatewayProcess, startGateway, TEST_JWT_SECRET } from "../support/gateway-process.js";
import { type RedisServer, startRedisServer } from "../support/redis-server.js";
import { subscribe, wsClient } from "../support/subscription-clients.js";

const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };

let redis: RedisServer;
let a: GatewayProcess;
let b: GatewayProcess;
let memberToken: string;

const POLLS = /"msg":"stream poll"/;

async function polls(gw: GatewayProcess): Promise<number> {
  const text = await (await gw.get("/metrics")).text();
  const match = /^centrum_stream_polls (\d+)/m.exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

beforeAll(async () => {
  redis = await startRedisServer();
  const env = {
    REDIS_URL: redis.url,
    REDIS_PREFIX: `test-${process.pid}`,
    STREAM_POLL_MS: "200",
    LOG_LEVEL: "debug",
    DEMO_SEED: "77",
    // Small budgets, so that sharing them shows: 30 statement points that barely drain, 4 mutations a minute.
    RATE_LIMIT_POINTS: "30",
    RATE_LIMIT_DRAIN_PER_S: "0.01",
    MUTATIONS_PER_MINUTE: "4",
  };
  [a, b] = await Promise.all([startGateway({ env }), startGateway({ env })]);
  memberToken = await signToken(JWT, DEMO_PERSONAS.member.id);
}, 120_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await redis?.stop();
});

it("spends one caller's cost points and mutation calls from one budget across both processes", async () => {
  const viewer = await signToken(JWT, DEMO_PERSONAS.viewer.id);
  const codes: (string | undefined)[] = [];
  let refusal: Record<string, unknown> | undefined;
  for (let i = 0; i < 40 && !refusal; i++) {
    const res = await (i % 2 === 0 ? a : b).gql(`{ viewer { userId } }`, {}, { token: viewer });
    const error = res.errors?.[0];
    codes.push(error?.extensions?.code as string | undefined);
    if (error) refusal = error.extensions as Record<string, unknown>;
  }
  // One point each: 30 answered (15 by each process), then refused — not 30 by each.
  expect(codes.filter((c) => c === undefined)).toHaveLength(30);
  expect(refusal).toMatchObject({ code: "RATE_LIMITED" });
  expect(refusal!.retryAfter as number).toBeGreaterThan(0);

  const admin = await signToken(JWT, DEMO_PERSONAS.admin.id);
  const experiments = await a.gql<{ experiments: { edges: { node: { id: string; visibility: string } }[] } }>(
    `{ experiments(first: 20) { edges { node { id visibility } } } }`,
    {},
    { token: admin },
  );
  expect(experiments.errors).toBeUndefined();
  const experimentId = experiments.data!.experiments.edges.find((e) => e.node.visibility === "PUBLIC")!.node
    .id;
  const rows = await a.gql<{ experiment: { samples: { edges: { node: { rowId: string } }[] } } }>(
    `query($id: ID!) { experiment(id: $id) { samples(first: 1) { edges { node { rowId } } } } }`,
    { id: experimentId },
    { token: admin },
  );
  const rowId = rows.data!.experiment.samples.edges[0]!.node.rowId;
  const mutationCodes: (string | undefined)[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await (i % 2 === 0 ? a : b).gql(
      `mutation($input: AddAnnotationInput!) { addAnnotation(input: $input) { annotations { id } } }`,
      { input: { experimentId, table: "sample", rowId, type: "COMMENT", text: `shared budget ${i}` } },
      { token: admin },
    );
    mutationCodes.push(res.errors?.[0]?.extensions?.code as string | undefined);
  }
  expect(mutationCodes).toEqual([undefined, undefined, undefined, undefined, "RATE_LIMITED"]);
}, 120_000);

it("shares annotations, one poller and its lease across two processes", async () => {
  const experiments = await a.gql<{ experiments: { edges: { node: { id: string; visibility: string } }[] } }>(
    `{ experiments(first: 20) { edges { node { id visibility } } } }`,
    {},
    { token: memberToken },
  );
  const privateId = experiments.data!.experiments.edges.find((e) => e.node.visibility === "PRIVATE")!.node.id;
  const rows = await a.gql<{ experiment: { photosynthesis: { edges: { node: { rowId: string } }[] } } }>(
    `query($id: ID!) { experiment(id: $id) { photosynthesis(first: 1) { edges { node { rowId } } } } }`,
    { id: privateId },
    { token: memberToken },
  );
  const rowId = rows.data!.experiment.photosynthesis.edges[0]!.node.rowId;

  // A subscriber on B…
  const client = wsClient(b.url, memberToken);
  try {
    const rec = subscribe<{
      annotationChanged: { kind: string; rowId: string; annotation: { text: string } };
    }>(
      client,
      `subscription($e: ID!) { annotationChanged(experimentId: $e) { kind rowId annotation { text } } }`,
      { e: privateId },
    );
    await b.waitForLine(/"msg":"subscription started"/, 30_000);
    // …hears an annotation written through A.
    const written = await a.gql(
      `mutation($input: AddAnnotationInput!) { addAnnotation(input: $input) { annotations { id } } }`,
      {
        input: {
          experimentId: privateId,
          table: "macro_photosynthesis",
          rowId,
          type: "COMMENT",
          text: "across processes",
        },
      },
      { token: memberToken },
    );
    expect(written.errors).toBeUndefined();
    await rec.waitForCount(1);
    expect(rec.data[0]!.annotationChanged).toMatchObject({
      kind: "ADDED",
      rowId,
      annotation: { text: "across processes" },
    });

    // B's subscriber makes the experiment watched; exactly one process holds the lease and polls for both.
    const holderLine = /now polls the lakehouse for every gateway process/;
    const holder = await Promise.any([
      a.waitForLine(holderLine, 30_000).then(() => a),
      b.waitForLine(holderLine, 30_000).then(() => b),
    ]);
    const other = holder === a ? b : a;
    await holder.waitForLine(/"msg":"stream poll"/, 30_000);
    // Two more polls of the holder: the other process polled in none of them.
    await holder.waitForLines(POLLS, holder.countLines(POLLS) + 2, 30_000);
    expect(other.output()).not.toMatch(holderLine);
    expect(await polls(other)).toBe(0);
    expect(await polls(holder)).toBeGreaterThanOrEqual(2);

    // The holder stops: it gives the lease up and the other process takes over (for a subscriber of its own).
    const startedLines = other.countLines(/"msg":"subscription started"/);
    const survivor = wsClient(other.url, memberToken);
    subscribe(survivor, `subscription($e: ID!) { annotationChanged(experimentId: $e) { kind } }`, {
      e: privateId,
    });
    await other.waitForLines(/"msg":"subscription started"/, startedLines + 1, 30_000);
    await holder.stop();
    await other.waitForLine(holderLine, 30_000);
    await other.waitForLine(/"msg":"stream poll"/, 30_000);
    expect(await polls(other)).toBeGreaterThanOrEqual(1);
    await survivor.dispose();
  } finally {
    await client.dispose();
  }
}, 180_000);
