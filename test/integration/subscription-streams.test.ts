/**
 * Subscriptions against the real server (Yoga + graphql-ws over a real socket, in this process so the test can
 * drive ingest and change access in the embedded lakehouse while it serves): resume across 100 forced disconnects
 * during steady ingest loses and repeats nothing (checked against the lakehouse's rows), one statement per poll
 * whatever the number of subscribers, streams end with FORBIDDEN when access ends, a slow consumer's stream ends
 * with the cursor to resume from, annotations and schema swaps are pushed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { type Simulation, startSimulation } from "../../lakehouse/demo/simulate.js";
import { sql, table } from "../../lakehouse/sql.js";
import type { StreamEvent } from "../../resolvers/streams/stream-hub.js";
import {
  comparePositions,
  decodeStreamCursor,
  type StreamPosition,
} from "../../resolvers/streams/stream-position.js";
import { TEST_JWT_SECRET } from "../support/gateway-process.js";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";
import { failureCode, type Recorder, subscribe, wsClient } from "../support/subscription-clients.js";

const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };

let gw: InProcessGateway;
let sim: Simulation;
let publicId: string;
let privateId: string;
let memberToken: string;

const MEASUREMENTS = `subscription($e: ID!, $after: String) {
  measurementAdded(experimentId: $e, after: $after) {
    cursor
    measurement { rowId macroFilename ... on PhotosynthesisMeasurement { Phi2 } }
  }
}`;

interface MeasurementData {
  measurementAdded: {
    cursor: string;
    measurement: { rowId: string; macroFilename: string; Phi2?: number | null };
  };
}

async function head(id: string, token?: string): Promise<{ measurements: string; samples: string }> {
  const res = await gw.gql<{ experiment: { streamHead: { measurements: string; samples: string } } }>(
    `query($id: ID!) { experiment(id: $id) { streamHead { measurements samples } } }`,
    { id },
    token ? { token } : {},
  );
  expect(res.errors).toBeUndefined();
  return res.data!.experiment.streamHead;
}

/** Macro rows of an experiment (failed runs left out, as a subscription without includeErrors does) with their positions, straight from the lakehouse. */
async function macroRows(experimentId: string): Promise<{ key: string; position: StreamPosition }[]> {
  const rows = await gw.lakehouse.query<{ macro_filename: string; id: bigint; pos: bigint }>(
    sql`SELECT macro_filename, id, epoch_us(processed_timestamp) AS pos FROM ${table("experiment_macro_data")}
      WHERE experiment_id = ${experimentId} AND macro_error IS NULL`,
  );
  return rows.map((r) => ({
    key: `${r.macro_filename}/${r.id}`,
    position: { pos: r.pos, file: r.macro_filename, id: r.id },
  }));
}

/** Resolves once `n` more subscriptions have started in the hub (waits on its `started` events). */
function started(n: number): { done: Promise<void> } {
  const hub = gw.runtime.streams;
  let seen = 0;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      hub.events.off("started", onStarted);
      reject(new Error(`only ${seen} of ${n} subscriptions started`));
    }, 30_000);
    const onStarted = () => {
      if (++seen < n) return;
      clearTimeout(timer);
      hub.events.off("started", onStarted);
      resolve();
    };
    hub.events.on("started", onStarted);
  });
  return { done };
}

beforeAll(async () => {
  gw = await startInProcessGateway({
    // Polls only when the test (or a write) asks; no other statements in the background.
    STREAM_POLL_MS: "3600000",
    CACHE_TTL_MS: "0",
    CATALOG_POLL_MS: "3600000",
    STREAM_BUFFER: "40",
  });
  sim = startSimulation(gw.lakehouse, {
    intervalMs: 3_600_000,
    seed: 11,
    onTick: () => void gw.runtime.streams.poll(),
  });
  const [pub] = await gw.lakehouse.query<{ experiment_id: string }>(
    sql`SELECT experiment_id FROM ${table("experiments")} WHERE status = 'active' AND visibility = 'public'
      ORDER BY experiment_id LIMIT 1`,
  );
  const [priv] = await gw.lakehouse.query<{ experiment_id: string }>(
    sql`SELECT experiment_id FROM ${table("experiments")} WHERE status = 'active' AND visibility = 'private'
      ORDER BY experiment_id LIMIT 1`,
  );
  publicId = pub!.experiment_id;
  privateId = priv!.experiment_id;
  memberToken = await signToken(JWT, DEMO_PERSONAS.member.id);
});

afterAll(async () => {
  await sim?.stop();
  await gw?.stop();
});

describe("resume", () => {
  it("100 forced disconnects during steady ingest lose and repeat nothing", async () => {
    const start = (await head(publicId)).measurements;
    const delivered: string[] = [];
    let cursor = start;
    // Steady ingest: the simulation's own timer keeps writing while the client drops and resumes.
    const ingest = startSimulation(gw.lakehouse, {
      intervalMs: 100,
      seed: 12,
      onTick: () => void gw.runtime.streams.poll(),
    });
    try {
      for (let round = 0; round < 100; round++) {
        const client = wsClient(gw.url);
        const rec = subscribe<MeasurementData>(client, MEASUREMENTS, { e: publicId, after: cursor });
        // Drop the connection as soon as something arrived (more may be in flight on the wire).
        await rec.waitFor((r) => r.data.length >= 1 || r.ended, "an event");
        client.terminate();
        expect(rec.failure).toBeNull();
        for (const d of rec.data)
          delivered.push(
            `${d.measurementAdded.measurement.macroFilename}/${d.measurementAdded.measurement.rowId}`,
          );
        cursor = rec.data.at(-1)!.measurementAdded.cursor;
      }
    } finally {
      await ingest.stop();
    }
    const from = decodeStreamCursor("measurements", publicId, start);
    const to = decodeStreamCursor("measurements", publicId, cursor);
    const expected = (await macroRows(publicId))
      .filter((r) => comparePositions(r.position, from) > 0 && comparePositions(r.position, to) <= 0)
      .sort((a, b) => comparePositions(a.position, b.position))
      .map((r) => r.key);
    expect(new Set(delivered).size).toBe(delivered.length); // no duplicates
    expect(delivered).toEqual(expected); // nothing lost, in commit order
    expect(delivered.length).toBeGreaterThanOrEqual(100);
  }, 120_000);
});

describe("the poller", () => {
  it("reads new rows for every subscriber in exactly one statement per poll, and none without subscribers", async () => {
    const statements = gw.lakehouse.statements;
    await gw.runtime.streams.poll();
    const idle = statements.total;
    await gw.runtime.streams.poll();
    expect(statements.total - idle).toBe(0); // nobody listens: no statement

    const anonymous = wsClient(gw.url);
    const member = wsClient(gw.url, memberToken);
    const heads = { pub: await head(publicId), priv: await head(privateId, memberToken) };
    const subs: Recorder<MeasurementData>[] = [];
    const all = started(60);
    for (let i = 0; i < 30; i++) {
      subs.push(subscribe(anonymous, MEASUREMENTS, { e: publicId, after: heads.pub.measurements }));
      subs.push(subscribe(member, MEASUREMENTS, { e: privateId, after: heads.priv.measurements }));
    }
    try {
      // Every subscription has started once the hub counts it (its replay statement ran).
      await all.done;
      // Written without telling the hub, so the poll below is the only one.
      const quiet = startSimulation(gw.lakehouse, { intervalMs: 3_600_000, seed: 13 });
      const tick = await quiet.tick();
      await quiet.stop();
      expect(tick?.experimentIds).toEqual(expect.arrayContaining([publicId, privateId]));
      const before = statements.total;
      const published = await gw.runtime.streams.poll();
      expect(statements.total - before).toBe(1);
      expect(published).toBeGreaterThan(0);
      // Every subscriber gets exactly its experiment's new macro rows (several per sample).
      const counts = await gw.lakehouse.query<{ experiment_id: string; n: bigint; ok: bigint }>(
        sql`SELECT experiment_id, count(*) AS n, count(*) FILTER (WHERE macro_error IS NULL) AS ok
          FROM ${table("experiment_macro_data")}
          WHERE epoch_ms(processed_timestamp) = ${tick!.processedMs} GROUP BY experiment_id`,
      );
      const total = new Map(counts.map((c) => [c.experiment_id, Number(c.n)]));
      expect(published).toBe(total.get(publicId)! + total.get(privateId)!);
      // Failed macro runs are left out (no includeErrors), as a connection leaves them out.
      const expected = new Map(counts.map((c) => [c.experiment_id, Number(c.ok)]));
      await Promise.all(
        subs.map((s, i) => s.waitForCount(expected.get(i % 2 === 0 ? publicId : privateId)!)),
      );
      subs.forEach((s, i) => {
        expect(s.data.length).toBe(expected.get(i % 2 === 0 ? publicId : privateId));
      });
      // An idle poll with subscribers is still one statement (and delivers nothing new).
      const idleBefore = statements.total;
      expect(await gw.runtime.streams.poll()).toBe(0);
      expect(statements.total - idleBefore).toBe(1);
    } finally {
      for (const s of subs) (s as unknown as { unsubscribe: () => void }).unsubscribe();
      await anonymous.dispose();
      await member.dispose();
    }
  }, 60_000);
});

describe("access", () => {
  it("ends a member's stream with FORBIDDEN when the membership ends", async () => {
    const client = wsClient(gw.url, memberToken);
    const one = started(1);
    const rec = subscribe<MeasurementData>(client, MEASUREMENTS, { e: privateId });
    await one.done;
    // No poll in between: the access fingerprint the start statement read is what the next poll compares.
    const members = await gw.lakehouse.query<{ role: string }>(
      sql`SELECT role FROM ${table("experiment_members")} WHERE experiment_id = ${privateId} AND user_id = ${DEMO_PERSONAS.member.id}`,
    );
    await gw.lakehouse.execute(
      sql`DELETE FROM ${table("experiment_members")} WHERE experiment_id = ${privateId} AND user_id = ${DEMO_PERSONAS.member.id}`,
    );
    try {
      await gw.runtime.streams.poll();
      await rec.waitForEnd();
      expect(rec.results.at(-1)?.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(rec.completed).toBe(true);
    } finally {
      await gw.lakehouse.execute(
        sql`INSERT INTO ${table("experiment_members")} (experiment_id, user_id, role) VALUES (${privateId}, ${DEMO_PERSONAS.member.id}, ${members[0]!.role})`,
      );
      await client.dispose();
    }
  });

  it("ends an anonymous stream with FORBIDDEN when the experiment turns private", async () => {
    const client = wsClient(gw.url);
    const one = started(1);
    const rec = subscribe<MeasurementData>(client, MEASUREMENTS, { e: publicId });
    await one.done;
    await gw.lakehouse.execute(
      sql`UPDATE ${table("experiments")} SET visibility = 'private' WHERE experiment_id = ${publicId}`,
    );
    try {
      await gw.runtime.streams.poll();
      await rec.waitForEnd();
      expect(rec.results.at(-1)?.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    } finally {
      await gw.lakehouse.execute(
        sql`UPDATE ${table("experiments")} SET visibility = 'public' WHERE experiment_id = ${publicId}`,
      );
      await client.dispose();
    }
  });
});

describe("slow consumers", () => {
  it("ends the stream of a consumer that does not keep up, with the cursor it can resume from", async () => {
    const access = new (await import("../../resolvers/access/experiment-access.js")).ExperimentAccess({
      userId: null,
      name: null,
    });
    const start = (await head(publicId)).samples;
    const stream = await gw.runtime.streams.open({
      kind: "samples",
      experimentId: publicId,
      access,
      caller: "test:slow",
      after: start,
    });
    // Nobody reads: ticks until more than the buffer (40) waits.
    let written = 0;
    while (written <= 45) {
      const tick = await sim.tick();
      written += tick?.ids.get(publicId)?.length ?? 0;
      await gw.runtime.streams.poll();
    }
    const first = await stream.next();
    const end = first.value as StreamEvent;
    expect(end.kind).toBe("end");
    const error = (end as Extract<StreamEvent, { kind: "end" }>).error;
    expect(error.code).toBe("SLOW_CONSUMER");
    expect(error.details.cursor).toBe(start); // nothing was delivered
    expect((await stream.next()).done).toBe(true);

    // Resuming from that cursor replays everything it missed.
    const client = wsClient(gw.url);
    const rec = subscribe<{ sampleAdded: { sample: { id: string } } }>(
      client,
      `subscription($e: ID!, $a: String) { sampleAdded(experimentId: $e, after: $a) { cursor sample { id } } }`,
      { e: publicId, a: error.details.cursor },
    );
    try {
      await rec.waitForCount(written);
      expect(rec.data.length).toBe(written);
    } finally {
      await client.dispose();
    }
  });
});

describe("annotations and schema", () => {
  it("pushes an annotation written through the gateway", async () => {
    const [row] = await gw.lakehouse.query<{ id: bigint }>(
      sql`SELECT id FROM ${table("experiment_macro_data")} WHERE experiment_id = ${privateId} AND macro_filename = 'macro_photosynthesis' LIMIT 1`,
    );
    const client = wsClient(gw.url, memberToken);
    const one = started(1);
    const rec = subscribe<{
      annotationChanged: { kind: string; table: string; rowId: string; annotation: { text: string } };
    }>(
      client,
      `subscription($e: ID!) { annotationChanged(experimentId: $e) { kind table rowId annotation { id text type } } }`,
      { e: privateId },
    );
    try {
      await one.done;
      const res = await gw.gql(
        `mutation($input: AddAnnotationInput!) { addAnnotation(input: $input) { annotations { id } } }`,
        {
          input: {
            experimentId: privateId,
            table: "macro_photosynthesis",
            rowId: row!.id.toString(),
            type: "COMMENT",
            text: "pushed to subscribers",
          },
        },
        { token: memberToken },
      );
      expect(res.errors).toBeUndefined();
      await rec.waitForCount(1);
      expect(rec.data[0]!.annotationChanged).toMatchObject({
        kind: "ADDED",
        table: "macro_photosynthesis",
        rowId: row!.id.toString(),
        annotation: { text: "pushed to subscribers" },
      });
    } finally {
      await client.dispose();
    }
  });

  it("pushes a schema change with the macros it added", async () => {
    const client = wsClient(gw.url);
    const one = started(1);
    const rec = subscribe<{ schemaChanged: { version: string; added: string[] } }>(
      client,
      `subscription { schemaChanged { version added changed removed } }`,
    );
    try {
      await one.done;
      await gw.lakehouse.execute(
        sql`INSERT INTO ${table("experiment_macros")} (experiment_id, macro_name, macro_filename, first_seen, last_seen, sample_count, output_schema)
          VALUES (${publicId}, 'Stream Test', 'macro_stream_test', now(), now(), 1, 'OBJECT<value: DOUBLE>')`,
      );
      expect(await gw.runtime.refresh()).toBe(true);
      await rec.waitForCount(1);
      expect(rec.data[0]!.schemaChanged.added).toContain("macro_stream_test");
    } finally {
      await gw.lakehouse.execute(
        sql`DELETE FROM ${table("experiment_macros")} WHERE macro_filename = 'macro_stream_test'`,
      );
      await gw.runtime.refresh();
      await client.dispose();
    }
  });
});

it("rejects bad subscriptions with an error for that operation only", async () => {
  const client = wsClient(gw.url);
  const one = started(1);
  const live = subscribe<MeasurementData>(client, MEASUREMENTS, { e: publicId });
  const cases: [Record<string, unknown>, string][] = [
    [{ e: privateId }, "NOT_FOUND"],
    [{ e: "no-such-experiment" }, "NOT_FOUND"],
    [{ e: publicId, after: "not a cursor!" }, "BAD_USER_INPUT"],
    [{ e: publicId, after: (await head(privateId, memberToken)).measurements }, "BAD_USER_INPUT"],
    [{ e: publicId, after: (await head(publicId)).samples }, "BAD_USER_INPUT"],
  ];
  try {
    for (const [variables, code] of cases) {
      const rec = subscribe(client, MEASUREMENTS, variables);
      await rec.waitForEnd();
      expect(failureCode(rec.failure), JSON.stringify(variables)).toBe(code);
    }
    const unknownMacro = subscribe(
      client,
      `subscription($e: ID!) { measurementAdded(experimentId: $e, macros: ["macro_nope"]) { cursor } }`,
      { e: publicId },
    );
    await unknownMacro.waitForEnd();
    expect(failureCode(unknownMacro.failure)).toBe("BAD_USER_INPUT");
    // The first subscription on the same connection still delivers.
    await one.done;
    const tick = await sim.tick();
    await gw.runtime.streams.poll();
    await live.waitForCount(1);
    expect(tick?.ids.get(publicId)?.map(String)).toContain(live.data[0]!.measurementAdded.measurement.rowId);
  } finally {
    await client.dispose();
  }
});
