/**
 * openJII's web table aggregates, through the real server: `cumsum` (a running sum in group order, restarting when
 * a key other than the last changes) and `countDistinct` (of any field), against values computed by hand; ordered
 * and limited groups (`orderBy`, `limit`, `offset`) against hand-written SQL over the same file.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { runMaintenance } from "../../lakehouse/duckdb/centrum-maintenance.js";
import { type Sql, sql, table } from "../../lakehouse/sql.js";
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

/** A second experiment of the same macro for ordering: ties on count, a device without readings. */
const ORDERED = "aggregate-order-experiment";
/** [device, day, reading (null: none)] */
const ORDERED_ROWS: [string, string, number | null][] = [
  ["dev-c", "2026-03-01", 1],
  ["dev-c", "2026-03-02", 2],
  ["dev-c", "2026-03-02", 3],
  ["dev-d", "2026-03-01", 10],
  ["dev-d", "2026-03-03", 20],
  ["dev-e", "2026-03-02", null],
  ["dev-e", "2026-03-03", null],
  ["dev-f", "2026-03-01", 5],
  ["dev-g", "2026-03-03", 7],
  ["dev-g", "2026-03-03", 9],
];
/** The gateway's MAX_AGGREGATE_GROUPS here: above both experiments' device × day groups (5 and 8). */
const MAX_GROUPS = 8;

let gw: InProcessGateway;

async function insert(experiment: string, id: number, device: string, day: string, output: object) {
  await gw.lakehouse.execute(
    sql`INSERT INTO ${table("experiment_macro_data")}
      (experiment_id, macro_id, macro_name, macro_filename, id, device_id, device_name, timestamp, user_id,
       macro_output, macro_error, processed_timestamp, date)
      VALUES (${experiment}, 'macro_parity', 'Parity', 'macro_parity', ${BigInt(id)}, ${device}, ${device},
        CAST(${`${day} 12:00:00`} AS TIMESTAMP), NULL,
        CAST(CAST(${JSON.stringify(output)} AS JSON) AS VARIANT), NULL, now(), CAST(${day} AS DATE))`,
  );
}

beforeAll(async () => {
  gw = await startInProcessGateway({ FRESHNESS_POLL_MS: "60000", MAX_AGGREGATE_GROUPS: String(MAX_GROUPS) });
  for (const [id, name] of [
    [EXPERIMENT, "Parity"],
    [ORDERED, "Ordered"],
  ]) {
    await gw.lakehouse.execute(
      sql`INSERT INTO ${table("experiments")} VALUES (${id!}, ${name!}, 'parity', 'public', 'active', false, now())`,
    );
  }
  for (const [i, [device, day, reading, label]] of ROWS.entries()) {
    await insert(EXPERIMENT, i + 1, device, day, { reading: reading + 0.5, label });
  }
  for (const [i, [device, day, reading]] of ORDERED_ROWS.entries()) {
    await insert(
      ORDERED,
      100 + i,
      device,
      day,
      reading === null ? { label: "none" } : { reading, label: "r" },
    );
  }
  await runMaintenance(gw.lakehouse, { experimentIds: [EXPERIMENT, ORDERED] });
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

interface OrderedGroup {
  key: { deviceId: string | null; time: string | null };
  count: number;
  avg: { reading: number | null };
  cumsum: { reading: number | null };
}

interface Ordered {
  count: number;
  groups: OrderedGroup[];
  statements: string[];
}

/** The root form (no experiment lookup): the aggregate is the operation's only statement. */
async function ordered(
  args: string,
  select = "key { deviceId time } count avg { reading }",
): Promise<Ordered> {
  const res = await gw.gql<{ parityAggregate: { count: number; groups: OrderedGroup[] } }>(
    `query($ids: [ID!]) { parityAggregate(experimentIds: $ids, ${args}) { count groups { ${select} } } }`,
    { ids: [ORDERED] },
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return {
    ...res.data!.parityAggregate,
    statements: res.extensions!.statements!.list!.map((s) => s.text),
  };
}

async function badInput(args: string): Promise<string> {
  const res = await gw.gql(
    `query($ids: [ID!]) { parityAggregate(experimentIds: $ids, ${args}) { count groups { count } } }`,
    { ids: [ORDERED] },
  );
  expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res.errors)).toBe("BAD_USER_INPUT");
  return res.errors![0]!.message;
}

/** Hand-written SQL over the same file: the ordered experiment's rows of the parity macro. */
async function handWritten(select: Sql, tail: Sql): Promise<Record<string, unknown>[]> {
  return gw.lakehouse.query(
    sql`SELECT ${select} FROM ${table("experiment_macro_data")}
      WHERE experiment_id = ${ORDERED} AND macro_filename = 'macro_parity' AND macro_error IS NULL ${tail}`,
  );
}

const reading = sql`TRY_CAST(macro_output['reading'] AS DOUBLE)`;

it("returns the top groups by count, ties broken by the group key, in one statement", async () => {
  const top = await ordered("groupBy: [{device: true}], orderBy: [{count: true, direction: DESC}], limit: 3");
  const expected = await handWritten(
    sql`device_id, count(*) AS n`,
    sql`GROUP BY device_id ORDER BY n DESC, device_id ASC LIMIT 3`,
  );
  expect(top.groups.map((g) => [g.key.deviceId, g.count])).toEqual(
    expected.map((r) => [r.device_id, Number(r.n)]),
  );
  // dev-d, dev-e and dev-g tie on 2 rows: the device id decides, whatever the engine's hash order.
  expect(top.groups.map((g) => g.key.deviceId)).toEqual(["dev-c", "dev-d", "dev-e"]);
  // `count` is still every row, also of the groups left out.
  expect(top.count).toBe(ORDERED_ROWS.length);
  expect(top.statements).toHaveLength(1);
  expect(top.statements[0]).toMatch(/ORDER BY .*LIMIT/);
});

it("orders by the average of a field it does not select, nulls last unless asked first", async () => {
  const byAvg = await ordered(
    "groupBy: [{device: true}], orderBy: [{measure: {fn: AVG, field: reading}, direction: DESC}]",
    "key { deviceId } count",
  );
  const expected = await handWritten(
    sql`device_id, avg(${reading}) AS a`,
    sql`GROUP BY device_id ORDER BY a DESC NULLS LAST, device_id ASC`,
  );
  expect(byAvg.groups.map((g) => g.key.deviceId)).toEqual(expected.map((r) => r.device_id));
  expect(byAvg.groups.map((g) => g.key.deviceId)).toEqual(["dev-d", "dev-g", "dev-f", "dev-c", "dev-e"]);
  expect(byAvg.statements).toHaveLength(1);

  const nullsFirst = await ordered(
    "groupBy: [{device: true}], orderBy: [{measure: {fn: AVG, field: reading}, nulls: FIRST}], limit: 2",
  );
  expect(nullsFirst.groups.map((g) => [g.key.deviceId, g.avg.reading])).toEqual([
    ["dev-e", null],
    ["dev-c", 2],
  ]);
});

it("orders by a key, then by the other keys, and pages with offset", async () => {
  const args =
    "groupBy: [{device: true}, {time: timestamp}], orderBy: [{key: {time: timestamp}, direction: DESC}]";
  const all = await ordered(args);
  const expected = await handWritten(
    sql`device_id, date_trunc('day', timestamp) AS day, count(*) AS n`,
    sql`GROUP BY device_id, day ORDER BY day DESC, device_id ASC`,
  );
  expect(all.groups.map((g) => [g.key.deviceId, g.key.time?.slice(0, 10), g.count])).toEqual(
    expected.map((r) => [r.device_id, String(r.day).slice(0, 10), Number(r.n)]),
  );
  const page = await ordered(`${args}, limit: 2, offset: 3`);
  expect(page.groups).toEqual(all.groups.slice(3, 5));
  expect(page.count).toBe(ORDERED_ROWS.length);
  const past = await ordered(`${args}, limit: 2, offset: 100`);
  expect(past.groups).toEqual([]);
});

it("keeps cumsum a running sum in key order over all groups, however the groups are ordered and cut", async () => {
  const keyOrder = await ordered("groupBy: [{time: timestamp}]", "key { time } cumsum { reading }");
  expect(keyOrder.groups.map((g) => g.cumsum.reading)).toEqual([16, 21, 57]);
  const byDay = new Map(keyOrder.groups.map((g) => [g.key.time, g.cumsum.reading]));
  const top = await ordered(
    "groupBy: [{time: timestamp}], orderBy: [{count: true, direction: DESC}], limit: 1",
    "key { time } count cumsum { reading }",
  );
  // 2026-03-03 has the most rows; its running sum still includes the two days before it.
  expect(top.groups).toHaveLength(1);
  expect(top.groups[0]!.key.time?.slice(0, 10)).toBe("2026-03-03");
  expect(top.groups[0]!.cumsum.reading).toBe(57);
  const reversed = await ordered(
    "groupBy: [{time: timestamp}], orderBy: [{key: {time: timestamp}, direction: DESC}]",
    "key { time } cumsum { reading }",
  );
  for (const g of reversed.groups) expect(g.cumsum.reading).toBe(byDay.get(g.key.time));
});

it("takes a limit up to the configured maximum; with one, more groups than the maximum are no error", async () => {
  // One group per row: 10 groups, more than the gateway's maximum of 8.
  const byRow = "groupBy: [{field: rowId}], orderBy: [{key: {field: rowId}, direction: DESC}]";
  expect(await badInput(byRow)).toMatch(/more than 8 groups/);
  const top = await ordered(`${byRow}, limit: ${MAX_GROUPS}`, "count");
  expect(top.groups).toHaveLength(MAX_GROUPS);
  expect(top.count).toBe(ORDERED_ROWS.length);
  expect(await badInput(`${byRow}, limit: ${MAX_GROUPS + 1}`)).toMatch(/`limit` must be between 1 and 8/);
  expect(await badInput("groupBy: [{device: true}], limit: 0")).toMatch(/`limit` must be between 1 and 8/);
  expect(await badInput("groupBy: [{device: true}], offset: -1")).toMatch(/`offset` must be between 0/);
});

it("without groupBy, offset can pass the one group; a limit still reads every row for `count`", async () => {
  const one = await ordered("limit: 1", "count");
  expect([one.count, one.groups.map((g) => g.count)]).toEqual([ORDERED_ROWS.length, [ORDERED_ROWS.length]]);
  expect((await ordered("offset: 1", "count")).groups).toEqual([]);
});

it("costs `groups` by the limit, before anything runs", async () => {
  const requested = async (limit: string) => {
    const res = await gw.gql(
      `query($ids: [ID!]) { parityAggregate(experimentIds: $ids, groupBy: [{device: true}]${limit}) { groups { count } } }`,
      { ids: [ORDERED] },
    );
    expect(res.errors).toBeUndefined();
    return (res.extensions as { cost: { requested: number } }).cost.requested;
  };
  // The field, `groups`, and one `count` per group (10 groups when no limit says otherwise).
  expect(await requested(", limit: 2")).toBe(4);
  expect(await requested(", limit: 8")).toBe(10);
  expect(await requested("")).toBe(12);
});

it("refuses an orderBy entry that does not set exactly one of key, count, measure", async () => {
  const byDevice = "groupBy: [{device: true}]";
  expect(await badInput(`${byDevice}, orderBy: [{}]`)).toMatch(/exactly one of key, count, measure/);
  expect(await badInput(`${byDevice}, orderBy: [{count: true, key: {device: true}}]`)).toMatch(
    /exactly one of key, count, measure/,
  );
  expect(await badInput(`${byDevice}, orderBy: [{count: false}]`)).toMatch(/must be true/);
  expect(await badInput(`${byDevice}, orderBy: [{key: {contributor: true}}]`)).toMatch(
    /not one of this aggregate's `groupBy` entries/,
  );
  expect(await badInput(`${byDevice}, orderBy: [{key: {device: true, contributor: true}}]`)).toMatch(
    /exactly one of device, contributor/,
  );
  expect(await badInput(`${byDevice}, orderBy: [{count: true}, {count: true, direction: DESC}]`)).toMatch(
    /twice/,
  );
});
