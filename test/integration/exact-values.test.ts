/**
 * Values come back exactly, through the real server, compared with what the lakehouse file holds: gaps in nested
 * numeric lists stay `null` in place (list elements are nullable at every depth), timestamps keep their
 * microseconds (out, and in filters), 64-bit ids and integers stay exact, and a value that does not fit its field's
 * type is `null` for that field only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMaintenance } from "../../lakehouse/duckdb/centrum-maintenance.js";
import { sql, table } from "../../lakehouse/sql.js";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

const EXPERIMENT = "exact-values-experiment";
const MICRO_TS = "2026-02-03T09:15:42.123456Z";
/** Outputs as JSON text: 9007199254740993 is not a JS number. */
const ROWS: { id: bigint; ts: string; output: string }[] = [
  {
    id: 9_007_199_254_740_993n,
    ts: MICRO_TS,
    output:
      '{"grid": [[1.5, null, 2.5], [null]], "gaps": [null, null], "counter": 9007199254740993, "label": "first"}',
  },
  {
    id: 9_007_199_254_740_995n,
    ts: "2026-02-03T09:15:42.123457Z",
    // Written after the catalog typed `counter` BIGINT (before the next maintenance): this value does not fit.
    output: '{"grid": [[3.5]], "gaps": [null], "counter": "not a number", "label": "second"}',
  },
];

async function insert(row: (typeof ROWS)[number]): Promise<void> {
  await gw.lakehouse.execute(
    sql`INSERT INTO ${table("experiment_macro_data")}
      (experiment_id, macro_id, macro_name, macro_filename, id, device_id, device_name, timestamp, user_id,
       macro_output, macro_error, processed_timestamp, date)
      VALUES (${EXPERIMENT}, 'macro_exact', 'Exact', 'macro_exact', ${row.id}, 'dev-1', 'Device 1',
        CAST(${row.ts.replace("Z", "")} AS TIMESTAMP), NULL, CAST(CAST(${row.output} AS JSON) AS VARIANT),
        NULL, now(), CAST(${row.ts.slice(0, 10)} AS DATE))`,
  );
}

let gw: InProcessGateway;

beforeAll(async () => {
  gw = await startInProcessGateway({ FRESHNESS_POLL_MS: "60000" });
  await gw.lakehouse.execute(
    sql`INSERT INTO ${table("experiments")} VALUES (${EXPERIMENT}, 'Exact values', 'exactness', 'public', 'active', false, now())`,
  );
  await insert(ROWS[0]!);
  await runMaintenance(gw.lakehouse, { experimentIds: [EXPERIMENT] });
  expect(await gw.runtime.refresh()).toBe(true);
  await insert(ROWS[1]!);
});

afterAll(async () => {
  await gw?.stop();
});

interface ExactRow {
  rowId: string;
  timestamp: string;
  grid: (number | null)[][] | null;
  gaps: (number | null)[] | null;
  counter: string | null;
  label: string;
}

async function page(where?: Record<string, unknown>): Promise<ExactRow[]> {
  const res = await gw.gql<{ experiment: { exact: { edges: { node: ExactRow }[] } } }>(
    `query($id: ID!, $where: ExactMeasurementWhere) {
      experiment(id: $id) {
        exact(first: 10, where: $where, orderBy: [{ field: rowId, direction: ASC }]) {
          edges { node { rowId timestamp grid gaps counter label } }
        }
      }
    }`,
    { id: EXPERIMENT, where },
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.experiment.exact.edges.map((e) => e.node);
}

describe("exact values", () => {
  it("keeps nulls in nested lists in place, and a value that does not fit its type null alone", async () => {
    const rows = await page();
    expect(rows.map((r) => [r.rowId, r.grid, r.gaps, r.counter, r.label])).toEqual([
      ["9007199254740993", [[1.5, null, 2.5], [null]], [null, null], "9007199254740993", "first"],
      ["9007199254740995", [[3.5]], [null], null, "second"],
    ]);
  });

  it("returns timestamps with the microseconds the lakehouse holds", async () => {
    const stored = await gw.lakehouse.query<{ id: bigint; ts: string }>(
      sql`SELECT id, strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%fZ') AS ts FROM ${table("experiment_macro_data")}
        WHERE experiment_id = ${EXPERIMENT} ORDER BY id`,
    );
    expect(stored.map((r) => r.ts)).toEqual(ROWS.map((r) => r.ts));
    expect((await page()).map((r) => r.timestamp)).toEqual(stored.map((r) => r.ts));
  });

  it("filters on a timestamp to the microsecond, in any offset", async () => {
    const ids = async (where: Record<string, unknown>) => (await page(where)).map((r) => r.rowId);
    expect(await ids({ timestamp: { eq: MICRO_TS } })).toEqual(["9007199254740993"]);
    expect(await ids({ timestamp: { gt: MICRO_TS } })).toEqual(["9007199254740995"]);
    expect(await ids({ timestamp: { gte: "2026-02-03T10:15:42.123456+01:00" } })).toEqual([
      "9007199254740993",
      "9007199254740995",
    ]);
    expect(await ids({ timestamp: { lt: "2026-02-03T09:15:42.123457Z" } })).toEqual(["9007199254740993"]);
    expect(await ids({ timestamp: { lte: "2026-02-03T09:15:42.123457000Z" } })).toHaveLength(2);
  });

  it("refuses a malformed DateTime as the caller's input", async () => {
    for (const bad of [
      "2026-02-30T00:00:00Z",
      "yesterday",
      "2026-02-03 25:00:00",
      "2026-02-03T09:15:42.1234565Z",
    ]) {
      const res = await gw.gql(
        `query($id: ID!, $t: DateTime!) { experiment(id: $id) { exact(first: 1, where: { timestamp: { eq: $t } }) { totalCount } } }`,
        { id: EXPERIMENT, t: bad },
      );
      expect(res.errors?.[0]?.extensions?.code, bad).toBe("BAD_USER_INPUT");
    }
  });
});
