/**
 * The whole-response cache through the real server: a repeat is answered without a statement and costs no points;
 * an answer is never served to another caller (anonymous vs a member on a private experiment, another user), nor
 * after the membership behind it is revoked; the gateway's own write, a catalog change (schema swap) and the
 * freshness watch are visible on the next request; answers that read something untagged are never stored; bounds.
 * Where a test repeats a query before a change, it repeats it until the hit lane (`response-cache-lane.ts`, which
 * answers the third identical request before Yoga) has answered, so the request after the change meets the lane
 * first and must still not be served the old answer.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { sql, table } from "../../lakehouse/sql.js";
import { TEST_JWT_SECRET, tempDir } from "../support/gateway-process.js";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };

let gw: InProcessGateway;
let member: string;
let outsider: string;
let admin: string;
let privateId: string;
let publicId: string;

interface Cost {
  statements: number;
  actual: number;
  remaining?: number;
}
const statementsOf = (r: { extensions?: { statements?: { count: number } } }) =>
  r.extensions!.statements!.count;
const hitOf = (r: { extensions?: Record<string, unknown> }) =>
  (r.extensions?.responseCache as { hit?: boolean } | undefined)?.hit;

const laneAnswers = async () =>
  Number(
    /^centrum_response_cache_lane_answers (\d+)/m.exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1],
  );

/** Repeats the query until the hit lane answers it (the third time): the answer is a hit, served before Yoga. */
async function viaLane(
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string } = {},
) {
  const before = await laneAnswers();
  let last: Awaited<ReturnType<typeof gw.gql>> | undefined;
  for (let i = 0; i < 3; i++) last = await gw.gql(query, variables, options);
  expect(hitOf(last!)).toBe(true);
  expect(await laneAnswers()).toBeGreaterThan(before);
  return last!;
}

beforeAll(async () => {
  // The freshness watch polls only when a test asks (runtime.poll()).
  gw = await startInProcessGateway({ FRESHNESS_POLL_MS: "600000", CATALOG_POLL_MS: "600000" });
  member = await signToken(JWT, DEMO_PERSONAS.member.id);
  outsider = await signToken(JWT, DEMO_PERSONAS.outsider.id);
  admin = await signToken(JWT, DEMO_PERSONAS.admin.id);
  const rows = await gw.runtime.raw.query<{ experiment_id: string; visibility: string }>(
    sql`SELECT e.experiment_id, e.visibility FROM ${table("experiments")} e
      WHERE e.visibility = 'public' OR e.experiment_id IN (
        SELECT experiment_id FROM ${table("experiment_members")} WHERE user_id = ${DEMO_PERSONAS.member.id})
      ORDER BY 1`,
  );
  privateId = rows.find((r) => r.visibility === "private")!.experiment_id;
  publicId = rows.find((r) => r.visibility === "public")!.experiment_id;
}, 120_000);

afterAll(async () => {
  await gw?.stop();
});

describe("repeats", () => {
  it("answer a repeated query from the cache: no statement, the same data", async () => {
    const query = `query($id: ID!) { experiment(id: $id) { id name devices { id } contributors { id }
      photosynthesis(first: 5) { edges { node { id Phi2 } } } } }`;
    const first = await gw.gql<unknown>(query, { id: publicId });
    expect(first.errors).toBeUndefined();
    expect(statementsOf(first)).toBeGreaterThan(0);
    expect(hitOf(first)).toBe(false);
    const second = await gw.gql<unknown>(query, { id: publicId });
    expect(hitOf(second)).toBe(true);
    expect(statementsOf(second)).toBe(0);
    expect(second.data).toEqual(first.data);
    const cost = (second.extensions as { cost: Cost }).cost;
    expect(cost.statements).toBe(0);
    expect(cost.actual).toBe(0);
    // Another variable set is another answer.
    const other = await gw.gql<unknown>(query, { id: privateId });
    expect(hitOf(other)).not.toBe(true);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(Number(/^centrum_response_cache_hits (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
  });

  it("never stores an answer built on an untagged read (stream heads move without a tag)", async () => {
    const query = `query($id: ID!) { experiment(id: $id) { streamHead { measurements samples } } }`;
    await gw.gql(query, { id: publicId });
    const again = await gw.gql(query, { id: publicId });
    expect(hitOf(again)).toBe(false);
    expect(statementsOf(again)).toBeGreaterThan(0);
  });

  it("caches no mutation", async () => {
    const input = {
      experimentId: publicId,
      table: "sample",
      rowId: "1",
      type: "COMMENT",
      text: "x",
      clientMutationId: "rc-1",
    };
    const mutation = `mutation($input: AddAnnotationInput!) { addAnnotation(input: $input) { annotations { id } } }`;
    const res = await gw.gql(mutation, { input }, { token: outsider });
    expect(hitOf(res)).toBeUndefined();
  });
});

describe("who sees an answer", () => {
  const PRIVATE = `query($id: ID!) { experiment(id: $id) { id name photosynthesis(first: 3) { totalCount } } }`;
  const LIST = `{ experiments(first: 100) { edges { node { id visibility } } } }`;

  it("never serves a member's answer to an anonymous caller or another user", async () => {
    const asMember = await gw.gql<{ experiment: { id: string } }>(
      PRIVATE,
      { id: privateId },
      { token: member },
    );
    expect(asMember.data!.experiment.id).toBe(privateId);
    await viaLane(PRIVATE, { id: privateId }, { token: member });
    for (const token of [undefined, outsider]) {
      const other = await gw.gql<{ experiment: unknown }>(PRIVATE, { id: privateId }, { token });
      expect(other.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      expect(hitOf(other)).not.toBe(true);
    }
    const memberList = await gw.gql<{ experiments: { edges: { node: { id: string } }[] } }>(
      LIST,
      {},
      { token: member },
    );
    expect(memberList.data!.experiments.edges.some((e) => e.node.id === privateId)).toBe(true);
    const anonymousList = await gw.gql<{ experiments: { edges: { node: { id: string } }[] } }>(LIST);
    expect(anonymousList.data!.experiments.edges.some((e) => e.node.id === privateId)).toBe(false);
  });

  it("shares answers among anonymous callers, and among one user's tokens", async () => {
    const query = `{ experiments(first: 3) { edges { node { id name } } } }`;
    await gw.gql(query);
    expect(hitOf(await gw.gql(query))).toBe(true);
    await gw.gql(query, {}, { token: admin });
    // Another token of the same user (another expiry): the session is the user, not the token.
    const otherToken = await signToken(JWT, DEMO_PERSONAS.admin.id, { expiresIn: "2h" });
    expect(hitOf(await gw.gql(query, {}, { token: otherToken }))).toBe(true);
  });

  it("stops serving an answer once the membership behind it is revoked and the watch notices", async () => {
    const viewer = await signToken(JWT, DEMO_PERSONAS.viewer.id);
    const first = await gw.gql<{ experiment: { id: string } }>(PRIVATE, { id: privateId }, { token: viewer });
    expect(first.data?.experiment?.id).toBe(privateId);
    await viaLane(PRIVATE, { id: privateId }, { token: viewer });
    await gw.runtime.raw.execute(
      sql`DELETE FROM ${table("experiment_members")} WHERE experiment_id = ${privateId} AND user_id = ${DEMO_PERSONAS.viewer.id}`,
    );
    await gw.runtime.poll();
    const after = await gw.gql(PRIVATE, { id: privateId }, { token: viewer });
    expect(after.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});

describe("what changes an answer", () => {
  it("shows the gateway's own write on the next request", async () => {
    const [row] = await gw.runtime.raw.query<{ id: bigint }>(
      sql`SELECT id FROM ${table("experiment_macro_data")}
        WHERE experiment_id = ${privateId} AND macro_filename = 'macro_photosynthesis' AND macro_error IS NULL
        ORDER BY id LIMIT 1`,
    );
    const rowId = row!.id.toString();
    const query = `query($id: ID!) { experiment(id: $id) {
      photosynthesis(first: 1000) { edges { node { annotations { text } } } } } }`;
    const first = await gw.gql(query, { id: privateId }, { token: member });
    expect(first.errors, JSON.stringify(first.errors)).toBeUndefined();
    await viaLane(query, { id: privateId }, { token: member });
    const added = await gw.gql(
      `mutation($input: AddAnnotationInput!) { addAnnotation(input: $input) { annotations { id } } }`,
      {
        input: {
          experimentId: privateId,
          table: "macro_photosynthesis",
          rowId,
          type: "COMMENT",
          text: "seen at once",
        },
      },
      { token: member },
    );
    expect(added.errors, JSON.stringify(added.errors)).toBeUndefined();
    const after = await gw.gql<{
      experiment: { photosynthesis: { edges: { node: { annotations: { text: string }[] } }[] } };
    }>(query, { id: privateId }, { token: member });
    expect(hitOf(after)).toBe(false);
    const texts = after.data!.experiment.photosynthesis.edges.flatMap((e) =>
      e.node.annotations.map((a) => a.text),
    );
    expect(texts).toContain("seen at once");
  });

  it("shows what the freshness watch notices on the next request after the poll", async () => {
    const query = `query($id: ID!) { experiment(id: $id) { id description } }`;
    await viaLane(query, { id: publicId });
    // Written behind the gateway's back: only the watch can tell.
    await gw.runtime.raw.execute(
      sql`UPDATE ${table("experiments")} SET description = ${"changed behind the gateway"} WHERE experiment_id = ${publicId}`,
    );
    await gw.runtime.poll();
    const after = await gw.gql<{ experiment: { description: string } }>(query, { id: publicId });
    expect(hitOf(after)).toBe(false);
    expect(after.data!.experiment.description).toBe("changed behind the gateway");
  });

  it("serves the new schema's answers after a catalog change", async () => {
    const query = `{ schemaVersion macros { filename } }`;
    const before = await gw.gql<{ schemaVersion: string; macros: { filename: string }[] }>(query);
    await viaLane(query);
    const dir = tempDir("centrum-rc-import-");
    const file = join(dir, "new-macro.ndjson");
    writeFileSync(
      file,
      `${JSON.stringify({
        experiment_id: publicId,
        id: 77,
        macro_name: "Response cache probe",
        macro_filename: "macro_rc_probe",
        timestamp: "2026-03-01T10:00:00Z",
        macro_output: { probe: 1.5 },
      })}\n`,
    );
    await gw.runtime.imports!.run(file, {});
    const after = await gw.gql<{ schemaVersion: string; macros: { filename: string }[] }>(query);
    expect(after.data!.schemaVersion).not.toBe(before.data!.schemaVersion);
    expect(after.data!.macros.map((m) => m.filename)).toContain("macro_rc_probe");
  });
});

describe("bounds", () => {
  it("keeps at most RESPONSE_CACHE_MAX_ENTRIES answers", async () => {
    const small = await startInProcessGateway({ RESPONSE_CACHE_MAX_ENTRIES: "2" });
    try {
      const q = (n: number) => `{ experiments(first: ${n}) { edges { node { id } } } }`;
      for (const n of [1, 2, 3]) await small.gql(q(n));
      expect(hitOf(await small.gql(q(3)))).toBe(true);
      expect(hitOf(await small.gql(q(1)))).toBe(false);
    } finally {
      await small.stop();
    }
  });

  it("is off with RESPONSE_CACHE=false", async () => {
    const off = await startInProcessGateway({ RESPONSE_CACHE: "false" });
    try {
      const q = `{ experiments(first: 1) { edges { node { id } } } }`;
      await off.gql(q);
      expect(hitOf(await off.gql(q))).toBeUndefined();
    } finally {
      await off.stop();
    }
  });
});
