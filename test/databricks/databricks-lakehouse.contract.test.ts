/**
 * Contract of the Databricks connector against a scripted driver boundary (see fake-databricks-driver.ts):
 * bound parameters, session lifecycle, retry policy, cancellation, error mapping, recovery and row normalization.
 */
import type { DBSQLParameter } from "@databricks/sql";
import { describe, expect, it } from "vitest";
import {
  createDatabricksLakehouse,
  type DatabricksConfig,
  type DatabricksLakehouse,
} from "../../lakehouse/databricks/databricks-lakehouse.js";
import { LakehouseError } from "../../lakehouse/errors.js";
import { param, sql, table } from "../../lakehouse/sql.js";
import { driverErrors, FakeWarehouse } from "./fake-databricks-driver.js";

const TOKEN = "dapi-secret-token-0123456789";

const CONFIG: DatabricksConfig = {
  host: "https://dbc-1234.cloud.databricks.com/",
  httpPath: "/sql/1.0/warehouses/abc123",
  token: TOKEN,
  catalog: "main",
  schema: "centrum",
  statementTimeoutSeconds: 120,
  maxRetries: 3,
  sessionPoolSize: 2,
  retryBaseDelayMs: 1,
};

function setup(overrides: Partial<DatabricksConfig> = {}): {
  warehouse: FakeWarehouse;
  lakehouse: DatabricksLakehouse;
} {
  const warehouse = new FakeWarehouse();
  const lakehouse = createDatabricksLakehouse({ ...CONFIG, ...overrides }, warehouse.factory);
  return { warehouse, lakehouse };
}

const SELECT_ONE = sql`SELECT 1 AS ok`;

async function failureOf(promise: Promise<unknown>): Promise<LakehouseError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the statement to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LakehouseError);
  return error as LakehouseError;
}

describe("Databricks connector: connection and session", () => {
  it("connects once with the token, telemetry off and exact big numbers", async () => {
    const { warehouse, lakehouse } = setup();
    await lakehouse.query(SELECT_ONE);
    await lakehouse.query(SELECT_ONE);
    expect(warehouse.clientsCreated).toBe(1);
    expect(warehouse.connects).toHaveLength(1);
    expect(warehouse.connects[0]).toMatchObject({
      host: "dbc-1234.cloud.databricks.com",
      path: "/sql/1.0/warehouses/abc123",
      authType: "access-token",
      token: TOKEN,
      telemetryEnabled: false,
      preserveBigNumericPrecision: true,
    });
    await lakehouse.close();
  });

  it("uses OAuth M2M with a service principal's client id and secret", async () => {
    const { warehouse, lakehouse } = setup({
      token: undefined,
      clientId: "sp-id",
      clientSecret: "sp-secret",
    });
    await lakehouse.query(SELECT_ONE);
    expect(warehouse.connects[0]).toMatchObject({
      authType: "databricks-oauth",
      oauthClientId: "sp-id",
      oauthClientSecret: "sp-secret",
    });
    await lakehouse.close();
  });

  it("opens sessions on the configured catalog and schema with STATEMENT_TIMEOUT and UTC", async () => {
    const { warehouse, lakehouse } = setup({
      statementTimeoutSeconds: 45,
      catalog: "prod",
      schema: "centrum_v2",
    });
    await lakehouse.query(SELECT_ONE);
    expect(warehouse.sessionRequests).toEqual([
      {
        initialCatalog: "prod",
        initialSchema: "centrum_v2",
        configuration: { STATEMENT_TIMEOUT: "45", TIMEZONE: "UTC" },
      },
    ]);
    expect(lakehouse.dialect.tableName("experiments")).toBe("`prod`.`centrum_v2`.`experiments`");
    await lakehouse.close();
  });

  it("keeps at most sessionPoolSize sessions, reused across statements", async () => {
    const { warehouse, lakehouse } = setup({ sessionPoolSize: 2 });
    await Promise.all(Array.from({ length: 6 }, () => lakehouse.query(SELECT_ONE)));
    await lakehouse.query(SELECT_ONE);
    expect(warehouse.sessionRequests).toHaveLength(2);
    expect(warehouse.executed).toHaveLength(7);
    await lakehouse.close();
    expect(warehouse.closedSessions.sort()).toEqual([1, 2]);
    expect(warehouse.clientsClosed).toBe(1);
  });

  it("reopens the session after an Invalid SessionHandle error and runs the statement there", async () => {
    const { warehouse, lakehouse } = setup();
    await lakehouse.query(SELECT_ONE);
    warehouse.script.push({ submitError: driverErrors.invalidSession() });
    const rows = await lakehouse.query(SELECT_ONE);
    expect(rows).toEqual([{ ok: 1 }]);
    expect(warehouse.executed.map((e) => e.sessionId)).toEqual([1, 1, 2]);
    expect(warehouse.closedSessions).toContain(1);
    expect(warehouse.clientsCreated).toBe(1);
    await lakehouse.close();
  });

  it("re-sends a write on a new session only when the dead session never accepted it", async () => {
    const { warehouse, lakehouse } = setup();
    const write = sql`DELETE FROM ${table("experiment_annotations")} WHERE annotation_id = ${"a1"}`;
    warehouse.script.push({ submitError: driverErrors.invalidSession() });
    await lakehouse.execute(write);
    expect(warehouse.executed).toHaveLength(2);

    warehouse.script.push({ fetchError: driverErrors.invalidSession() });
    const error = await failureOf(lakehouse.execute(write));
    expect(error.code).toBe("LAKEHOUSE_UNAVAILABLE");
    expect(warehouse.executed).toHaveLength(3);
    await lakehouse.close();
  });

  it("refuses statements after close", async () => {
    const { lakehouse } = setup();
    await lakehouse.close();
    expect((await failureOf(lakehouse.query(SELECT_ONE))).code).toBe("LAKEHOUSE_UNAVAILABLE");
    expect(await lakehouse.health()).toMatchObject({ ok: false, code: "LAKEHOUSE_UNAVAILABLE" });
  });
});

describe("Databricks connector: parameters and statements", () => {
  it("binds named parameters with explicit types; 64-bit ids stay exact", async () => {
    const { warehouse, lakehouse } = setup();
    const id = 2n ** 63n - 25n;
    await lakehouse.query(
      sql`SELECT * FROM ${table("experiment_macro_data")} WHERE id = ${id} AND experiment_id = ${"exp-1"} AND processed_timestamp > ${param("2026-01-02T03:04:05.123456Z", "timestamp")} AND date = ${param("2026-01-02", "date")} AND v > ${0.25} AND n = ${7} AND flag = ${false} AND note = ${param(null, "string")}`,
    );
    const [executed] = warehouse.executed;
    expect(executed!.text).toBe(
      "SELECT * FROM `main`.`centrum`.`experiment_macro_data` WHERE id = :p1 AND experiment_id = :p2 AND processed_timestamp > CAST(:p3 AS TIMESTAMP) AND date = CAST(:p4 AS DATE) AND v > :p5 AND n = :p6 AND flag = :p7 AND note = CAST(:p8 AS STRING)",
    );
    const named = executed!.options!.namedParameters as Record<string, DBSQLParameter>;
    const summary = Object.fromEntries(Object.entries(named).map(([k, p]) => [k, [p.type, p.value]]));
    expect(summary).toEqual({
      p1: ["BIGINT", id],
      p2: ["STRING", "exp-1"],
      p3: ["TIMESTAMP", "2026-01-02T03:04:05.123456Z"],
      p4: ["DATE", "2026-01-02"],
      p5: ["DOUBLE", 0.25],
      // A JS integer within int32 is an INTEGER (what LIMIT/OFFSET need); wider ones are BIGINT, exact.
      p6: ["INTEGER", 7],
      p7: ["BOOLEAN", false],
      p8: ["STRING", null],
    });
    // What goes on the wire: the exact decimal text of the id, typed BIGINT.
    expect(named.p1!.toSparkParameter({ name: "p1" })).toMatchObject({
      name: "p1",
      type: "BIGINT",
      value: { stringValue: "9223372036854775783" },
    });
    await lakehouse.close();
  });

  it("records every statement like the DuckDB connector", async () => {
    const { warehouse, lakehouse } = setup();
    warehouse.script.push({ rows: [{ a: 1 }, { a: 2 }], columns: [{ name: "a", type: "INT_TYPE" }] });
    await lakehouse.query(sql`SELECT a FROM t WHERE x = ${1}`);
    warehouse.script.push({ submitError: driverErrors.operation("ERROR", "[TABLE_OR_VIEW_NOT_FOUND] nope") });
    await failureOf(lakehouse.query(sql`SELECT b FROM t`));
    expect(lakehouse.statements.total).toBe(2);
    expect(lakehouse.statements.recent.map(({ ms: _, ...r }) => r)).toEqual([
      { text: "SELECT a FROM t WHERE x = :p1", paramCount: 1, rows: 2, kind: "read", origin: "request" },
      {
        text: "SELECT b FROM t",
        paramCount: 0,
        rows: 0,
        kind: "read",
        origin: "request",
        error: "[TABLE_OR_VIEW_NOT_FOUND] nope",
      },
    ]);
    await lakehouse.close();
  });

  it("returns num_affected_rows from a write", async () => {
    const { warehouse, lakehouse } = setup();
    warehouse.script.push({
      rows: [{ num_affected_rows: 3n, num_inserted_rows: 3n }],
      columns: [
        { name: "num_affected_rows", type: "BIGINT_TYPE" },
        { name: "num_inserted_rows", type: "BIGINT_TYPE" },
      ],
    });
    expect(await lakehouse.execute(sql`INSERT INTO t VALUES (${1})`)).toBe(3);
    expect(lakehouse.statements.recent.at(-1)).toMatchObject({ kind: "write", rows: 0 });
    await lakehouse.close();
  });
});

describe("Databricks connector: retries", () => {
  it("retries reads on transient failures (503, 429, connection reset, warehouse starting)", async () => {
    const { warehouse, lakehouse } = setup({ maxRetries: 4 });
    warehouse.script.push(
      { submitError: driverErrors.http(503) },
      { submitError: driverErrors.http(429) },
      { fetchError: driverErrors.network("ECONNRESET") },
      { submitError: driverErrors.warehouseStarting() },
    );
    expect(await lakehouse.query(SELECT_ONE)).toEqual([{ ok: 1 }]);
    expect(warehouse.executed).toHaveLength(5);
    expect(lakehouse.statements.total).toBe(5);
    expect(lakehouse.statements.recent.filter((r) => r.error)).toHaveLength(4);
    // A failure that may mean a dead connection rebuilds the client.
    expect(warehouse.clientsCreated).toBeGreaterThan(1);
    await lakehouse.close();
  });

  it("gives up after maxRetries with LAKEHOUSE_UNAVAILABLE", async () => {
    const { warehouse, lakehouse } = setup({ maxRetries: 2 });
    warehouse.script.push(...Array.from({ length: 5 }, () => ({ submitError: driverErrors.http(503) })));
    const error = await failureOf(lakehouse.query(SELECT_ONE));
    expect(error.code).toBe("LAKEHOUSE_UNAVAILABLE");
    expect(error.message).toMatch(/starting, busy or briefly unreachable/);
    expect(warehouse.executed).toHaveLength(3);
    await lakehouse.close();
  });

  it("never retries a write", async () => {
    const { warehouse, lakehouse } = setup();
    const write = sql`UPDATE ${table("experiment_annotations")} SET content_text = ${"x"} WHERE annotation_id = ${"a1"}`;
    for (const failure of [
      driverErrors.http(503),
      driverErrors.network("ECONNRESET"),
      driverErrors.warehouseStarting(),
    ]) {
      warehouse.script.push({ submitError: failure });
      const before = warehouse.executed.length;
      expect((await failureOf(lakehouse.execute(write))).code).toBe("LAKEHOUSE_UNAVAILABLE");
      expect(warehouse.executed.length - before).toBe(1);
    }
    await lakehouse.close();
  });

  it("does not retry statement errors or timeouts", async () => {
    const { warehouse, lakehouse } = setup();
    warehouse.script.push({ fetchError: driverErrors.operation("TIMEOUT") });
    expect((await failureOf(lakehouse.query(SELECT_ONE))).code).toBe("LAKEHOUSE_TIMEOUT");
    warehouse.script.push({ fetchError: driverErrors.operation("ERROR", "[PARSE_SYNTAX_ERROR] at 'x'") });
    expect((await failureOf(lakehouse.query(SELECT_ONE))).code).toBe("LAKEHOUSE_ERROR");
    expect(warehouse.executed).toHaveLength(2);
    await lakehouse.close();
  });
});

describe("Databricks connector: cancellation", () => {
  it("cancels the operation when the signal aborts and fails with LAKEHOUSE_TIMEOUT", async () => {
    const { warehouse, lakehouse } = setup();
    warehouse.script.push({ hang: true });
    const controller = new AbortController();
    const running = lakehouse.query(SELECT_ONE, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    const error = await failureOf(running);
    expect(error.code).toBe("LAKEHOUSE_TIMEOUT");
    expect(error.message).toMatch(/cancelled because the request was aborted/);
    expect(warehouse.operations[0]!.cancelled).toBe(1);
    expect(warehouse.operations[0]!.closed).toBe(1);
    expect(lakehouse.statements.recent.at(-1)).toMatchObject({ error: "aborted" });
    // The session goes back to the pool and serves the next statement.
    expect(await lakehouse.query(SELECT_ONE)).toEqual([{ ok: 1 }]);
    expect(warehouse.sessionRequests).toHaveLength(1);
    await lakehouse.close();
  });

  it("sends nothing when the signal is already aborted, and stops retrying on abort", async () => {
    const { warehouse, lakehouse } = setup({ retryBaseDelayMs: 50 });
    const aborted = AbortSignal.abort();
    expect((await failureOf(lakehouse.query(SELECT_ONE, { signal: aborted }))).code).toBe(
      "LAKEHOUSE_TIMEOUT",
    );
    expect(warehouse.executed).toHaveLength(0);

    warehouse.script.push(...Array.from({ length: 5 }, () => ({ submitError: driverErrors.http(503) })));
    const controller = new AbortController();
    const running = lakehouse.query(SELECT_ONE, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await failureOf(running)).code).toBe("LAKEHOUSE_TIMEOUT");
    expect(warehouse.executed.length).toBeLessThan(4);
    await lakehouse.close();
  });
});

describe("Databricks connector: error mapping", () => {
  const cases: Array<[string, () => unknown, "submit" | "connect" | "open", string, RegExp]> = [
    [
      "unknown host",
      () => driverErrors.network("ENOTFOUND"),
      "open",
      "LAKEHOUSE_UNAVAILABLE",
      /cannot be reached/,
    ],
    [
      "connection refused",
      () => driverErrors.network("ECONNREFUSED"),
      "open",
      "LAKEHOUSE_UNAVAILABLE",
      /cannot be reached/,
    ],
    [
      "HTTP 401",
      () => driverErrors.http(401),
      "open",
      "LAKEHOUSE_UNAVAILABLE",
      /rejected the gateway's credentials/,
    ],
    [
      "HTTP 403",
      () => driverErrors.http(403),
      "submit",
      "LAKEHOUSE_UNAVAILABLE",
      /rejected the gateway's credentials/,
    ],
    [
      "OAuth token failure",
      () => driverErrors.oauth(),
      "connect",
      "LAKEHOUSE_UNAVAILABLE",
      /rejected the gateway's credentials/,
    ],
    [
      "wrong HTTP path",
      () => driverErrors.http(404),
      "open",
      "LAKEHOUSE_UNAVAILABLE",
      /warehouse was not found/,
    ],
    [
      "warehouse starting",
      () => driverErrors.warehouseStarting(),
      "submit",
      "LAKEHOUSE_UNAVAILABLE",
      /starting/,
    ],
    [
      "statement timeout",
      () => driverErrors.operation("TIMEOUT"),
      "submit",
      "LAKEHOUSE_TIMEOUT",
      /statement timeout \(120 s\)/,
    ],
    [
      "cancelled on the warehouse",
      () => driverErrors.operation("CANCELED"),
      "submit",
      "LAKEHOUSE_TIMEOUT",
      /cancelled/,
    ],
    [
      "INVALID_VARIANT_CAST",
      () =>
        driverErrors.operation(
          "ERROR",
          '[INVALID_VARIANT_CAST] The variant value `"secret-value"` cannot be cast into `DOUBLE`. SQLSTATE: 22023',
        ),
      "submit",
      "LAKEHOUSE_ERROR",
      /^The lakehouse could not run a statement for this request \(INVALID_VARIANT_CAST\)\.$/,
    ],
  ];

  it.each(cases)("%s", async (_, make, where, code, message) => {
    const { warehouse, lakehouse } = setup({ maxRetries: 0 });
    const driverError = make();
    if (where === "connect") warehouse.connectFailures.push(driverError);
    else if (where === "open") warehouse.openSessionFailures.push(driverError);
    else warehouse.script.push({ submitError: driverError });
    const error = await failureOf(lakehouse.query(SELECT_ONE));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain("secret-value");
    expect(error.message).not.toContain("SELECT");
    expect(error.detail).toBe(driverError);
    await lakehouse.close();
  });
});

describe("Databricks connector: health and recovery", () => {
  it("health() never throws and recovers when the warehouse comes back", async () => {
    const { warehouse, lakehouse } = setup();
    warehouse.openSessionFailures.push(driverErrors.network("ECONNREFUSED"));
    expect(await lakehouse.health()).toEqual({
      ok: false,
      detail: "The Databricks workspace cannot be reached; check the host and the network.",
      code: "LAKEHOUSE_UNAVAILABLE",
    });
    warehouse.connectFailures.push(driverErrors.oauth());
    expect(await lakehouse.health()).toMatchObject({ ok: false, code: "LAKEHOUSE_UNAVAILABLE" });
    // The warehouse is back: no restart, the next calls reconnect.
    expect(await lakehouse.health()).toEqual({ ok: true, detail: "databricks ok" });
    expect(await lakehouse.query(SELECT_ONE)).toEqual([{ ok: 1 }]);
    expect(warehouse.clientsCreated).toBe(3);
    expect(warehouse.executed.map((e) => e.text)).toEqual(["SELECT 1 AS ok", "SELECT 1 AS ok"]);
    // Health checks are not operation statements.
    expect(lakehouse.statements.total).toBe(1);
    await lakehouse.close();
  });

  it("a query after an outage reconnects without a restart", async () => {
    const { warehouse, lakehouse } = setup({ maxRetries: 0 });
    await lakehouse.query(SELECT_ONE);
    warehouse.script.push({ fetchError: driverErrors.network("ECONNRESET") });
    expect((await failureOf(lakehouse.query(SELECT_ONE))).code).toBe("LAKEHOUSE_UNAVAILABLE");
    expect(await lakehouse.query(SELECT_ONE)).toEqual([{ ok: 1 }]);
    expect(warehouse.clientsCreated).toBe(2);
    expect(warehouse.clientsClosed).toBe(1);
    await lakehouse.close();
  });
});

describe("Databricks connector with the real driver", () => {
  it("maps an unresolvable host to LAKEHOUSE_UNAVAILABLE without leaking the token", async () => {
    // `.invalid` never resolves (RFC 6761): this exercises the real driver's network error, offline.
    const lakehouse = createDatabricksLakehouse({ ...CONFIG, host: "warehouse.invalid", maxRetries: 0 });
    const error = await failureOf(lakehouse.query(SELECT_ONE));
    expect(error.code).toBe("LAKEHOUSE_UNAVAILABLE");
    expect(error.message).not.toContain(TOKEN);
    expect(await lakehouse.health()).toMatchObject({ ok: false, code: "LAKEHOUSE_UNAVAILABLE" });
    await lakehouse.close();
  });
});

describe("Databricks connector: row normalization", () => {
  it("normalizes driver values to the lakehouse row contract", async () => {
    const { warehouse, lakehouse } = setup();
    const bigId = 2n ** 63n - 1n;
    warehouse.script.push({
      rows: [
        {
          id: bigId,
          ts: "2026-01-02 03:04:05.123456",
          ts_short: "2026-01-02 03:04:05.1",
          ts_whole: "2026-01-02 03:04:05",
          day: new Date(Date.UTC(2026, 0, 2)),
          dec: "23.125",
          dbl: 0.5,
          n: 42,
          s: "text",
          flag: true,
          list: ["a", "b"],
          questions: [{ question_label: "plot", question_answer: "A1" }],
          json: '{"Phi2":0.71}',
          nothing: null,
        },
      ],
      columns: [
        { name: "id", type: "BIGINT_TYPE" },
        { name: "ts", type: "TIMESTAMP_TYPE" },
        { name: "ts_short", type: "TIMESTAMP_TYPE" },
        { name: "ts_whole", type: "TIMESTAMP_TYPE" },
        { name: "day", type: "DATE_TYPE" },
        { name: "dec", type: "DECIMAL_TYPE" },
        { name: "dbl", type: "DOUBLE_TYPE" },
        { name: "n", type: "INT_TYPE" },
        { name: "s", type: "STRING_TYPE" },
        { name: "flag", type: "BOOLEAN_TYPE" },
        { name: "list", type: "ARRAY_TYPE" },
        { name: "questions", type: "ARRAY_TYPE" },
        { name: "json", type: "STRING_TYPE" },
        { name: "nothing", type: "STRING_TYPE" },
      ],
    });
    const [row] = await lakehouse.query(SELECT_ONE);
    expect(row).toEqual({
      id: bigId,
      ts: "2026-01-02T03:04:05.123456Z",
      ts_short: "2026-01-02T03:04:05.100000Z",
      ts_whole: "2026-01-02T03:04:05.000000Z",
      day: "2026-01-02",
      dec: 23.125,
      dbl: 0.5,
      n: 42,
      s: "text",
      flag: true,
      list: ["a", "b"],
      questions: [{ question_label: "plot", question_answer: "A1" }],
      json: '{"Phi2":0.71}',
      nothing: null,
    });
    expect(typeof row!.id).toBe("bigint");
    expect(row!.id).toBe(9223372036854775807n);
    await lakehouse.close();
  });

  it("keeps a BIGINT exact even when it arrives as text", async () => {
    const { warehouse, lakehouse } = setup();
    warehouse.script.push({
      rows: [{ id: "9007199254740993" }],
      columns: [{ name: "id", type: "BIGINT_TYPE" }],
    });
    expect(await lakehouse.query(SELECT_ONE)).toEqual([{ id: 9007199254740993n }]);
    await lakehouse.close();
  });
});
