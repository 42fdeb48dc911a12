import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPlan } from "../../lakehouse/demo/demo-plan.js";
import { seedDemo } from "../../lakehouse/demo/seed-demo.js";
import { type SimulationTick, startSimulation } from "../../lakehouse/demo/simulate.js";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import type { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import { sql } from "../../lakehouse/sql.js";

const SEED = 5;

describe("startSimulation", () => {
  let lakehouse: DuckDbLakehouse;

  beforeAll(async () => {
    lakehouse = await openCentrumDuckDb(":memory:", { connections: 2 });
    // Anchored a week ago: every experiment is stale until the simulation writes to it.
    await seedDemo(lakehouse, { preset: "ci", seed: SEED, anchor: new Date(Date.now() - 7 * 86_400_000) });
  });
  afterAll(async () => {
    await lakehouse.close();
  });

  it("appends samples with macro rows to a public and a private experiment, now, and refreshes them", async () => {
    const plan = demoPlan("ci", SEED);
    const simulation = startSimulation(lakehouse, { intervalMs: 60_000, seed: SEED });
    const started = Date.now();
    const ticks: SimulationTick[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const tick = await simulation.tick();
        if (tick) ticks.push(tick);
      }
    } finally {
      await simulation.stop();
    }
    expect(ticks.length).toBe(3);
    const touched = new Set(ticks.flatMap((t) => t.experimentIds));
    const visibility = (id: string) => plan.experiments.find((e) => e.id === id)?.visibility;
    expect([...touched].map(visibility)).toEqual(expect.arrayContaining(["public", "private"]));
    for (const id of touched) expect(plan.experiments.find((e) => e.id === id)?.status).toBe("active");

    const ids = ticks.flatMap((t) => [...t.ids.values()].flat());
    expect(ids.length).toBe(ticks.reduce((a, t) => a + t.samples, 0));
    for (const id of ids) expect(id > 2n ** 53n).toBe(true);

    const rows = await lakehouse.query<{ experiment_id: string; id: bigint; ts: string; macros: bigint }>(
      sql`SELECT r.experiment_id, r.id, r.timestamp AS ts,
  (SELECT count(*) FROM centrum.experiment_macro_data m WHERE m.experiment_id = r.experiment_id AND m.id = r.id)
    AS macros
FROM centrum.experiment_raw_data r WHERE r.processed_timestamp >= ${new Date(started - 1000)}`,
    );
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    for (const r of rows) {
      expect(Number(r.macros)).toBeGreaterThan(0);
      expect(Math.abs(Date.parse(r.ts) - started)).toBeLessThan(120_000);
    }

    const status = await lakehouse.query<{ experiment_id: string; status: string }>(
      sql`SELECT experiment_id, status FROM centrum.experiment_status`,
    );
    for (const s of status) expect(s.status).toBe(touched.has(s.experiment_id) ? "fresh" : "stale");
    const [macros] = await lakehouse.query(sql`SELECT count(*) AS n FROM centrum.experiment_macros m
JOIN (SELECT experiment_id, macro_name, macro_filename, count(*) AS c FROM centrum.experiment_macro_data GROUP BY ALL) d
  USING (experiment_id, macro_name, macro_filename) WHERE m.sample_count <> d.c`);
    expect(macros!.n).toBe(0n);
  });

  it("stop() waits for a tick in flight, and nothing runs after it", async () => {
    const simulation = startSimulation(lakehouse, { intervalMs: 60_000, seed: SEED + 1 });
    let settled = false;
    const pending = simulation.tick().then((t) => {
      settled = true;
      return t;
    });
    await simulation.stop();
    expect(settled).toBe(true);
    expect((await pending)?.samples).toBeGreaterThan(0);
    expect(await simulation.tick()).toBeNull();
  });

  it("runs on its own timer", async () => {
    const ticks: SimulationTick[] = [];
    const simulation = startSimulation(lakehouse, {
      intervalMs: 100,
      seed: SEED + 2,
      onTick: (t) => ticks.push(t),
    });
    const deadline = Date.now() + 10_000;
    while (ticks.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await simulation.stop();
    expect(ticks.length).toBeGreaterThanOrEqual(2);
  });
});
