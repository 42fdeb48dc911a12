/**
 * What a warehouse refuses or mangles, through the real statement builders and the real connector, against the
 * strict driver fake (fake-databricks-driver.ts): LIMIT/OFFSET parameters typed INTEGER, complex columns read
 * exactly (never the driver's silent `[]`/`{}`), and no IN-subquery in a Sort.
 */
import { DBSQLParameter, DBSQLParameterType } from "@databricks/sql";
import { describe, expect, it } from "vitest";
import {
  createDatabricksLakehouse,
  type DatabricksConfig,
  type DatabricksLakehouse,
} from "../../lakehouse/databricks/databricks-lakehouse.js";
import { decodeNestedJson } from "../../lakehouse/databricks/databricks-values.js";
import { LakehouseStatementError } from "../../lakehouse/errors.js";
import { dialectSql, sql } from "../../lakehouse/sql.js";
import type { Viewer } from "../../resolvers/access/viewer.js";
import { createGatewayContext, type GatewayContext } from "../../resolvers/context.js";
import { requireExperiment } from "../../resolvers/experiments/experiment-queries.js";
import { sampleConnection } from "../../resolvers/samples/sample-page.js";
import { FakeWarehouse, hiveText, WarehouseTimestamp } from "./fake-databricks-driver.js";

const CONFIG: DatabricksConfig = {
  host: "dbc-1234.cloud.databricks.com",
  httpPath: "/sql/1.0/warehouses/abc123",
  token: "dapi-test",
  catalog: "main",
  schema: "centrum",
  statementTimeoutSeconds: 60,
  maxRetries: 0,
  sessionPoolSize: 1,
  retryBaseDelayMs: 1,
};

const VIEWER: Viewer = { userId: "user-1", name: "Maria" };

function setup(): { warehouse: FakeWarehouse; lakehouse: DatabricksLakehouse; ctx: GatewayContext } {
  const warehouse = new FakeWarehouse();
  const lakehouse = createDatabricksLakehouse(CONFIG, warehouse.factory);
  const ctx = createGatewayContext({
    viewer: VIEWER,
    lakehouse,
    limits: { maxPageSize: 100, defaultPageSize: 20 },
  });
  return { warehouse, lakehouse, ctx };
}

describe("the strict fake refuses what a warehouse refuses", () => {
  const send = async (text: string, namedParameters: Record<string, DBSQLParameter>) => {
    const warehouse = new FakeWarehouse();
    const session = await warehouse.factory().openSession();
    return session.executeStatement(text, { namedParameters }).then(
      () => null,
      (e: Error) => e.message,
    );
  };

  it("a LIMIT or OFFSET parameter typed BIGINT, an unbound marker, an IN subquery in ORDER BY", async () => {
    const int = (value: number) => new DBSQLParameter({ type: DBSQLParameterType.INTEGER, value });
    const big = (value: bigint) => new DBSQLParameter({ type: DBSQLParameterType.BIGINT, value });
    expect(await send("SELECT 1 AS ok LIMIT :p1", { p1: int(5) })).toBeNull();
    expect(await send("SELECT 1 AS ok LIMIT :p1", { p1: big(5n) })).toMatch(
      /^\[INVALID_LIMIT_LIKE_EXPRESSION\.DATA_TYPE\]/,
    );
    expect(await send("SELECT 1 AS ok LIMIT :p1 OFFSET :p2", { p1: int(5), p2: big(10n) })).toMatch(
      /INVALID_LIMIT_LIKE_EXPRESSION/,
    );
    expect(await send("SELECT 1 AS ok WHERE 1 = :p2", { p1: int(5) })).toMatch(/^\[UNBOUND_SQL_PARAMETER\]/);
    expect(await send("SELECT a FROM t ORDER BY CASE WHEN a IN (SELECT b FROM u) THEN 1 END", {})).toMatch(
      /UNSUPPORTED_IN_EXISTS_SUBQUERY/,
    );
    // The same subquery in the select list or WHERE is fine (Project, Filter).
    expect(
      await send(
        "SELECT CASE WHEN a IN (SELECT b FROM u) THEN 1 END AS s FROM t WHERE a IN (SELECT b FROM u) ORDER BY s",
        {},
      ),
    ).toBeNull();
  });

  it("returns complex columns as driver 2.1.0 does without native Arrow types", async () => {
    const held = [{ at: new WarehouseTimestamp("2026-01-02 03:04:05.123456"), n: 2n ** 60n + 1n }];
    expect(hiveText(held)).toBe('[{"at":2026-01-02 03:04:05.123456,"n":1152921504606846977}]');
    const warehouse = new FakeWarehouse();
    const session = await warehouse.factory().openSession();
    const columns = [{ name: "xs", type: "ARRAY_TYPE" as const }];
    // As the raw column: the driver cannot parse the server's text and silently answers [].
    warehouse.script.push({ rows: [{ xs: held }], columns });
    const raw = await session.executeStatement("SELECT xs FROM t", {});
    expect(await raw.fetchAll()).toEqual([{ xs: [] }]);
    // Through to_json: a STRING with Spark's JSON (timestamps in the given format).
    warehouse.script.push({ rows: [{ xs: held }], columns });
    const text = await session.executeStatement(
      "SELECT to_json(xs, map('timestampFormat', 'yyyy-MM-dd\\u0027T\\u0027HH:mm:ss.SSSSSSXXX')) AS xs FROM t",
      {},
    );
    expect(await text.fetchAll()).toEqual([
      { xs: '[{"at":"2026-01-02T03:04:05.123456Z","n":1152921504606846977}]' },
    ]);
    expect((await text.getSchema())?.columns[0]?.typeDesc.types[0]?.primitiveEntry?.type).toBe(
      7, // STRING_TYPE
    );
    // Without the option Spark writes milliseconds.
    warehouse.script.push({ rows: [{ xs: held }], columns });
    const ms = await session.executeStatement("SELECT to_json(xs) AS xs FROM t", {});
    expect(await ms.fetchAll()).toEqual([
      { xs: '[{"at":"2026-01-02T03:04:05.123Z","n":1152921504606846977}]' },
    ]);
  });
});

describe("Databricks: LIMIT and OFFSET are bound as INTEGER", () => {
  it("a page statement with LIMIT and OFFSET runs, its count parameters INTEGER; wider ints stay exact BIGINT", async () => {
    const { warehouse, lakehouse } = setup();
    warehouse.script.push({ rows: [], columns: [{ name: "ok", type: "INT_TYPE" }] });
    await lakehouse.query(sql`SELECT 1 AS ok WHERE 3000000000 > ${3_000_000_000} LIMIT ${21} OFFSET ${40}`);
    const named = warehouse.executed[0]!.options!.namedParameters as Record<string, DBSQLParameter>;
    expect(Object.values(named).map((p) => [p.type, p.value])).toEqual([
      ["BIGINT", 3_000_000_000n],
      ["INTEGER", 21],
      ["INTEGER", 40],
    ]);
    await lakehouse.close();
  });

  it("a sample page reaches the warehouse (its LIMIT is not refused)", async () => {
    const { warehouse, lakehouse, ctx } = setup();
    warehouse.script.push({
      rows: [],
      columns: [
        { name: "experiment_id", type: "STRING_TYPE" },
        { name: "__total", type: "BIGINT_TYPE" },
      ],
    });
    const connection = await sampleConnection(ctx, "exp-1", { first: 5 }, { withTotal: false });
    expect(connection.edges).toEqual([]);
    const executed = warehouse.executed.at(-1)!;
    const limit = /LIMIT :(p\d+)/.exec(executed.text)![1]!;
    const named = executed.options!.namedParameters as Record<string, DBSQLParameter>;
    expect([named[limit]!.type, named[limit]!.value]).toEqual(["INTEGER", 6]);
    await lakehouse.close();
  });
});

describe("Databricks: sorts hold no subquery", () => {
  it("a sample page ordered by userId (anonymization rule) passes the warehouse's analysis", async () => {
    const { warehouse, lakehouse, ctx } = setup();
    warehouse.script.push({ rows: [], columns: [{ name: "experiment_id", type: "STRING_TYPE" }] });
    const connection = await sampleConnection(
      ctx,
      "exp-1",
      { first: 5, orderBy: [{ field: "userId", direction: "DESC" }] },
      { withTotal: true },
    );
    expect(connection.edges).toEqual([]);
    await lakehouse.close();
  });
});

describe("Databricks: complex columns are read exactly", () => {
  const ts = (text: string) => new WarehouseTimestamp(text);

  it("an experiment's prefetched devices, contributors, macros and freshness keep nested timestamps and BIGINTs", async () => {
    const { warehouse, lakehouse, ctx } = setup();
    const big = 2n ** 60n + 1n;
    warehouse.script.push({
      rows: [
        {
          experiment_id: "exp-1",
          name: "Leaf study",
          description: null,
          visibility: "public",
          status: "active",
          anonymize_contributors: false,
          created_at: "2026-01-01 00:00:00",
          __devices: [
            {
              experiment_id: "exp-1",
              device_id: "dev-1",
              device_name: 'Multi"speQ',
              device_firmware: "2.1",
              first_seen: ts("2026-01-02 03:04:05.123456"),
              last_seen: ts("2026-01-03 00:00:00"),
              total_measurements: big,
            },
          ],
          __contributors: [
            {
              experiment_id: "exp-1",
              user_id: "user-1",
              anonymized: false,
              first_name: "Maria",
              last_name: "Santos",
              email: null,
              organization: null,
              first_contribution: ts("2026-01-02 03:04:05.000001"),
              last_contribution: null,
              total_contributions: 7n,
            },
          ],
          __macros: [
            {
              experiment_id: "exp-1",
              macro_name: "photosynthesis",
              macro_filename: "macro_photosynthesis",
              first_seen: ts("2026-01-02 03:04:05.5"),
              last_seen: null,
              sample_count: big,
              output_schema: "OBJECT<Phi2: DOUBLE>",
            },
          ],
          __status: [
            {
              experiment_id: "exp-1",
              latest_timestamp: ts("2026-01-02 03:04:05.123456"),
              latest_processed_timestamp: null,
              status: "fresh",
              status_updated_at: ts("2026-01-02 03:04:06"),
            },
          ],
        },
      ],
      columns: [
        { name: "experiment_id", type: "STRING_TYPE" },
        { name: "name", type: "STRING_TYPE" },
        { name: "description", type: "STRING_TYPE" },
        { name: "visibility", type: "STRING_TYPE" },
        { name: "status", type: "STRING_TYPE" },
        { name: "anonymize_contributors", type: "BOOLEAN_TYPE" },
        { name: "created_at", type: "TIMESTAMP_TYPE" },
        { name: "__devices", type: "ARRAY_TYPE" },
        { name: "__contributors", type: "ARRAY_TYPE" },
        { name: "__macros", type: "ARRAY_TYPE" },
        { name: "__status", type: "ARRAY_TYPE" },
      ],
    });
    await requireExperiment(ctx, "exp-1", { devices: true, contributors: true, macros: true, status: true });
    const before = warehouse.executed.length;
    const devices = await ctx.loaders.devicesByExperiment.load("exp-1");
    const contributors = await ctx.loaders.contributorsByExperiment.load("exp-1");
    const macros = await ctx.loaders.macrosByExperiment.load("exp-1");
    const status = await ctx.loaders.status.load("exp-1");
    // Primed by the one statement: nothing else was sent.
    expect(warehouse.executed.length).toBe(before);
    expect(devices).toEqual([
      {
        experiment_id: "exp-1",
        device_id: "dev-1",
        device_name: 'Multi"speQ',
        device_firmware: "2.1",
        first_seen: "2026-01-02T03:04:05.123456Z",
        last_seen: "2026-01-03T00:00:00.000000Z",
        total_measurements: big,
      },
    ]);
    expect(contributors).toMatchObject([
      { user_id: "user-1", first_contribution: "2026-01-02T03:04:05.000001Z", total_contributions: 7n },
    ]);
    expect(macros).toMatchObject([{ first_seen: "2026-01-02T03:04:05.500000Z", sample_count: big }]);
    expect(status).toMatchObject({
      latest_timestamp: "2026-01-02T03:04:05.123456Z",
      status_updated_at: "2026-01-02T03:04:06.000000Z",
    });
    await lakehouse.close();
  });

  it("a sample page's questions, macros and measurement sets survive a quote inside a string", async () => {
    const { warehouse, lakehouse, ctx } = setup();
    warehouse.script.push({
      rows: [
        {
          experiment_id: "exp-1",
          id: 2n ** 62n,
          device_id: "dev-1",
          device_name: null,
          timestamp: "2026-01-02 03:04:05.123456",
          user_id: "user-1",
          sample: "{}",
          measurement_sets: ['set "A"'],
          questions: [{ question_label: "plot", question_text: 'say "hi"', question_answer: "A1" }],
          macros: [{ id: "m1", name: "photosynthesis", filename: "macro_photosynthesis" }],
          processed_timestamp: "2026-01-02 03:04:06",
          __k_ts: "2026-01-02 03:04:05.123456",
          __k_id: 2n ** 62n,
        },
      ],
      columns: [
        { name: "experiment_id", type: "STRING_TYPE" },
        { name: "id", type: "BIGINT_TYPE" },
        { name: "device_id", type: "STRING_TYPE" },
        { name: "device_name", type: "STRING_TYPE" },
        { name: "timestamp", type: "TIMESTAMP_TYPE" },
        { name: "user_id", type: "STRING_TYPE" },
        { name: "sample", type: "STRING_TYPE" },
        { name: "measurement_sets", type: "ARRAY_TYPE" },
        { name: "questions", type: "ARRAY_TYPE" },
        { name: "macros", type: "ARRAY_TYPE" },
        { name: "processed_timestamp", type: "TIMESTAMP_TYPE" },
        { name: "__k_ts", type: "TIMESTAMP_TYPE" },
        { name: "__k_id", type: "BIGINT_TYPE" },
      ],
    });
    const connection = await sampleConnection(ctx, "exp-1", { first: 5 }, { withTotal: false });
    expect(connection.edges.map((e) => e.node)).toMatchObject([
      {
        id: 2n ** 62n,
        measurement_sets: ['set "A"'],
        questions: [{ question_label: "plot", question_text: 'say "hi"', question_answer: "A1" }],
        macros: [{ id: "m1", name: "photosynthesis", filename: "macro_photosynthesis" }],
      },
    ]);
    await lakehouse.close();
  });
});

describe("Databricks: a nested value the gateway cannot read is an error with a code", () => {
  it("reads exact BIGINTs and ISO timestamps, and refuses text that is not JSON of the declared type", () => {
    const type = { list: { struct: { n: "bigint", at: "timestamp" } } } as const;
    expect(
      decodeNestedJson('[{"n":9223372036854775807,"at":"2026-01-02T03:04:05.123456Z","x":1.5}]', type),
    ).toEqual([{ n: 9223372036854775807n, at: "2026-01-02T03:04:05.123456Z", x: 1.5 }]);
    expect(() => decodeNestedJson('[{"at":2026-01-02 03:04:05}]', type)).toThrow(/offset/);
    expect(() => decodeNestedJson('[{"n":1.5}]', type)).toThrow(/bigint/);
    expect(() => decodeNestedJson('{"n":1}', type)).toThrow(/list/);
  });

  it("fails the statement with LAKEHOUSE_ERROR rather than returning an empty list", async () => {
    const { warehouse, lakehouse } = setup();
    // A STRING column where the statement expects to_json text, but the text is the server's non-JSON form.
    warehouse.script.push({
      rows: [{ xs: '[{"at":2026-01-02 03:04:05}]' }],
      columns: [{ name: "xs", type: "STRING_TYPE" }],
    });
    const statement = sql`SELECT ${dialectSql((d) => d.complexColumn(sql`xs`, { list: "json" }, "xs"))} FROM t`;
    const error = await lakehouse.query(statement).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LakehouseStatementError);
    expect((error as LakehouseStatementError).code).toBe("LAKEHOUSE_ERROR");
    expect((error as Error).message).toMatch(/nested value the gateway cannot read \(column xs/);
    await lakehouse.close();
  });
});
