/**
 * Exact decimals through the real server: a field whose catalog type is DECIMAL(38,10) is a `Decimal` and comes
 * back digit for digit (values no double holds: 12345678901234567890.1234567890 and its neighbour one unit in the
 * 10th decimal place apart), filters on it are exact, it sorts as a number (also across cursor pages), min/max,
 * distinct values and group keys are exact, and a value that does not fit (overflow, not a number) is null in place.
 *
 * The embedded catalog types fractional JSON numbers DOUBLE, so the catalog entry is written here as Databricks
 * would write it, and the rows hold real DECIMALs (a struct cast to VARIANT; JSON text would parse to a double).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, table } from "../../lakehouse/sql.js";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

const EXPERIMENT = "exact-decimals-experiment";
const BIG = "12345678901234567890.1234567890";
const NEXT = "12345678901234567890.1234567891";

/** `amount` as the SQL that stores it in the VARIANT. */
const ROWS: { id: bigint; label: string; amount: ReturnType<typeof sql> }[] = [
  { id: 9_007_199_254_740_993n, label: "big", amount: sql`CAST(${BIG} AS DECIMAL(38,10))` },
  { id: 9_007_199_254_740_995n, label: "next", amount: sql`CAST(${NEXT} AS DECIMAL(38,10))` },
  { id: 9_007_199_254_740_997n, label: "small", amount: sql`CAST(${"-5.5"} AS DECIMAL(38,10))` },
  // Sorts before BIG as a number, after it as text.
  { id: 9_007_199_254_741_003n, label: "medium", amount: sql`CAST(${"999.25"} AS DECIMAL(38,10))` },
  // 36 integer digits: more than DECIMAL(38,10) holds (28).
  {
    id: 9_007_199_254_740_999n,
    label: "overflow",
    amount: sql`CAST(${"100000000000000000000000000000000000"} AS DECIMAL(38,0))`,
  },
  { id: 9_007_199_254_741_001n, label: "garbage", amount: sql`${"not a number"}` },
];
const IDS = Object.fromEntries(ROWS.map((r) => [r.label, r.id.toString()]));

let gw: InProcessGateway;

beforeAll(async () => {
  gw = await startInProcessGateway({ FRESHNESS_POLL_MS: "60000" });
  await gw.lakehouse.execute(
    sql`INSERT INTO ${table("experiments")} VALUES (${EXPERIMENT}, 'Exact decimals', 'exactness', 'public', 'active', false, now())`,
  );
  for (const row of ROWS) {
    await gw.lakehouse.execute(
      sql`INSERT INTO ${table("experiment_macro_data")}
        (experiment_id, macro_id, macro_name, macro_filename, id, device_id, device_name, timestamp, user_id,
         macro_output, macro_error, processed_timestamp, date)
        VALUES (${EXPERIMENT}, 'macro_decimal', 'Decimal', 'macro_decimal', ${row.id}, 'dev-1', 'Device 1',
          now(), NULL, CAST({'amount': ${row.amount}, 'label': ${row.label}} AS VARIANT), NULL, now(), current_date)`,
    );
  }
  await gw.lakehouse.execute(
    sql`INSERT INTO ${table("experiment_macros")} VALUES (${EXPERIMENT}, 'Decimal', 'macro_decimal', now(), now(),
      ${BigInt(ROWS.length)}, 'OBJECT<amount: DECIMAL(38,10), label: STRING>', NULL)`,
  );
  expect(await gw.runtime.refresh()).toBe(true);
});

afterAll(async () => {
  await gw?.stop();
});

interface Row {
  rowId: string;
  label: string;
  amount: string | null;
}

interface Page {
  edges: { node: Row }[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

async function page(args: {
  where?: Record<string, unknown>;
  orderBy?: Record<string, unknown>[];
  first?: number;
  after?: string | null;
}): Promise<Page> {
  const res = await gw.gql<{ experiment: { decimal: Page } }>(
    `query($id: ID!, $where: DecimalMeasurementWhere, $orderBy: [DecimalMeasurementOrderBy!], $first: Int, $after: String) {
      experiment(id: $id) {
        decimal(first: $first, after: $after, where: $where, orderBy: $orderBy) {
          edges { node { rowId label amount } }
          pageInfo { endCursor hasNextPage }
        }
      }
    }`,
    {
      id: EXPERIMENT,
      where: args.where,
      orderBy: args.orderBy ?? [{ field: "rowId", direction: "ASC" }],
      first: args.first ?? 10,
      after: args.after ?? null,
    },
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.experiment.decimal;
}

const labels = async (where: Record<string, unknown>) =>
  (await page({ where })).edges.map((e) => e.node.label);

describe("exact decimals", () => {
  it("reads DECIMAL(38,10) back digit for digit, and a value that does not fit as null in place", async () => {
    const rows = (await page({})).edges.map((e) => e.node);
    expect(rows).toEqual([
      { rowId: IDS.big, label: "big", amount: BIG },
      { rowId: IDS.next, label: "next", amount: NEXT },
      { rowId: IDS.small, label: "small", amount: "-5.5000000000" },
      { rowId: IDS.overflow, label: "overflow", amount: null },
      { rowId: IDS.garbage, label: "garbage", amount: null },
      { rowId: IDS.medium, label: "medium", amount: "999.2500000000" },
    ]);
  });

  it("filters exactly: values one unit apart in the 10th decimal place are told apart", async () => {
    expect(await labels({ amount: { eq: BIG } })).toEqual(["big"]);
    expect(await labels({ amount: { eq: NEXT } })).toEqual(["next"]);
    // The same number in another spelling (no trailing zero, a leading +).
    expect(await labels({ amount: { eq: "+12345678901234567890.123456789" } })).toEqual(["big"]);
    expect(await labels({ amount: { gt: BIG } })).toEqual(["next"]);
    expect(await labels({ amount: { lte: BIG } })).toEqual(["big", "small", "medium"]);
    expect(await labels({ amount: { lt: "999.25" } })).toEqual(["small"]);
    expect(await labels({ amount: { neq: BIG } })).toEqual(["next", "small", "medium"]);
    expect(await labels({ amount: { in: [NEXT, "-5.5"] } })).toEqual(["next", "small"]);
    expect(await labels({ amount: { nin: [NEXT] } })).toEqual(["big", "small", "medium"]);
    expect(await labels({ amount: { isNull: true } })).toEqual(["overflow", "garbage"]);
  });

  it("takes a decimal literal in the query text with its digits as written", async () => {
    const res = await gw.gql<{ experiment: { decimal: { edges: { node: Row }[] } } }>(
      `query($id: ID!) { experiment(id: $id) {
        decimal(first: 5, where: { amount: { gte: 12345678901234567890.1234567891 } }) { edges { node { label } } }
      } }`,
      { id: EXPERIMENT },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.experiment.decimal.edges.map((e) => e.node.label)).toEqual(["next"]);
  });

  it("refuses malformed decimals, and ones the field's DECIMAL(38,10) would round or overflow, as the caller's input", async () => {
    for (const bad of ["12.3.4", "1e5", "abc", "", "-", "1.12345678901", "12345678901234567890123456789"]) {
      const res = await gw.gql(
        `query($id: ID!, $v: Decimal!) { experiment(id: $id) { decimal(first: 1, where: { amount: { eq: $v } }) { totalCount } } }`,
        { id: EXPERIMENT, v: bad },
      );
      expect(res.errors?.[0]?.extensions?.code, bad).toBe("BAD_USER_INPUT");
    }
  });

  it("sorts numerically in both directions, and pages through cursors without skipping or repeating", async () => {
    const order = async (direction: "ASC" | "DESC") =>
      (await page({ orderBy: [{ field: "amount", direction }] })).edges.map((e) => e.node.label);
    // A double would tie big and next (both round to 12345678901234567168), and ties go by row id descending
    // (next first): ASC tells them apart. Nulls last, by row id descending.
    // Text would put medium after next.
    expect(await order("ASC")).toEqual(["small", "medium", "big", "next", "garbage", "overflow"]);
    expect(await order("DESC")).toEqual(["next", "big", "medium", "small", "garbage", "overflow"]);

    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const p: Page = await page({ orderBy: [{ field: "amount", direction: "ASC" }], first: 1, after });
      seen.push(...p.edges.map((e) => e.node.label));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual(["small", "medium", "big", "next", "garbage", "overflow"]);
  });

  it("returns exact min and max, exact distinct values, and exact group keys", async () => {
    const res = await gw.gql<{
      experiment: {
        decimalAggregate: {
          groups: { count: number; min: { amount: string | null }; max: { amount: string | null } }[];
        };
        byAmount: { groups: { key: { value: unknown }; count: number }[] };
        decimalDistinct: { values: { value: unknown; count: number }[] };
      };
    }>(
      `query($id: ID!) { experiment(id: $id) {
        decimalAggregate { groups { count min { amount } max { amount } } }
        byAmount: decimalAggregate(groupBy: [{ field: amount }]) { groups { key { value(field: amount) } count } }
        decimalDistinct(field: amount) { values { value count } }
      } }`,
      { id: EXPERIMENT },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const e = res.data!.experiment;
    expect(e.decimalAggregate.groups).toEqual([
      { count: 6, min: { amount: "-5.5000000000" }, max: { amount: NEXT } },
    ]);
    // Groups in numeric key order (nulls last); text order would put 999.25 last.
    expect(e.byAmount.groups.map((g) => [g.key.value, g.count])).toEqual([
      ["-5.5000000000", 1],
      ["999.2500000000", 1],
      [BIG, 1],
      [NEXT, 1],
      [null, 2],
    ]);
    // Most frequent first (the nulls), then by value as a number.
    expect(e.decimalDistinct.values).toEqual([
      { value: null, count: 2 },
      { value: "-5.5000000000", count: 1 },
      { value: "999.2500000000", count: 1 },
      { value: BIG, count: 1 },
      { value: NEXT, count: 1 },
    ]);
  });
});
