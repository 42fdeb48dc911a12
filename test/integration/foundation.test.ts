/**
 * The foundation through the real server process over HTTP: who sees what, paging without gaps, exact 64-bit ids,
 * bad input answered with stable codes while the server keeps serving, health checks and offline GraphiQL.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { seedDemo } from "../../lakehouse/demo/seed-demo.js";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import { sql, table } from "../../lakehouse/sql.js";
import {
  type GatewayProcess,
  type GraphQLResponse,
  startGateway,
  TEST_JWT_SECRET,
  tempDir,
} from "../support/gateway-process.js";

const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };

interface ExperimentInfo {
  experiment_id: string;
  visibility: string;
}

let gateway: GatewayProcess;
let dir: string;
let dbFile: string;
let experiments: ExperimentInfo[];
let privateId: string;
let privateSampleIds: string[];
const tokens: Record<string, string> = {};

beforeAll(async () => {
  dir = tempDir();
  dbFile = join(dir, "centrum.duckdb");
  const lakehouse = await openCentrumDuckDb(dbFile);
  await seedDemo(lakehouse, { preset: "ci", seed: 7 });
  experiments = await lakehouse.query<ExperimentInfo>(
    sql`SELECT experiment_id, visibility FROM ${table("experiments")} ORDER BY experiment_id`,
  );
  const priv = await lakehouse.query<{ experiment_id: string; n: bigint }>(
    sql`SELECT e.experiment_id, count(*) AS n FROM ${table("experiments")} e
      JOIN ${table("experiment_raw_data")} r USING (experiment_id)
      WHERE e.visibility = 'private' GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1`,
  );
  privateId = priv[0]!.experiment_id;
  const ids = await lakehouse.query<{ id: bigint }>(
    sql`SELECT id FROM ${table("experiment_raw_data")} WHERE experiment_id = ${privateId}
      ORDER BY timestamp DESC NULLS LAST, id DESC`,
  );
  privateSampleIds = ids.map((r) => r.id.toString());
  await lakehouse.close();

  for (const [role, user] of Object.entries(DEMO_PERSONAS)) tokens[role] = await signToken(JWT, user.id);
  gateway = await startGateway({ dir, dbFile });
});

afterAll(async () => {
  await gateway?.stop();
});

const EXPERIMENT_IDS = `query($after: String) { experiments(first: 2, after: $after) {
  totalCount edges { node { id visibility } } pageInfo { hasNextPage endCursor } } }`;

async function allExperimentIds(token?: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const res: GraphQLResponse<{
      experiments: { edges: { node: { id: string } }[]; pageInfo: SamplePage["pageInfo"] };
    }> = await gateway.gql(EXPERIMENT_IDS, { after }, { token });
    expect(res.errors).toBeUndefined();
    ids.push(...res.data!.experiments.edges.map((e) => e.node.id));
    if (!res.data!.experiments.pageInfo.hasNextPage) return ids.sort();
    after = res.data!.experiments.pageInfo.endCursor;
  }
}

async function stillServes(): Promise<void> {
  const res = await gateway.gql<{ viewer: { authenticated: boolean } }>("{ viewer { authenticated } }");
  expect(res.data?.viewer.authenticated).toBe(false);
}

describe("visibility", () => {
  it("anonymous callers and outsiders see public experiments only; members see private ones too", async () => {
    const publicIds = experiments.filter((e) => e.visibility === "public").map((e) => e.experiment_id);
    const allIds = experiments.map((e) => e.experiment_id);
    expect(publicIds.length).toBeGreaterThan(0);
    expect(publicIds.length).toBeLessThan(allIds.length);
    expect(await allExperimentIds()).toEqual([...publicIds].sort());
    expect(await allExperimentIds(tokens.outsider)).toEqual([...publicIds].sort());
    expect(await allExperimentIds(tokens.member)).toEqual([...allIds].sort());
  });

  it("answers a private experiment the caller may not read exactly like a missing one", async () => {
    const query = "query($id: ID!) { experiment(id: $id) { id name } }";
    const hidden = await gateway.gql(query, { id: privateId }, { token: tokens.outsider });
    const missing = await gateway.gql(
      query,
      { id: "00000000-0000-0000-0000-000000000000" },
      { token: tokens.outsider },
    );
    expect(hidden.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(missing.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(hidden.errors![0]!.message.replace(privateId, "ID")).toBe(
      missing.errors![0]!.message.replace("00000000-0000-0000-0000-000000000000", "ID"),
    );
    expect(hidden.data).toEqual(missing.data);
    const member = await gateway.gql<{ experiment: { id: string } }>(
      query,
      { id: privateId },
      { token: tokens.member },
    );
    expect(member.data?.experiment.id).toBe(privateId);
  });
});

interface SamplePage {
  totalCount: number;
  edges: { node: { rowId: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string };
}

describe("samples", () => {
  const PAGE = `query($id: ID!, $after: String) { experiment(id: $id) { samples(first: 7, after: $after) {
    totalCount edges { cursor node { rowId timestamp } } pageInfo { hasNextPage endCursor } } } }`;

  it("pages through every sample with no gap or duplicate, ids exact above 2^53", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = -1;
    for (let page = 0; page < 1000; page++) {
      const res: GraphQLResponse<{ experiment: { samples: SamplePage } }> = await gateway.gql(
        PAGE,
        { id: privateId, after },
        { token: tokens.member },
      );
      expect(res.errors).toBeUndefined();
      const samples: SamplePage = res.data!.experiment.samples;
      total = samples.totalCount;
      seen.push(...samples.edges.map((e) => e.node.rowId));
      if (!samples.pageInfo.hasNextPage) break;
      after = samples.pageInfo.endCursor;
    }
    expect(total).toBe(privateSampleIds.length);
    expect(new Set(seen).size).toBe(seen.length);
    // Same ids, same order (newest first, then id), compared as exact decimal strings.
    expect(seen).toEqual(privateSampleIds);
    expect(seen.some((id) => BigInt(id) > 2n ** 53n)).toBe(true);
  });

  it("pages backwards with last/before to the same rows", async () => {
    const res = await gateway.gql<{
      experiment: { samples: { edges: { node: { rowId: string } }[] } };
    }>(
      `query($id: ID!) { experiment(id: $id) { samples(last: 5) { edges { node { rowId } } } } }`,
      { id: privateId },
      {
        token: tokens.member,
      },
    );
    expect(res.data!.experiment.samples.edges.map((e) => e.node.rowId)).toEqual(privateSampleIds.slice(-5));
  });

  it("a page of 100 samples costs at most 2 statements", async () => {
    const res = await gateway.gql(
      `query($id: ID!) { experiment(id: $id) { name samples(first: 100) { totalCount edges { node { id timestamp questions { label answer } data } } } } }`,
      { id: privateId },
      { token: tokens.member },
    );
    expect(res.errors).toBeUndefined();
    expect(res.extensions?.statements?.count).toBeLessThanOrEqual(2);
  });
});

describe("bad input", () => {
  const cases: [string, string, Record<string, unknown>, string | undefined, string][] = [
    [
      "unknown experiment",
      "query($id: ID!) { experiment(id: $id) { id } }",
      { id: "nope" },
      undefined,
      "NOT_FOUND",
    ],
    [
      "malformed cursor",
      "query($a: String) { experiments(first: 2, after: $a) { totalCount } }",
      { a: "not-a-cursor!" },
      undefined,
      "BAD_USER_INPUT",
    ],
    [
      "forged cursor",
      "query($a: String) { experiments(first: 2, after: $a) { totalCount } }",
      { a: Buffer.from('{"v":1,"s":"x","k":["a","b"]}').toString("base64url") },
      undefined,
      "BAD_USER_INPUT",
    ],
    [
      "first above the maximum",
      "{ experiments(first: 1001) { totalCount } }",
      {},
      undefined,
      "BAD_USER_INPUT",
    ],
    ["negative first", "{ experiments(first: -1) { totalCount } }", {}, undefined, "BAD_USER_INPUT"],
    ["malformed token", "{ viewer { userId } }", {}, "garbage.token.here", "UNAUTHENTICATED"],
  ];

  for (const [name, query, variables, token, code] of cases) {
    it(`${name} → ${code}, no SQL or stack, and the server keeps serving`, async () => {
      const res = await gateway.gql(query, variables, { token });
      expect(res.errors?.[0]?.extensions?.code).toBe(code);
      const text = JSON.stringify(res.errors);
      expect(text).not.toMatch(/SELECT|centrum\.|at .*\.ts:\d+/);
      await stillServes();
    });
  }

  it("an expired token or one signed with another secret → UNAUTHENTICATED", async () => {
    const expired = await signToken(JWT, DEMO_PERSONAS.member.id, {
      expiresIn: Math.floor(Date.now() / 1000) - 60,
    });
    const res = await gateway.gql("{ viewer { userId } }", {}, { token: expired });
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(res.errors?.[0]?.message).toMatch(/expired/);
    const forged = await signToken(
      { ...JWT, secret: "another-secret-another-secret!!" },
      DEMO_PERSONAS.admin.id,
    );
    const res2 = await gateway.gql("{ viewer { userId } }", {}, { token: forged });
    expect(res2.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    await stillServes();
  });

  it("a locked database file stops a second gateway with a clear message", async () => {
    await expect(startGateway({ dbFile, timeoutMs: 30_000 })).rejects.toThrow(/locked|lock/i);
    await stillServes();
  });

  it("a corrupt database file stops the gateway with a clear message", async () => {
    const corrupt = join(tempDir(), "corrupt.duckdb");
    writeFileSync(corrupt, "this is not a duckdb file".repeat(1000));
    await expect(startGateway({ dbFile: corrupt, timeoutMs: 30_000 })).rejects.toThrow(
      /cannot (be opened|start)/i,
    );
  });
});

describe("operations", () => {
  it("serves /healthz and /readyz", async () => {
    expect((await gateway.get("/healthz")).status).toBe(200);
    const ready = await gateway.get("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: "ready",
      lakehouse: { ok: true },
      cache: { hits: expect.any(Number), misses: expect.any(Number) },
    });
  });

  it("serves GraphiQL without any CDN", async () => {
    const res = await fetch(`${gateway.url}/graphql`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/graphiql/i);
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdnjs|esm\.sh/);
  });
});
