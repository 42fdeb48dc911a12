/**
 * Data-quality signals through the real server: failed macro runs per experiment and macro (count and most
 * frequent messages), a key whose type drifted between experiments (`MacroField.conflict`, `types`), and
 * aggregates and distinct values that count failed runs when asked (`includeErrors`).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { runMaintenance } from "../../lakehouse/duckdb/centrum-maintenance.js";
import { sql, table } from "../../lakehouse/sql.js";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

const E1 = "quality-experiment-1";
const E2 = "quality-experiment-2";
let gw: InProcessGateway;
let nextId = 1n;

async function row(experimentId: string, output: string | null, error: string | null): Promise<void> {
  await gw.lakehouse.execute(
    sql`INSERT INTO ${table("experiment_macro_data")}
      (experiment_id, macro_id, macro_name, macro_filename, id, device_id, device_name, timestamp, user_id,
       macro_output, macro_error, processed_timestamp, date)
      VALUES (${experimentId}, 'macro_quality', 'Quality', 'macro_quality', ${nextId++}, 'dev-1', 'Device 1',
        now(), NULL, CAST(CAST(${output} AS JSON) AS VARIANT), ${error}, now(), current_date)`,
  );
}

beforeAll(async () => {
  gw = await startInProcessGateway({ FRESHNESS_POLL_MS: "60000" });
  for (const id of [E1, E2]) {
    await gw.lakehouse.execute(
      sql`INSERT INTO ${table("experiments")} VALUES (${id}, ${id}, 'quality', 'public', 'active', false, now())`,
    );
  }
  for (const v of [1, 2, 3]) await row(E1, `{"reading": ${v}, "drifting": ${v}}`, null);
  for (const error of ["timeout", "bad trace", "timeout"]) await row(E1, null, error);
  await row(E2, '{"reading": 4, "drifting": "four"}', null);
  await runMaintenance(gw.lakehouse, { experimentIds: [E1, E2] });
  expect(await gw.runtime.refresh()).toBe(true);
});

afterAll(async () => {
  await gw?.stop();
});

it("counts failed runs per experiment and macro, with the most frequent messages", async () => {
  const res = await gw.gql<{
    experiment: {
      macros: { filename: string; errorCount: number; topErrors: { message: string; count: number }[] }[];
    };
    other: { macros: { filename: string; errorCount: number; topErrors: unknown[] }[] };
  }>(
    `query($a: ID!, $b: ID!) {
      experiment(id: $a) { macros { filename errorCount topErrors { message count } } }
      other: experiment(id: $b) { macros { filename errorCount topErrors { message count } } }
    }`,
    { a: E1, b: E2 },
  );
  expect(res.errors).toBeUndefined();
  expect(res.data!.experiment.macros).toEqual([
    {
      filename: "macro_quality",
      errorCount: 3,
      topErrors: [
        { message: "timeout", count: 2 },
        { message: "bad trace", count: 1 },
      ],
    },
  ]);
  expect(res.data!.other.macros).toEqual([{ filename: "macro_quality", errorCount: 0, topErrors: [] }]);
  const stored = await gw.lakehouse.query<{ n: bigint }>(
    sql`SELECT count(*) AS n FROM ${table("experiment_macro_data")} WHERE experiment_id = ${E1} AND macro_error IS NOT NULL`,
  );
  expect(stored[0]!.n).toBe(3n);
});

it("marks a key whose type drifted between experiments as a conflict, with the types seen", async () => {
  const res = await gw.gql<{
    macros: {
      filename: string;
      fields: { key: string; type: string; conflict: boolean; types: string[] }[];
    }[];
  }>(`{ macros { filename fields { key type conflict types } } }`);
  const fields = res.data!.macros.find((m) => m.filename === "macro_quality")!.fields;
  expect(fields).toEqual([
    { key: "drifting", type: "JSON", conflict: true, types: ["BIGINT", "STRING"] },
    { key: "reading", type: "BigInt", conflict: false, types: ["BIGINT"] },
  ]);
});

it("counts failed runs in aggregates and distinct values only with includeErrors", async () => {
  const res = await gw.gql<Record<string, { count?: number; totalCount?: number }>>(
    `query($id: ID!) {
      experiment(id: $id) {
        without: qualityAggregate { count }
        with: qualityAggregate(includeErrors: true) { count }
        distinctWithout: qualityDistinct(field: reading) { totalCount }
        distinctWith: qualityDistinct(field: reading, includeErrors: true) { totalCount }
      }
    }`,
    { id: E1 },
  );
  expect(res.errors).toBeUndefined();
  const e = (res.data as unknown as { experiment: Record<string, { count?: number; totalCount?: number }> })
    .experiment;
  expect([e.without!.count, e.with!.count]).toEqual([3, 6]);
  // The failed runs have no reading: with them, one more distinct value (null).
  expect([e.distinctWithout!.totalCount, e.distinctWith!.totalCount]).toEqual([3, 4]);
});
