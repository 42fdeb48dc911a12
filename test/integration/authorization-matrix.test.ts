/**
 * The authorization matrix through the real server: anonymous / outsider / viewer / member / admin × a public and
 * a private experiment × reading the experiment, a page of its measurements, annotating it, changing someone
 * else's annotation, and subscribing to its new samples over graphql-ws. A private experiment the caller may not read answers exactly like a missing one.
 */
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { sql, table } from "../../lakehouse/sql.js";
import { TEST_JWT_SECRET } from "../support/gateway-process.js";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";
import { failureCode, subscribe, wsClient } from "../support/subscription-clients.js";

type Caller = "anonymous" | "outsider" | "viewer" | "member" | "admin";
type Visibility = "public" | "private";
type Operation = "read" | "page" | "annotate" | "edit others'" | "subscribe";
const OK = "ok";

/**
 * The rules: anyone reads public experiments; members of every role read private ones; members of every role
 * annotate (openJII's viewers contribute), non-members may not; only the author or an admin edits an annotation.
 * In the demo data Maria administers every experiment, Jonas is a member of the private ones and of this public one,
 * and Sofia a viewer of the private ones only (so on the public one she is a non-member).
 */
const EXPECTED: Record<Visibility, Record<Operation, Record<Caller, string>>> = {
  public: {
    read: { anonymous: OK, outsider: OK, viewer: OK, member: OK, admin: OK },
    page: { anonymous: OK, outsider: OK, viewer: OK, member: OK, admin: OK },
    annotate: {
      anonymous: "UNAUTHENTICATED",
      outsider: "FORBIDDEN",
      viewer: "FORBIDDEN",
      member: OK,
      admin: OK,
    },
    "edit others'": {
      anonymous: "UNAUTHENTICATED",
      outsider: "FORBIDDEN",
      viewer: "FORBIDDEN",
      member: "FORBIDDEN",
      admin: OK,
    },
    subscribe: { anonymous: OK, outsider: OK, viewer: OK, member: OK, admin: OK },
  },
  private: {
    read: { anonymous: "NOT_FOUND", outsider: "NOT_FOUND", viewer: OK, member: OK, admin: OK },
    page: { anonymous: "NOT_FOUND", outsider: "NOT_FOUND", viewer: OK, member: OK, admin: OK },
    annotate: { anonymous: "UNAUTHENTICATED", outsider: "NOT_FOUND", viewer: OK, member: OK, admin: OK },
    "edit others'": {
      anonymous: "UNAUTHENTICATED",
      outsider: "NOT_FOUND",
      viewer: "FORBIDDEN",
      member: "FORBIDDEN",
      admin: OK,
    },
    subscribe: { anonymous: "NOT_FOUND", outsider: "NOT_FOUND", viewer: OK, member: OK, admin: OK },
  },
};

let gw: InProcessGateway;
const tokens: Partial<Record<Caller, string>> = {};
const experiments: Record<Visibility, { id: string; row: string; othersAnnotation: string }> = {} as never;

beforeAll(async () => {
  gw = await startInProcessGateway({
    FRESHNESS_POLL_MS: "60000",
    MUTATIONS_PER_MINUTE: "10000",
    RATE_LIMIT_POINTS: "100000",
  });
  const users: Record<Exclude<Caller, "anonymous">, string> = {
    outsider: DEMO_PERSONAS.outsider.id,
    viewer: DEMO_PERSONAS.viewer.id,
    member: DEMO_PERSONAS.member.id,
    admin: DEMO_PERSONAS.admin.id,
  };
  for (const [caller, id] of Object.entries(users)) {
    tokens[caller as Caller] = await signToken(
      { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" },
      id,
    );
  }
  for (const visibility of ["public", "private"] as const) {
    const [row] = await gw.lakehouse.query<{ experiment_id: string; id: bigint }>(
      sql`SELECT r.experiment_id, min(r.id) AS id FROM ${table("experiment_raw_data")} r
        JOIN ${table("experiments")} e ON e.experiment_id = r.experiment_id
        WHERE e.visibility = ${visibility} AND NOT e.anonymize_contributors
        GROUP BY r.experiment_id ORDER BY r.experiment_id LIMIT 1`,
    );
    const id = row!.experiment_id;
    // The demo's membership is what the rules above assume.
    const members = await gw.lakehouse.query<{ user_id: string; role: string }>(
      sql`SELECT user_id, role FROM ${table("experiment_members")} WHERE experiment_id = ${id}`,
    );
    const roleOf = (user: string) => members.find((m) => m.user_id === user)?.role ?? null;
    expect(roleOf(users.admin)).toBe("admin");
    expect(roleOf(users.outsider)).toBeNull();
    expect([roleOf(users.member), roleOf(users.viewer)]).toEqual(
      visibility === "private" ? ["member", "viewer"] : ["member", null],
    );
    // Someone else's annotation: written by the admin (the author of record for every "edit others'" case).
    const added = await gw.gql<{ addAnnotation: { annotations: { id: string }[] } }>(
      `mutation($input: AddAnnotationInput!) { addAnnotation(input: $input) { annotations { id } } }`,
      {
        input: {
          experimentId: id,
          table: "sample",
          rowId: row!.id.toString(),
          type: "COMMENT",
          text: "by the admin",
        },
      },
      { token: tokens.admin },
    );
    experiments[visibility] = {
      id,
      row: row!.id.toString(),
      othersAnnotation: added.data!.addAnnotation.annotations[0]!.id,
    };
  }
});

afterAll(async () => {
  await gw?.stop();
});

async function attempt(operation: Operation, visibility: Visibility, caller: Caller): Promise<string> {
  const e = experiments[visibility];
  const token = tokens[caller];
  const options = token ? { token } : {};
  let res: { errors?: { extensions?: { code?: string } }[] };
  switch (operation) {
    case "read":
      res = await gw.gql(`query($id: ID!) { experiment(id: $id) { id name } }`, { id: e.id }, options);
      break;
    case "page":
      res = await gw.gql(
        `query($id: ID!) { experiment(id: $id) { samples(first: 2) { edges { node { id } } } } }`,
        { id: e.id },
        options,
      );
      break;
    case "annotate":
      res = await gw.gql(
        `mutation($input: AddAnnotationInput!) { addAnnotation(input: $input) { annotations { id } } }`,
        {
          input: {
            experimentId: e.id,
            table: "sample",
            rowId: e.row,
            type: "FLAG",
            flagType: "NEEDS_REVIEW",
          },
        },
        options,
      );
      break;
    case "subscribe": {
      // Started (the hub says so) or refused with an `error` message for the operation.
      const client = wsClient(gw.url, token);
      try {
        const started = once(gw.runtime.streams.events, "started").then(() => OK);
        const rec = subscribe(client, `subscription($e: ID!) { sampleAdded(experimentId: $e) { cursor } }`, {
          e: e.id,
        });
        return await Promise.race([
          started,
          rec.waitForEnd().then(() => failureCode(rec.failure) ?? "ENDED"),
        ]);
      } finally {
        await client.dispose();
      }
    }
    case "edit others'":
      res = await gw.gql(
        `mutation($input: UpdateAnnotationInput!) { updateAnnotation(input: $input) { annotations { id } } }`,
        { input: { experimentId: e.id, id: e.othersAnnotation, text: `edited by ${caller}` } },
        options,
      );
      break;
  }
  return res.errors?.[0]?.extensions?.code ?? OK;
}

describe("authorization matrix", () => {
  for (const visibility of ["public", "private"] as const) {
    for (const operation of ["read", "page", "annotate", "edit others'", "subscribe"] as const) {
      it(`${operation} on a ${visibility} experiment`, async () => {
        const actual: Record<string, string> = {};
        for (const caller of ["anonymous", "outsider", "viewer", "member", "admin"] as const) {
          actual[caller] = await attempt(operation, visibility, caller);
        }
        expect(actual).toEqual(EXPECTED[visibility][operation]);
      });
    }
  }
});

describe("contributor privacy", () => {
  /** What each caller sees of contributors' email and organization (openJII shows others only id, names, avatar). */
  async function seen(visibility: Visibility, caller: Caller): Promise<string> {
    const token = tokens[caller];
    type Person = { email: string | null; organization: string | null };
    const res = await gw.gql<{
      experiment: { contributors: Person[]; samples: { edges: { node: { contributor: Person | null } }[] } };
    }>(
      `query($id: ID!) {
        experiment(id: $id) {
          contributors { email organization }
          samples(first: 20) { edges { node { contributor { email organization } } } }
        }
      }`,
      { id: experiments[visibility].id },
      token ? { token } : {},
    );
    if (res.errors?.length) return res.errors[0]!.extensions?.code ?? "ERROR";
    const experiment = res.data!.experiment;
    const people = [
      ...experiment.contributors,
      ...experiment.samples.edges.flatMap((e) => (e.node.contributor ? [e.node.contributor] : [])),
    ];
    expect(people.length).toBeGreaterThan(0);
    const shown = people.filter((p) => p.email !== null || p.organization !== null).length;
    return shown === 0 ? "hidden" : shown === people.length ? "shown" : `${shown} of ${people.length} shown`;
  }

  it("shows email and organization to admins of the experiment only", async () => {
    // The demo's users all have both, so "hidden" is the rule at work, not missing data.
    const [missing] = await gw.lakehouse.query<{ n: bigint }>(
      sql`SELECT count(*) AS n FROM ${table("users")} WHERE email IS NULL OR organization IS NULL`,
    );
    expect(missing!.n).toBe(0n);
    const actual: Record<string, Record<string, string>> = { public: {}, private: {} };
    for (const visibility of ["public", "private"] as const) {
      for (const caller of ["anonymous", "outsider", "viewer", "member", "admin"] as const) {
        actual[visibility]![caller] = await seen(visibility, caller);
      }
    }
    expect(actual).toEqual({
      public: { anonymous: "hidden", outsider: "hidden", viewer: "hidden", member: "hidden", admin: "shown" },
      private: {
        anonymous: "NOT_FOUND",
        outsider: "NOT_FOUND",
        viewer: "hidden",
        member: "hidden",
        admin: "shown",
      },
    });
  });
});
