/**
 * One schema per access set, through the real server: a macro run only in a private experiment, and a VARIANT key
 * only a private experiment's output has, are in the schema (SDL, introspection, `Query.macros`, `schemaVersion`)
 * of those who may read that experiment and of no one else; a revoked membership takes them away; `schemaChanged`
 * tells each access set only about its own schema.
 */
import { once } from "node:events";
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery, printSchema } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { sql, table } from "../../lakehouse/sql.js";
import { TEST_JWT_SECRET } from "../support/gateway-process.js";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";
import { subscribe, wsClient } from "../support/subscription-clients.js";

const PUBLIC = "access-sets-public";
const PRIVATE = "access-sets-private";
/** Run in both experiments; only the private one's output has `secret_key`. */
const SHARED = "macro_access_shared";
/** Run only in the private experiment. */
const PRIVATE_ONLY = "macro_access_private_only";

let gw: InProcessGateway;
const tokens: Record<"member" | "viewer" | "outsider" | "admin", string> = {} as never;

async function catalogRow(experimentId: string, filename: string, schema: string): Promise<void> {
  await gw.lakehouse.execute(
    sql`INSERT INTO ${table("experiment_macros")} (experiment_id, macro_name, macro_filename, first_seen, last_seen, sample_count, output_schema)
      VALUES (${experimentId}, ${filename}, ${filename}, now(), now(), 1, ${schema})`,
  );
}

beforeAll(async () => {
  gw = await startInProcessGateway({ FRESHNESS_POLL_MS: "60000", RATE_LIMIT_POINTS: "100000" });
  for (const [id, visibility] of [
    [PUBLIC, "public"],
    [PRIVATE, "private"],
  ] as const) {
    await gw.lakehouse.execute(
      sql`INSERT INTO ${table("experiments")} VALUES (${id}, ${id}, 'access sets', ${visibility}, 'active', false, now())`,
    );
  }
  await gw.lakehouse.execute(
    sql`INSERT INTO ${table("experiment_members")} VALUES (${PRIVATE}, ${DEMO_PERSONAS.member.id}, 'member'),
      (${PRIVATE}, ${DEMO_PERSONAS.admin.id}, 'admin')`,
  );
  await catalogRow(PUBLIC, SHARED, "OBJECT<open_value: DOUBLE>");
  await catalogRow(PRIVATE, SHARED, "OBJECT<open_value: DOUBLE, secret_key: DOUBLE>");
  await catalogRow(PRIVATE, PRIVATE_ONLY, "OBJECT<hidden_reading: DOUBLE>");
  expect(await gw.runtime.refresh()).toBe(true);
  for (const caller of ["member", "viewer", "outsider", "admin"] as const) {
    tokens[caller] = await signToken(
      { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" },
      DEMO_PERSONAS[caller].id,
    );
  }
});

afterAll(async () => {
  await gw?.stop();
});

async function sdl(token?: string): Promise<string> {
  const res = await gw.gql<IntrospectionQuery>(getIntrospectionQuery(), {}, { token });
  expect(res.errors).toBeUndefined();
  return printSchema(buildClientSchema(res.data!));
}

interface CatalogView {
  schemaVersion: string;
  macros: { filename: string; experimentCount: number; fields: { key: string }[] }[];
}

async function catalogView(token?: string): Promise<CatalogView> {
  const res = await gw.gql<CatalogView>(
    `{ schemaVersion macros { filename experimentCount fields { key } } }`,
    {},
    { token },
  );
  expect(res.errors).toBeUndefined();
  return res.data!;
}

const keysOf = (view: CatalogView, filename: string) =>
  view.macros.find((m) => m.filename === filename)?.fields.map((f) => f.key);

describe("one schema per access set", () => {
  it("shows a private experiment's macros and keys only to those who may read it", async () => {
    const [anonymous, outsider, member, admin] = await Promise.all([
      sdl(),
      sdl(tokens.outsider),
      sdl(tokens.member),
      sdl(tokens.admin),
    ]);
    for (const text of [anonymous, outsider]) {
      expect(text).toContain("open_value");
      expect(text).not.toMatch(/secret_?key/i);
      expect(text).not.toMatch(/hidden_?reading/i);
      expect(text).not.toMatch(/PrivateOnly/i);
    }
    expect(outsider).toBe(anonymous);
    for (const text of [member, admin]) {
      expect(text).toMatch(/secret_key/);
      expect(text).toMatch(/hidden_reading/);
    }

    const [open, inside] = await Promise.all([catalogView(), catalogView(tokens.member)]);
    expect(keysOf(open, SHARED)).toEqual(["open_value"]);
    expect(open.macros.find((m) => m.filename === SHARED)!.experimentCount).toBe(1);
    expect(keysOf(open, PRIVATE_ONLY)).toBeUndefined();
    expect(keysOf(inside, SHARED)?.sort()).toEqual(["open_value", "secret_key"]);
    expect(inside.macros.find((m) => m.filename === SHARED)!.experimentCount).toBe(2);
    expect(keysOf(inside, PRIVATE_ONLY)).toEqual(["hidden_reading"]);
    expect(open.schemaVersion).not.toBe(inside.schemaVersion);
    expect((await catalogView(tokens.outsider)).schemaVersion).toBe(open.schemaVersion);
  });

  it("refuses a private-only field to an anonymous caller as a field that does not exist", async () => {
    const fieldName = (
      await gw.gql<{ macros: { filename: string; fieldName: string }[] }>(
        `{ macros { filename fieldName } }`,
        {},
        { token: tokens.member },
      )
    ).data!.macros.find((m) => m.filename === PRIVATE_ONLY)!.fieldName;
    const query = `{ ${fieldName}(experimentIds: ["${PRIVATE}"]) { totalCount } }`;
    const anonymous = await gw.gql(query);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(anonymous.errors?.[0]?.message).not.toContain(PRIVATE);
    const member = await gw.gql<Record<string, { totalCount: number }>>(query, {}, { token: tokens.member });
    expect(member.errors).toBeUndefined();
    expect(member.data![fieldName]!.totalCount).toBe(0);
  });

  it("tells each access set about its own schema changes only", async () => {
    const anonymousClient = wsClient(gw.url);
    const memberClient = wsClient(gw.url, tokens.member);
    type Change = { schemaChanged: { version: string; added: string[] } };
    const query = `subscription { schemaChanged { version added changed removed } }`;
    const bothStarted = new Promise<void>((resolve) => {
      let n = 0;
      const on = () => {
        if (++n < 2) return;
        gw.runtime.streams.events.off("started", on);
        resolve();
      };
      gw.runtime.streams.events.on("started", on);
    });
    const anonymous = subscribe<Change>(anonymousClient, query);
    const member = subscribe<Change>(memberClient, query);
    try {
      await bothStarted;
      // A macro only the member may see: the member hears of it; the anonymous subscriber does not…
      await catalogRow(PRIVATE, "macro_access_private_later", "OBJECT<later: DOUBLE>");
      expect(await gw.runtime.refresh()).toBe(true);
      await member.waitForCount(1);
      expect(member.data[0]!.schemaChanged.added).toEqual(["macro_access_private_later"]);
      expect(member.data[0]!.schemaChanged.version).toBe((await catalogView(tokens.member)).schemaVersion);
      // …its first event is the next public change, and says nothing of the private one.
      await catalogRow(PUBLIC, "macro_access_public_later", "OBJECT<later: DOUBLE>");
      expect(await gw.runtime.refresh()).toBe(true);
      await anonymous.waitForCount(1);
      expect(anonymous.data[0]!.schemaChanged.added).toEqual(["macro_access_public_later"]);
      expect(anonymous.data[0]!.schemaChanged.version).toBe((await catalogView()).schemaVersion);
      await member.waitForCount(2);
      expect(member.data[1]!.schemaChanged.added).toEqual(["macro_access_public_later"]);
    } finally {
      const ended = once(gw.runtime.streams.events, "ended");
      await anonymousClient.dispose();
      await memberClient.dispose();
      await ended;
    }
  });

  it("takes a private experiment's macros away when the membership goes", async () => {
    await gw.lakehouse.execute(
      sql`DELETE FROM ${table("experiment_members")} WHERE experiment_id = ${PRIVATE} AND user_id = ${DEMO_PERSONAS.member.id}`,
    );
    try {
      expect(await gw.runtime.refresh()).toBe(true);
      const view = await catalogView(tokens.member);
      expect(keysOf(view, PRIVATE_ONLY)).toBeUndefined();
      expect(keysOf(view, SHARED)).toEqual(["open_value"]);
      // Jonas now reads what Sofia reads (the demo's private experiments, not this one): the same schema.
      expect(view.schemaVersion).toBe((await catalogView(tokens.viewer)).schemaVersion);
      // The admin still may.
      expect(keysOf(await catalogView(tokens.admin), PRIVATE_ONLY)).toEqual(["hidden_reading"]);
    } finally {
      await gw.lakehouse.execute(
        sql`INSERT INTO ${table("experiment_members")} VALUES (${PRIVATE}, ${DEMO_PERSONAS.member.id}, 'member')`,
      );
      await gw.runtime.refresh();
    }
  });

  it("shares one built schema between callers who may read the same experiments", async () => {
    const registry = gw.runtime.registry;
    const of = async (userId: string | null) => (await registry.schemaFor({ userId, name: null })).built;
    expect(await of(DEMO_PERSONAS.outsider.id)).toBe(await of(null));
    expect(await of(DEMO_PERSONAS.admin.id)).toBe(await of(DEMO_PERSONAS.member.id));
    expect(await of(DEMO_PERSONAS.member.id)).not.toBe(await of(null));
    // Asking again builds nothing: the same object, at once (not a promise).
    const again = registry.schemaFor({ userId: DEMO_PERSONAS.member.id, name: null });
    expect(again).not.toBeInstanceOf(Promise);
  });
});
