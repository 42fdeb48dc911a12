/**
 * The stream hub on a real embedded lakehouse, with the races a slow warehouse makes happen made to happen on
 * purpose: a replay whose answer arrives after a poll delivered newer rows, a replay that read rows a poll also
 * delivers, polls that stop at their row bound, cursors too old to replay.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildMacroTypeModels, type MacroTypeModel } from "../../codegen/macro-type-model.js";
import { seedDemo } from "../../lakehouse/demo/seed-demo.js";
import { type Simulation, startSimulation } from "../../lakehouse/demo/simulate.js";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import type { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import type { QueryOptions, Row } from "../../lakehouse/lakehouse.js";
import { LakehouseWrapper } from "../../lakehouse/lakehouse-wrapper.js";
import { join, render, type Sql, sql, table } from "../../lakehouse/sql.js";
import { variantCastOf } from "../../lakehouse/variant-casts.js";
import { ExperimentAccess } from "../../resolvers/access/experiment-access.js";
import { ANONYMOUS } from "../../resolvers/access/viewer.js";
import { catalogSourceByName } from "../../resolvers/catalog/catalog-source.js";
import { createMemoryPubSub } from "../../resolvers/events/gateway-events.js";
import { modelLeaves } from "../../resolvers/measurements/measurement-selection.js";
import { type MacroFollow, type StreamEvent, StreamHub } from "../../resolvers/streams/stream-hub.js";
import { encodeStreamCursor, STREAM_START } from "../../resolvers/streams/stream-position.js";
import { leafKey } from "../../resolvers/streams/stream-statements.js";

/** Holds back the answer of the next statement that matches until released (it has already run). */
class SlowWarehouse extends LakehouseWrapper {
  #hold: { match: (text: string) => boolean; release: Promise<void>; ran: () => void } | null = null;

  holdNext(match: (text: string) => boolean): { ran: Promise<void>; release: () => void } {
    let release!: () => void;
    let ran!: () => void;
    const ranPromise = new Promise<void>((r) => {
      ran = r;
    });
    this.#hold = { match, release: new Promise<void>((r) => (release = r)), ran };
    return { ran: ranPromise, release };
  }

  async query<R extends object = Row>(statement: Sql, options?: QueryOptions): Promise<R[]> {
    const rows = await this.inner.query<R>(statement, options);
    const hold = this.#hold;
    if (hold?.match(render(statement, this.dialect).text)) {
      this.#hold = null;
      hold.ran();
      await hold.release;
    }
    return rows;
  }

  execute(statement: Sql, options?: QueryOptions): Promise<number | undefined> {
    return this.inner.execute(statement, options);
  }
}

let duck: DuckDbLakehouse;
let sim: Simulation;
let experimentId: string;
const access = new ExperimentAccess(ANONYMOUS);

beforeAll(async () => {
  duck = await openCentrumDuckDb(":memory:", { connections: 3 });
  await seedDemo(duck, { preset: "ci", seed: 5 });
  sim = startSimulation(duck, { intervalMs: 3_600_000, seed: 6 });
  const [row] = await duck.query<{ experiment_id: string }>(
    sql`SELECT experiment_id FROM ${table("experiments")} WHERE status = 'active' AND visibility = 'public' ORDER BY experiment_id LIMIT 1`,
  );
  experimentId = row!.experiment_id;
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  await duck?.close();
});

function hubOn(
  lakehouse: LakehouseWrapper | DuckDbLakehouse,
  options: { pollLimit?: number; replayLimit?: number; bufferSize?: number } = {},
) {
  return new StreamHub({ lakehouse, pubsub: createMemoryPubSub(), intervalMs: 3_600_000, ...options });
}

/** Reads what a stream has queued (the consumer catches up), stopping at the first wait. */
async function drain(stream: AsyncIterableIterator<StreamEvent>, count: number): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  while (out.length < count) {
    const next = await stream.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

async function sampleIdsAfterStart(): Promise<string[]> {
  const rows = await duck.query<{ id: bigint }>(
    sql`SELECT id FROM ${table("experiment_raw_data")} WHERE experiment_id = ${experimentId}
      ORDER BY epoch_us(processed_timestamp), id`,
  );
  return rows.map((r) => r.id.toString());
}

const FROM_THE_START = () => encodeStreamCursor("samples", experimentId, STREAM_START);

describe("resume without gaps", () => {
  it("keeps rows a poll delivers while a replay's (older) answer is still on its way", async () => {
    const slow = new SlowWarehouse(duck);
    const hub = hubOn(slow);
    await hub.start();
    // Another subscriber keeps the experiment watched, so polls run for it.
    const watcher = await hub.open({ kind: "samples", experimentId, access, caller: "watcher" });
    await hub.poll();
    // A resuming subscriber whose replay has read the lakehouse but not answered yet…
    const held = slow.holdNext((text) => text.includes(`'s' AS`));
    const resuming = hub.open({
      kind: "samples",
      experimentId,
      access,
      caller: "r",
      after: FROM_THE_START(),
    });
    await held.ran;
    // …while new rows land and a poll delivers them.
    const tick = await sim.tick();
    expect(await hub.poll()).toBe(tick!.ids.get(experimentId)!.length);
    held.release();
    const stream = await resuming;
    const expected = await sampleIdsAfterStart();
    const events = await drain(stream, expected.length);
    const ids = events.map((e) => (e.kind === "sample" ? e.sample.id.toString() : e.kind));
    expect(ids).toEqual(expected);
    await watcher.return?.();
    await stream.return?.();
    await hub.stop();
  });

  it("delivers a row once when both the replay and a poll read it", async () => {
    const hub = hubOn(duck);
    await hub.start();
    const watcher = await hub.open({ kind: "samples", experimentId, access, caller: "watcher" });
    await hub.poll();
    await sim.tick(); // not polled yet: the replay below reads these rows, and so does the next poll
    const stream = await hub.open({
      kind: "samples",
      experimentId,
      access,
      caller: "r",
      after: FROM_THE_START(),
    });
    await hub.poll();
    await sim.tick();
    await hub.poll();
    const expected = await sampleIdsAfterStart();
    const events = await drain(stream, expected.length);
    expect(events.map((e) => (e.kind === "sample" ? e.sample.id.toString() : e.kind))).toEqual(expected);
    // Nothing else is queued: the stream waits for the next row.
    const next = await Promise.race([stream.next(), hub.poll().then(() => "idle" as const)]);
    expect(next).toBe("idle");
    await watcher.return?.();
    await stream.return?.();
    await hub.stop();
  });
});

describe("bounds", () => {
  it("continues a poll that hit its row bound until every row is out, in order", async () => {
    const hub = hubOn(duck, { pollLimit: 2 });
    await hub.start();
    const stream = await hub.open({
      kind: "measurements",
      experimentId,
      access,
      caller: "m",
      macros: new Map(),
    });
    await stream.return?.();
    const samples = await hub.open({ kind: "samples", experimentId, access, caller: "s" });
    const ticks = [await sim.tick(), await sim.tick(), await sim.tick()];
    const written = ticks.flatMap((t) => t!.ids.get(experimentId)!.map(String));
    // Each poll publishes at most 2 rows and schedules the next at once; wait for them on the stream.
    void hub.poll();
    const events = await drain(samples, written.length);
    const inCommitOrder = (await sampleIdsAfterStart()).filter((id) => written.includes(id));
    expect(inCommitOrder).toHaveLength(written.length);
    expect(events.map((e) => (e.kind === "sample" ? e.sample.id.toString() : e.kind))).toEqual(inCommitOrder);
    expect(hub.stats().polls).toBeGreaterThanOrEqual(Math.ceil(written.length / 2));
    await samples.return?.();
    await hub.stop();
  });

  it("refuses a cursor with more rows after it than a replay may send (CURSOR_TOO_OLD)", async () => {
    const hub = hubOn(duck, { replayLimit: 5 });
    await expect(
      hub.open({ kind: "samples", experimentId, access, caller: "old", after: FROM_THE_START() }),
    ).rejects.toMatchObject({ code: "CURSOR_TOO_OLD" });
    expect(hub.stats().subscriptions).toBe(0); // nothing left registered
    await hub.stop();
  });
});

/** A bare type model: base columns only (enough to route rows to a macro). */
function follow(macroFilename: string): [string, MacroFollow] {
  const model: MacroTypeModel = {
    macroFilename,
    macroName: macroFilename,
    fieldName: macroFilename,
    typeName: macroFilename,
    description: "",
    experimentIds: [],
    fields: [],
    answers: null,
  };
  return [macroFilename, { model, leaves: [], output: false }];
}

describe("coverage", () => {
  it("gives a subscriber that joins a watched experiment the rows of its other macros too", async () => {
    const slow = new SlowWarehouse(duck);
    const hub = hubOn(slow);
    await hub.start();
    // Written together by the RIDES protocol; B sorts before A, so B rows of a commit come before its A rows.
    const [a, b] = ["macro_photosynthesis", "macro_leaf_environment"];
    // Someone follows macro A only; the experiment is watched for A.
    const onlyA = await hub.open({
      kind: "measurements",
      experimentId,
      access,
      caller: "a",
      macros: new Map([follow(a!)]),
    });
    await hub.poll();
    // A subscriber of A and B is still starting while new rows land and a poll publishes A's…
    const held = slow.holdNext((text) => text.includes("head_measurements"));
    const both = hub.open({
      kind: "measurements",
      experimentId,
      access,
      caller: "ab",
      macros: new Map([follow(a!), follow(b!)]),
    });
    await held.ran;
    const stamps: number[] = [];
    const writtenRows = () =>
      duck.query<{ macro_filename: string; id: bigint }>(
        sql`SELECT macro_filename, id FROM ${table("experiment_macro_data")}
          WHERE experiment_id = ${experimentId} AND epoch_ms(processed_timestamp) IN (${join(stamps.map((t) => sql`${t}`))})
            AND macro_filename IN (${a!}, ${b!}) AND macro_error IS NULL
          ORDER BY epoch_us(processed_timestamp), macro_filename, id`,
      );
    let written: { macro_filename: string; id: bigint }[] = [];
    while (new Set(written.map((w) => w.macro_filename)).size < 2 && stamps.length < 20) {
      const tick = await sim.tick();
      if (tick?.ids.has(experimentId)) stamps.push(tick.processedMs);
      if (stamps.length) written = await writtenRows();
    }
    expect(new Set(written.map((w) => w.macro_filename)).size).toBe(2);
    await hub.poll();
    held.release();
    const stream = await both;
    // …then the next poll covers it for both macros.
    await hub.poll();
    const events = await drain(stream, written.length);
    expect(
      events.map((e) =>
        e.kind === "measurement" ? `${e.measurement.macro_filename}/${e.measurement.id}` : e.kind,
      ),
    ).toEqual(written.map((w) => `${w.macro_filename}/${w.id}`));
    await onlyA.return?.();
    await stream.return?.();
    await hub.stop();
  });

  it("refuses a cursor ahead of the stream, so it cannot move anyone's watermark", async () => {
    const hub = hubOn(duck);
    const ahead = encodeStreamCursor("samples", experimentId, {
      pos: 9_000_000_000_000_000n,
      file: "",
      id: 1n,
    });
    await expect(
      hub.open({ kind: "samples", experimentId, access, caller: "x", after: ahead }),
    ).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    await hub.stop();
  });

  it("replays more rows than the live buffer holds, then goes on live", async () => {
    const hub = hubOn(duck, { bufferSize: 3 });
    await hub.start();
    const stream = await hub.open({
      kind: "samples",
      experimentId,
      access,
      caller: "r",
      after: FROM_THE_START(),
    });
    await hub.poll();
    const tick = await sim.tick();
    await hub.poll();
    const expected = await sampleIdsAfterStart();
    expect(expected.length).toBeGreaterThan(3 + tick!.ids.get(experimentId)!.length);
    const events = await drain(stream, expected.length);
    expect(events.map((e) => (e.kind === "sample" ? e.sample.id.toString() : e.kind))).toEqual(expected);
    await stream.return?.();
    await hub.stop();
  });
});

describe("selected paths", () => {
  it("gives a joining subscriber the paths it selects, not only those of the subscribers before it", async () => {
    const entries = await catalogSourceByName("experiment_macros").read(duck);
    const { macros } = buildMacroTypeModels(
      entries.flatMap((e) => (e.outputSchema ? [{ ...e, outputSchema: e.outputSchema }] : [])),
    );
    const model = macros.find((m) => m.macroFilename === "macro_photosynthesis")!;
    const leafOf = (name: string) => {
      const field = model.fields.find((f) => f.name === name)!;
      const cast = variantCastOf(field.type);
      return { field, leaf: { key: leafKey(field.path, cast), path: field.path, cast } };
    };
    const phi2 = leafOf("Phi2");
    const npq = leafOf("PhiNPQ");
    const selecting = (leaf: typeof phi2): Map<string, MacroFollow> =>
      new Map([["macro_photosynthesis", { model, leaves: [leaf.leaf], output: false }]]);

    const slow = new SlowWarehouse(duck);
    const hub = hubOn(slow);
    await hub.start();
    const first = await hub.open({
      kind: "measurements",
      experimentId,
      access,
      caller: "phi2",
      macros: selecting(phi2),
    });
    await hub.poll();
    // Joins selecting PhiNPQ while a poll planned without it publishes new rows.
    const held = slow.holdNext((text) => text.includes("head_measurements"));
    const joining = hub.open({
      kind: "measurements",
      experimentId,
      access,
      caller: "npq",
      macros: selecting(npq),
    });
    await held.ran;
    const stamps: number[] = [];
    while (stamps.length < 20) {
      const tick = await sim.tick();
      if (tick?.ids.has(experimentId)) stamps.push(tick.processedMs);
      const [n] = await duck.query<{ n: bigint }>(
        sql`SELECT count(*) AS n FROM ${table("experiment_macro_data")} WHERE experiment_id = ${experimentId}
          AND macro_filename = 'macro_photosynthesis' AND macro_error IS NULL AND epoch_ms(processed_timestamp) IN (${join([0, ...stamps].map((t) => sql`${t}`))})`,
      );
      if (n!.n > 0n) break;
    }
    await hub.poll();
    held.release();
    const stream = await joining;
    await hub.poll();
    const [{ n }] = (await duck.query<{ n: bigint }>(
      sql`SELECT count(*) AS n FROM ${table("experiment_macro_data")} WHERE experiment_id = ${experimentId}
        AND macro_filename = 'macro_photosynthesis' AND macro_error IS NULL AND epoch_ms(processed_timestamp) IN (${join(stamps.map((t) => sql`${t}`))})`,
    )) as [{ n: bigint }];
    expect(n).toBeGreaterThan(0n);
    const events = await drain(stream, Number(n));
    const alias = modelLeaves(model).get(npq.field)!;
    for (const e of events) {
      expect(e.kind).toBe("measurement");
      if (e.kind === "measurement") expect(alias in e.measurement, "the PhiNPQ value was read").toBe(true);
    }
    await first.return?.();
    await stream.return?.();
    await hub.stop();
  });
});

describe("failed macro runs", () => {
  it("leaves out rows whose macro failed unless includeErrors is set, as connections do", async () => {
    const rows = await duck.query<{ id: bigint; failed: boolean }>(
      sql`SELECT id, macro_error IS NOT NULL AS failed FROM ${table("experiment_macro_data")}
        WHERE experiment_id = ${experimentId} AND macro_filename = 'macro_photosynthesis'
        ORDER BY epoch_us(processed_timestamp), macro_filename, id`,
    );
    const failed = rows.filter((r) => r.failed);
    expect(failed.length, "the demo has failed runs to leave out").toBeGreaterThan(0);
    const hub = hubOn(duck, { replayLimit: rows.length + 100 });
    await hub.start();
    const fromStart = encodeStreamCursor("measurements", experimentId, STREAM_START);
    const open = (includeErrors: boolean | undefined) =>
      hub.open({
        kind: "measurements",
        experimentId,
        access,
        caller: `errors-${includeErrors}`,
        after: fromStart,
        macros: new Map([follow("macro_photosynthesis")]),
        includeErrors,
      });
    const [plain, withErrors] = [await open(undefined), await open(true)];
    await hub.poll();
    const ids = (events: StreamEvent[]) =>
      events.map((e) => (e.kind === "measurement" ? e.measurement.id.toString() : e.kind));
    expect(ids(await drain(withErrors, rows.length))).toEqual(rows.map((r) => r.id.toString()));
    const ok = rows.filter((r) => !r.failed).map((r) => r.id.toString());
    expect(ids(await drain(plain, ok.length))).toEqual(ok);
    // Nothing else is queued for the plain stream: the failed rows were skipped, not held back.
    const next = await Promise.race([plain.next(), hub.poll().then(() => "idle" as const)]);
    expect(next).toBe("idle");
    await plain.return?.();
    await withErrors.return?.();
    await hub.stop();
  });
});
