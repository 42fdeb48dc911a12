/**
 * openJII's web table aggregates, through the real server: `cumsum` (a running sum in group order, restarting when
 * a key other than the last changes) and `countDistinct` (of any field), against values computed by hand.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { runMaintenance } from "../../lakehouse/duckdb/centrum-maintenance.js";
import { sql, table } from "../../lakehouse/sql.js";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

const EXPERIMENT = "aggregate-parity-experiment";
/** [device, day, reading, label] */
const ROWS: [string, string, number, string][] = [
  ["dev-a", "2026-03-01", 1, "x"],
  ["dev-a", "2026-03-01", 2, "y"],
  ["dev-a", "2026-03-02", 4, "x"],
  ["dev-a", "2026-03-03", 8, "x"],
  ["dev-b", "2026-03-01", 16, "z"],
  ["dev-b", "2026-03-03", 32, "z"],
];

let gw: InProcessGateway;

beforeAll(async () => {
  gw = await startInProcessGateway({ FRESHNESS_POLL_MS: "60000" });
  await gw.lakehouse.execute(
    sql`INSERT INTO ${table("experiments")} VALUES (${EXPERIMENT}, 'Parity', 'parity', 'public', 'active', false, now())`,
  );
  for (const [i, [device, day, reading, label]] of ROWS.entries()) {
    await gw.lakehouse.execute(
      sql`INSERT INTO ${table("experiment_macro_data")}
        (experiment_id, macro_id, macro_name, macro_filename, id, device_id, device_name, timestamp, user_id,
         macro_output, macro_error, processed_timestamp, date)
        VALUES (${EXPERIMENT}, 'macro_parity', 'Parity', 'macro_parity', ${BigInt(i + 1)}, ${device}, ${device},
          CAST(${`${day} 12:00:00`} AS TIMESTAMP), NULL,
          CAST(CAST(${JSON.stringify({ reading: reading + 0.5, label })} AS JSON) AS VARIANT), NULL, now(), CAST(${day} AS DATE))`,
    );
  }
  await runMaintenance(gw.lakehouse, { experimentIds: [EXPERIMENT] });
  expect(await gw.runtime.refresh()).toBe(true);
});

afterAll(async () => {
  await gw?.stop();
});

interface Group {
  key: { deviceId: string | null; time: string | null };
  count: number;
  sum: { reading: number };
  cumsum: { reading: number };
  countDistinct: { label: number; deviceId: number };
}

async function groups(groupBy: unknown[]): Promise<Group[]> {
  const res = await gw.gql<{ experiment: { parityAggregate: { groups: Group[] } } }>(
    `query($id: ID!, $groupBy: [ParityMeasurementAggregateGroupBy!], $bucket: TimeBucket) {
      experiment(id: $id) {
        parityAggregate(groupBy: $groupBy, timeBucket: $bucket) {
          groups { key { deviceId time } count sum { reading } cumsum { reading } countDistinct { label deviceId } }
        }
      }
    }`,
    { id: EXPERIMENT, groupBy, bucket: groupBy.some((g) => "time" in (g as object)) ? "DAY" : undefined },
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.experiment.parityAggregate.groups;
}

it("runs a cumulative sum over days, per device", async () => {
  const rows = await groups([{ device: true }, { time: "timestamp" }]);
  expect(
    rows.map((g) => [g.key.deviceId, g.key.time?.slice(0, 10), g.sum.reading, g.cumsum.reading]),
  ).toEqual([
    ["dev-a", "2026-03-01", 4, 4],
    ["dev-a", "2026-03-02", 4.5, 8.5],
    ["dev-a", "2026-03-03", 8.5, 17],
    ["dev-b", "2026-03-01", 16.5, 16.5],
    ["dev-b", "2026-03-03", 32.5, 49],
  ]);
});

it("runs a cumulative sum over the only key, and equals the sum without keys", async () => {
  const byDay = await groups([{ time: "timestamp" }]);
  expect(byDay.map((g) => g.cumsum.reading)).toEqual([20.5, 25, 66]);
  const all = await groups([]);
  expect(all.map((g) => [g.sum.reading, g.cumsum.reading])).toEqual([[66, 66]]);
});

it("counts distinct values of any field per group", async () => {
  const byDevice = await groups([{ device: true }]);
  expect(byDevice.map((g) => [g.key.deviceId, g.countDistinct.label, g.countDistinct.deviceId])).toEqual([
    ["dev-a", 2, 1],
    ["dev-b", 1, 1],
  ]);
  const [all] = await groups([]);
  expect([all!.countDistinct.label, all!.countDistinct.deviceId]).toEqual([3, 2]);
});
