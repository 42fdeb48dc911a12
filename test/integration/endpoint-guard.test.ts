/**
 * Hostile operations through the real server: each is refused with its own code before any statement runs, memory
 * stays bounded, and a simple query sent meanwhile is answered normally. Every answer reports its cost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../gateway/auth/jwt.js";
import { ConfigError, loadConfig } from "../../gateway/config.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { sql, table } from "../../lakehouse/sql.js";
import { TEST_JWT_SECRET } from "../support/gateway-process.js";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

let gw: InProcessGateway;
let roomy: InProcessGateway;
let experimentId: string;

const QUIET = {
  FRESHNESS_POLL_MS: "60000",
  CATALOG_POLL_MS: "60000",
  CACHE_TTL_MS: "0",
  READINESS_CACHE_MS: "0",
};
const SIMPLE = "{ experiments(first: 2) { totalCount edges { node { id name } } } }";

interface Cost {
  requested: number;
  statements: number;
  actual: number;
  limit: number;
}

beforeAll(async () => {
  gw = await startInProcessGateway(QUIET);
  // Limits raised far enough that only the statement estimate and deduplication decide.
  roomy = await startInProcessGateway({ ...QUIET, MAX_ALIASES: "20000", MAX_TOKENS: "1000000" });
  const [row] = await gw.lakehouse.query<{ experiment_id: string }>(
    sql`SELECT experiment_id FROM ${table("experiment_macro_data")} m WHERE macro_filename = 'macro_photosynthesis'
      AND experiment_id IN (SELECT experiment_id FROM ${table("experiments")} WHERE visibility = 'public')
      GROUP BY experiment_id ORDER BY count(*) DESC LIMIT 1`,
  );
  experimentId = row!.experiment_id;
  await gw.runtime.poll();
  await roomy.runtime.poll();
});

afterAll(async () => {
  await gw?.stop();
  await roomy?.stop();
});

function memberToken(): Promise<string> {
  return signToken(
    { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" },
    DEMO_PERSONAS.member.id,
  );
}

/** `sample { measurements { ... on PhotosynthesisMeasurement { sample { … } } } }`, `levels` times. */
function cycle(levels: number): string {
  let inner = "id";
  for (let i = 0; i < levels; i++)
    inner = `sample { measurements { id ... on PhotosynthesisMeasurement { ${inner} } } }`;
  return `query($id: ID!) { experiment(id: $id) { photosynthesis(first: 100) { edges { node { ${inner} } } } } }`;
}

async function refused(target: InProcessGateway, query: string, code: string | string[]) {
  const before = target.runtime.raw.statements.total;
  const rssBefore = process.memoryUsage().rss;
  const [res, simple] = await Promise.all([target.gql(query, { id: experimentId }), target.gql(SIMPLE)]);
  expect(res.data ?? null).toBeNull();
  const error = res.errors?.[0] as { message: string; extensions: { code: string; limit?: string } };
  expect([code].flat()).toContain(error.extensions.code);
  expect(error.message).toMatch(/limit/i);
  expect(simple.errors).toBeUndefined();
  expect(simple.data).toBeTruthy();
  // Only the simple query ran statements.
  expect(target.runtime.raw.statements.total - before).toBe(simple.extensions!.statements!.count);
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
  return error;
}

describe("the endpoint guard", () => {
  it("refuses the cyclic fan-out at depth 16 × first 100 as too deep", async () => {
    await refused(gw, cycle(8), "QUERY_TOO_DEEP");
  });

  it("refuses a fan-out within the depth limit by the response nodes it would produce", async () => {
    const error = await refused(gw, cycle(4), "COST_LIMIT");
    expect(error.extensions.limit).toBe("nodes");
  });

  it("refuses a 100-deep selection", async () => {
    let inner = "id";
    for (let i = 0; i < 100; i++) inner = `experiment { ${inner} }`;
    await refused(gw, `{ experiments(first: 1) { edges { node { ${inner} } } } }`, [
      "QUERY_TOO_DEEP",
      "GRAPHQL_VALIDATION_FAILED",
    ]);
  });

  it("refuses 10,000 aliases before parsing them all", async () => {
    const aliases = Array.from({ length: 10_000 }, (_, i) => `a${i}: photosynthesisAggregate { count }`).join(
      " ",
    );
    await refused(gw, `query($id: ID!) { experiment(id: $id) { ${aliases} } }`, [
      "TOO_MANY_TOKENS",
      "TOO_MANY_ALIASES",
    ]);
  });

  it("refuses 40 aliases by the alias limit", async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: photosynthesisAggregate { count }`).join(
      " ",
    );
    const error = await refused(
      gw,
      `query($id: ID!) { experiment(id: $id) { ${aliases} } }`,
      "TOO_MANY_ALIASES",
    );
    expect(error.message).toMatch(/30/);
  });

  it("refuses 2,000 distinct aggregates by their statement estimate", async () => {
    const aliases = Array.from(
      { length: 2_000 },
      (_, i) => `a${i}: photosynthesisAggregate(where: { Phi2: { gte: ${i / 10_000} } }) { count }`,
    ).join(" ");
    const error = await refused(
      roomy,
      `query($id: ID!) { experiment(id: $id) { ${aliases} } }`,
      "COST_LIMIT",
    );
    expect(error.extensions.limit).toBe("statements");
  });

  it("runs 2,000 aliases of one aggregate as one statement", async () => {
    const aliases = Array.from({ length: 2_000 }, (_, i) => `a${i}: photosynthesisAggregate { count }`).join(
      " ",
    );
    const res = await roomy.gql<{ experiment: Record<string, { count: number }> }>(
      `query($id: ID!) { experiment(id: $id) { ${aliases} } }`,
      { id: experimentId },
    );
    expect(res.errors).toBeUndefined();
    const counts = new Set(Object.values(res.data!.experiment).map((a) => JSON.stringify(a)));
    expect(counts.size).toBe(1);
    // The experiment and the aggregate.
    expect(res.extensions!.statements!.count).toBe(2);
    expect((res.extensions as { cost: Cost }).cost).toMatchObject({ statements: 2, actual: 2 });
  });

  it("reports the requested and actual cost on every answer", async () => {
    const res = await gw.gql(
      `query($id: ID!) { experiment(id: $id) { name photosynthesis(first: 10) { edges { node { id device { name } } } } } }`,
      { id: experimentId },
    );
    expect(res.errors).toBeUndefined();
    const cost = (res.extensions as { cost: Cost }).cost;
    expect(cost.actual).toBe(res.extensions!.statements!.count);
    expect(cost.statements).toBeGreaterThanOrEqual(cost.actual);
    expect(cost.requested).toBeGreaterThan(30);
    expect(cost.limit).toBe(250_000);
  });
});

describe("authentication that cannot be misconfigured", () => {
  it("refuses to start in production with the development secret or a short one", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: "production", JWT_SECRET: "only-twenty-bytes-ok" })).toThrow(
      /32 bytes/,
    );
    expect(loadConfig({ NODE_ENV: "production", JWT_SECRET: "x".repeat(32) }).env).toBe("production");
  });
});

describe("correct codes for bad input", () => {
  it("an invalid DateTime variable is BAD_USER_INPUT, not an internal error", async () => {
    const res = await gw.gql(
      `query($t: DateTime!) { photosynthesis(first: 1, where: { timestamp: { gte: $t } }) { totalCount } }`,
      { t: "not-a-date" },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0]?.message).toMatch(/DateTime/);
  });

  it("a cursor whose keys were tampered with is BAD_USER_INPUT and never reaches SQL", async () => {
    const page = await gw.gql<{ photosynthesis: { pageInfo: { endCursor: string } } }>(
      "{ photosynthesis(first: 1) { pageInfo { endCursor } } }",
    );
    const raw = JSON.parse(Buffer.from(page.data!.photosynthesis.pageInfo.endCursor, "base64url").toString());
    raw.k[0] = "2026-13-45 or 1=1";
    const before = gw.runtime.raw.statements.total;
    const res = await gw.gql(`query($c: String!) { photosynthesis(first: 1, after: $c) { totalCount } }`, {
      c: Buffer.from(JSON.stringify(raw)).toString("base64url"),
    });
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(gw.runtime.raw.statements.total).toBe(before);
  });
});

describe("readiness tells the truth", () => {
  it("turns 503 with the lakehouse's code when a served table cannot be read, and recovers by itself", async () => {
    const ready = () =>
      fetch(`${gw.url}/readyz`).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect((await ready()).status).toBe(200);
    await gw.lakehouse.execute(
      sql`ALTER TABLE ${table("experiment_status")} RENAME TO experiment_status_away`,
    );
    try {
      const down = await ready();
      expect(down.status).toBe(503);
      expect(down.body.lakehouse).toMatchObject({ ok: false, code: "LAKEHOUSE_ERROR" });
      expect(JSON.stringify(down.body)).not.toMatch(/SELECT|experiment_status_away/);
    } finally {
      await gw.lakehouse.execute(sql`ALTER TABLE centrum.experiment_status_away RENAME TO experiment_status`);
    }
    expect((await ready()).status).toBe(200);
  });
});

describe("rate limits", () => {
  it("limits a burst of 1,000 anonymous requests by cost points, with Retry-After, while a member is served", async () => {
    const limited = await startInProcessGateway({
      ...QUIET,
      RATE_LIMIT_POINTS: "50",
      RATE_LIMIT_DRAIN_PER_S: "0.01",
    });
    try {
      const post = (token?: string) =>
        fetch(`${limited.url}/graphql`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ query: SIMPLE }),
        });
      const before = limited.runtime.raw.statements.total;
      const statuses: number[] = [];
      let refusal: { status: number; retryAfter: string | null; body: unknown } | undefined;
      for (let round = 0; round < 20; round++) {
        const answers = await Promise.all(Array.from({ length: 50 }, () => post()));
        for (const a of answers) {
          statuses.push(a.status);
          if (a.status === 429 && !refusal) {
            refusal = { status: a.status, retryAfter: a.headers.get("retry-after"), body: await a.json() };
          } else await a.arrayBuffer();
        }
      }
      expect(statuses).toHaveLength(1000);
      // 50 points, one statement estimated per request: the first 50 pass.
      expect(statuses.filter((s) => s === 200)).toHaveLength(50);
      expect(Number(refusal!.retryAfter)).toBeGreaterThan(0);
      const error = (refusal!.body as { errors: { extensions: { code: string; retryAfter: number } }[] })
        .errors[0]!;
      expect(error.extensions.code).toBe("RATE_LIMITED");
      expect(error.extensions.retryAfter).toBe(Number(refusal!.retryAfter));
      // Refused requests ran nothing: one statement for each of the 50 that passed.
      expect(limited.runtime.raw.statements.total - before).toBe(50);

      const token = await memberToken();
      const member = await post(token);
      expect(member.status).toBe(200);
      const body = (await member.json()) as { extensions: { cost: { remaining: number; resetAt: string } } };
      expect(body.extensions.cost.remaining).toBe(49);
      expect(Date.parse(body.extensions.cost.resetAt)).toBeGreaterThan(Date.now());
    } finally {
      await limited.stop();
    }
  });

  it("limits mutation calls per caller with envelop's rate limiter, configured by field", async () => {
    const limited = await startInProcessGateway({ ...QUIET, MUTATIONS_PER_MINUTE: "2" });
    try {
      const token = await memberToken();
      const add = () =>
        limited.gql(
          `mutation { addAnnotation(input: { experimentId: "nope", table: "sample", rowId: "1", type: COMMENT, text: "x" }) { annotations { id } } }`,
          {},
          { token },
        );
      const codes: unknown[] = [];
      for (let i = 0; i < 3; i++) codes.push((await add()).errors?.[0]?.extensions?.code);
      expect(codes).toEqual(["NOT_FOUND", "NOT_FOUND", "RATE_LIMITED"]);
    } finally {
      await limited.stop();
    }
  });
});
