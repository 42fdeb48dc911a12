/**
 * The subscription transports of the real gateway process, with the real clients: graphql-ws
 * (`graphql-transport-ws`, token in `connection_init`) and graphql-sse (distinct connections, token in the
 * header), both on `/graphql`, while the process's own ingest simulation writes. And the protocol's close codes
 * for what a client may do wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { type GatewayProcess, startGateway, TEST_JWT_SECRET } from "../support/gateway-process.js";
import { failureCode, sseClient, subscribe, wsClient, wsUrl } from "../support/subscription-clients.js";

const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };

let gw: GatewayProcess;
let publicId: string;
let privateId: string;
let memberToken: string;

interface ExperimentsData {
  experiments: { edges: { node: { id: string; visibility: string; status: string } }[] };
}

beforeAll(async () => {
  gw = await startGateway({
    env: {
      SIMULATE: "true",
      SIMULATE_INTERVAL_MS: "250",
      STREAM_POLL_MS: "200",
      SUBSCRIPTIONS_PER_CONNECTION: "3",
      MAX_NODES: "5000",
    },
  });
  memberToken = await signToken(JWT, DEMO_PERSONAS.member.id);
  const res = await gw.gql<ExperimentsData>(
    `{ experiments(first: 50) { edges { node { id visibility status } } } }`,
    {},
    { token: memberToken },
  );
  const nodes = res.data!.experiments.edges.map((e) => e.node);
  publicId = nodes.find((n) => n.visibility === "PUBLIC" && n.status === "ACTIVE")!.id;
  privateId = nodes.find((n) => n.visibility === "PRIVATE" && n.status === "ACTIVE")!.id;
}, 90_000);

afterAll(async () => {
  await gw?.stop();
});

const PHOTOSYNTHESIS = `subscription($e: ID!, $after: String) {
  measurementAdded(experimentId: $e, macros: ["macro_photosynthesis"], after: $after) {
    cursor
    measurement { id rowId experimentId macroFilename timestamp ... on PhotosynthesisMeasurement { Phi2 PhiNPQ } }
  }
}`;

interface PhotosynthesisEvent {
  measurementAdded: {
    cursor: string;
    measurement: {
      id: string;
      rowId: string;
      experimentId: string;
      macroFilename: string;
      Phi2: number | null;
      PhiNPQ: number | null;
    };
  };
}

describe("graphql-ws", () => {
  it("delivers simulated ingest live, typed fields exactly as a query reads them", async () => {
    const client = wsClient(gw.url);
    try {
      const rec = subscribe<PhotosynthesisEvent>(client, PHOTOSYNTHESIS, { e: publicId });
      await rec.waitForCount(3, 60_000);
      const events = rec.data.map((d) => d.measurementAdded.measurement);
      expect(new Set(events.map((e) => e.macroFilename))).toEqual(new Set(["macro_photosynthesis"]));
      // Read back exactly the delivered rows (the first page in default order need not hold new ones).
      const page = await gw.gql<{
        experiment: {
          photosynthesis: { edges: { node: { id: string; Phi2: number | null; PhiNPQ: number | null } }[] };
        };
      }>(
        `query($id: ID!, $rows: [ID!]) {
          experiment(id: $id) { photosynthesis(first: 200, where: { rowId: { in: $rows } }) { edges { node { id Phi2 PhiNPQ } } } }
        }`,
        { id: publicId, rows: events.map((e) => e.rowId) },
      );
      expect(page.errors, JSON.stringify(page.errors)).toBeUndefined();
      const byId = new Map(page.data!.experiment.photosynthesis.edges.map((e) => [e.node.id, e.node]));
      for (const e of events) {
        expect(byId.get(e.id), e.id).toEqual({ id: e.id, Phi2: e.Phi2, PhiNPQ: e.PhiNPQ });
      }
    } finally {
      await client.dispose();
    }
  }, 90_000);

  it("reads the token from connection_init: a member follows a private experiment", async () => {
    const client = wsClient(gw.url, memberToken);
    try {
      const rec = subscribe(
        client,
        `subscription($e: ID!) { sampleAdded(experimentId: $e) { cursor sample { id experimentId } } }`,
        {
          e: privateId,
        },
      );
      await rec.waitForCount(1, 60_000);
      expect(rec.failure).toBeNull();
    } finally {
      await client.dispose();
    }
    // Anonymous, the same experiment does not exist.
    const anonymous = wsClient(gw.url);
    try {
      const rec = subscribe(anonymous, `subscription($e: ID!) { sampleAdded(experimentId: $e) { cursor } }`, {
        e: privateId,
      });
      await rec.waitForEnd();
      expect(failureCode(rec.failure)).toBe("NOT_FOUND");
    } finally {
      await anonymous.dispose();
    }
  }, 90_000);

  it("caps operations per connection without disturbing the others", async () => {
    const client = wsClient(gw.url);
    try {
      const query = `subscription($e: ID!) { sampleAdded(experimentId: $e) { cursor } }`;
      const open = [1, 2, 3].map(() => subscribe(client, query, { e: publicId }));
      const fourth = subscribe(client, query, { e: publicId });
      await fourth.waitForEnd();
      expect(failureCode(fourth.failure)).toBe("TOO_MANY_SUBSCRIPTIONS");
      await Promise.all(open.map((r) => r.waitForCount(1, 60_000)));
    } finally {
      await client.dispose();
    }
  }, 90_000);

  it("checks a subscription's cost per event before it starts (COST_LIMIT)", async () => {
    const client = wsClient(gw.url);
    try {
      const nested = "measurements { sample { ".repeat(4) + "id" + " } }".repeat(4);
      const rec = subscribe(
        client,
        `subscription($e: ID!) { measurementAdded(experimentId: $e) { measurement { sample { ${nested} } } } }`,
        { e: publicId },
      );
      await rec.waitForEnd();
      expect(failureCode(rec.failure)).toBe("COST_LIMIT");
    } finally {
      await client.dispose();
    }
  });
});

describe("graphql-sse (distinct connections)", () => {
  it("delivers sampleAdded and resumes after a cursor with nothing lost or repeated", async () => {
    const client = sseClient(gw.url, memberToken);
    const query = `subscription($e: ID!, $after: String) { sampleAdded(experimentId: $e, after: $after) { cursor sample { id } } }`;
    try {
      const first = subscribe<{ sampleAdded: { cursor: string; sample: { id: string } } }>(client, query, {
        e: privateId,
      });
      await first.waitForCount(3, 60_000);
      first.unsubscribe();
      const seen = first.data.map((d) => d.sampleAdded);
      const resumed = subscribe<{ sampleAdded: { cursor: string; sample: { id: string } } }>(client, query, {
        e: privateId,
        after: seen[0]!.cursor,
      });
      await resumed.waitForCount(seen.length - 1);
      resumed.unsubscribe();
      expect(resumed.data.slice(0, seen.length - 1).map((d) => d.sampleAdded.sample.id)).toEqual(
        seen.slice(1).map((s) => s.sample.id),
      );
    } finally {
      client.dispose();
    }
  }, 90_000);

  it("answers a bad cursor with BAD_USER_INPUT", async () => {
    const client = sseClient(gw.url);
    try {
      const rec = subscribe(
        client,
        `subscription($e: ID!) { sampleAdded(experimentId: $e, after: "bogus") { cursor } }`,
        {
          e: publicId,
        },
      );
      await rec.waitForEnd();
      const code = rec.results[0]?.errors?.[0]?.extensions?.code ?? failureCode(rec.failure);
      expect(code).toBe("BAD_USER_INPUT");
    } finally {
      client.dispose();
    }
  });
});

describe("graphql-transport-ws close codes", () => {
  /** A raw socket: sends `messages` in order and resolves with the close code. */
  function closeCode(messages: unknown[], protocol = "graphql-transport-ws"): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl(gw.url), protocol);
      socket.on("open", () => {
        for (const m of messages) socket.send(typeof m === "string" ? m : JSON.stringify(m));
      });
      socket.on("close", (code) => resolve(code));
      socket.on("error", reject);
    });
  }

  it("4403 for a bad token in connection_init", async () => {
    expect(
      await closeCode([{ type: "connection_init", payload: { authorization: "Bearer not-a-token" } }]),
    ).toBe(4403);
  });

  it("4401 for a subscribe before connection_init is acknowledged", async () => {
    expect(
      await closeCode([
        { type: "subscribe", id: "1", payload: { query: "subscription { schemaChanged { version } }" } },
      ]),
    ).toBe(4401);
  });

  it("4400 for a message that is not the protocol's", async () => {
    expect(await closeCode(["{ nope"])).toBe(4400);
  });

  it("4429 for a second connection_init", async () => {
    expect(await closeCode([{ type: "connection_init" }, { type: "connection_init" }])).toBe(4429);
  });

  it("keeps serving HTTP after all of that", async () => {
    const res = await gw.gql<{ viewer: { authenticated: boolean } }>(`{ viewer { authenticated } }`);
    expect(res.data?.viewer.authenticated).toBe(false);
  });
});
