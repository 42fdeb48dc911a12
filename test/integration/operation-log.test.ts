/** Structured logs from the real server process: one JSON line per operation, the request id on the response. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";

let gateway: GatewayProcess;

beforeAll(async () => {
  gateway = await startGateway({ env: { LOG_LEVEL: "info" } });
});

afterAll(async () => {
  await gateway?.stop();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("operation log", () => {
  it("logs one line per operation with its request id, caller, cost and statements", async () => {
    const res = await post(
      { query: "query Listing { experiments(first: 1) { totalCount } }" },
      { "x-request-id": "probe-1" },
    );
    expect(res.headers.get("x-request-id")).toBe("probe-1");
    const line = JSON.parse(await gateway.waitForLine(/"requestId":"probe-1"/));
    expect(line).toMatchObject({ level: 30, msg: "operation", operation: "Listing", statements: 1 });
    expect(line.caller).toMatch(/^address:/);
    expect(line.ms).toBeGreaterThanOrEqual(0);
  });

  it("gives every response a request id of its own when the client sent none (or an unsafe one)", async () => {
    const a = await post({ query: "{ __typename }" });
    const b = await post({ query: "{ __typename }" }, { "x-request-id": "bad id\twith spaces" });
    expect(a.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers.get("x-request-id")).not.toBe(b.headers.get("x-request-id"));
  });

  it("logs a client error at info with its code and no stack", async () => {
    await post(
      {
        query: "query Bad($id: ID!) { experiment(id: $id) { id } }",
        variables: { id: "no-such-experiment" },
      },
      { "x-request-id": "probe-2" },
    );
    const line = JSON.parse(await gateway.waitForLine(/"requestId":"probe-2"/));
    expect(line).toMatchObject({ level: 30, codes: ["NOT_FOUND"] });
    expect(gateway.output()).not.toMatch(/"level":50.*No experiment with id/);
    expect(gateway.output()).not.toMatch(/at requireExperiment/);
  });
});

describe("/metrics", () => {
  it("exposes Yoga's figures and the gateway's: statements by dialect, cache, refusals", async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: totalCount`).join(" ");
    const refused = await post({ query: `{ experiments(first: 1) { ${aliases} } }` });
    expect(
      ((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
    ).toBe("TOO_MANY_ALIASES");
    await post({ query: "{ experiments(first: 3) { totalCount } }" });
    // Another document with the same reads: not a repeated answer, but the same statements (the result cache).
    await post({ query: "{ experiments(first: 3) { totalCount __typename } }" });
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    expect(
      value(
        /^centrum_lakehouse_statements_total\{dialect="duckdb",kind="read",origin="request",outcome="ok"\} (\d+)/m,
      ),
    ).toBeGreaterThan(0);
    expect(text).toMatch(
      /^centrum_lakehouse_statement_duration_seconds_bucket\{le="0.005",dialect="duckdb",kind="read"\} \d+/m,
    );
    expect(value(/^centrum_operations_refused_total\{limit="aliases"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^centrum_result_cache_hits (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^graphql_yoga_http_duration_bucket/m);
  });
});
