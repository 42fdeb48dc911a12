/**
 * Federation through a real router: the gateway process as a Federation v2 subgraph (`FEDERATION=true`), a small
 * second subgraph written here (it owns `User { id name }`, adds `Experiment.protocol` and lists experiments of its
 * own), and Hive Gateway started as `npm run federated` starts it, over the supergraph composed from both.
 * Both directions of entity resolution, the `Authorization` header reaching the lakehouse through the router,
 * `measurementAdded` through the router with the other subgraph's fields on every event, and a new macro's typed
 * field reaching the router without a restart.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { createYoga } from "graphql-yoga";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { type GatewayProcess, startGateway, TEST_JWT_SECRET, tempDir } from "../support/gateway-process.js";
import { type HiveGatewayProcess, SUPERGRAPH_IN_SERVICE, startHiveGateway } from "../support/hive-gateway.js";
import { sseClient, subscribe } from "../support/subscription-clients.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };

interface ExperimentNode {
  id: string;
  name: string;
  visibility: string;
  status: string;
  anonymizeContributors: boolean;
}

let dir: string;
let dbFile: string;
let lakehouse: GatewayProcess;
let backend: Server;
let backendUrl: string;
let router: HiveGatewayProcess;
let memberToken: string;
let outsiderToken: string;
let experiments: ExperimentNode[];
let open: ExperimentNode; // public, active, contributors shown
let anonymizing: ExperimentNode; // public, contributors anonymized
let secret: ExperimentNode; // private
/** The experiments the backend subgraph lists (public ones). */
let backendIds: string[];

const backendUserName = (id: string) => `Backend user ${id}`;

/** The second subgraph: owns users, adds a field to experiments and lists experiments of its own. */
function startBackendSubgraph(): Promise<{ server: Server; url: string }> {
  const typeDefs = parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
    type Query {
      backendExperiments: [Experiment!]!
      backendExperiment(id: ID!): Experiment
    }
    type User @key(fields: "id") { id: ID! name: String! }
    type Experiment @key(fields: "id") { id: ID! protocol: String! }
  `);
  const resolvers = {
    Query: {
      backendExperiments: () => backendIds.map((id) => ({ id })),
      backendExperiment: (_: unknown, args: { id: string }) => ({ id: args.id }),
    },
    User: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      name: (u: { id: string }) => backendUserName(u.id),
    },
    Experiment: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      protocol: (e: { id: string }) => `protocol of ${e.id}`,
    },
  };
  const yoga = createYoga({ schema: buildSubgraphSchema([{ typeDefs, resolvers }]), logging: false });
  const server = createServer(yoga);
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}/graphql` });
    });
  });
}

function importCli(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "gateway/cli/import.ts", file],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: "test", DUCKDB_PATH: dbFile, JWT_SECRET: TEST_JWT_SECRET },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dir = tempDir("centrum-federation-");
  dbFile = join(dir, "centrum.duckdb");
  lakehouse = await startGateway({
    dir,
    dbFile,
    env: {
      FEDERATION: "true",
      SIMULATE: "true",
      SIMULATE_INTERVAL_MS: "250",
      STREAM_POLL_MS: "200",
      RATE_LIMIT_POINTS: "1000000",
    },
  });
  memberToken = await signToken(JWT, DEMO_PERSONAS.member.id);
  outsiderToken = await signToken(JWT, DEMO_PERSONAS.outsider.id);
  const res = await lakehouse.gql<{ experiments: { edges: { node: ExperimentNode }[] } }>(
    `{ experiments(first: 50) { edges { node { id name visibility status anonymizeContributors } } } }`,
    {},
    { token: memberToken },
  );
  experiments = res.data!.experiments.edges.map((e) => e.node);
  const isPublic = (e: ExperimentNode) => e.visibility === "PUBLIC";
  open = experiments.find((e) => isPublic(e) && e.status === "ACTIVE" && !e.anonymizeContributors)!;
  anonymizing = experiments.find((e) => isPublic(e) && e.anonymizeContributors)!;
  secret = experiments.find((e) => !isPublic(e))!;
  expect([open, anonymizing, secret].every(Boolean)).toBe(true);
  backendIds = experiments.filter(isPublic).map((e) => e.id);
  ({ server: backend, url: backendUrl } = await startBackendSubgraph());
  router = await startHiveGateway({
    subgraphs: `lakehouse=${lakehouse.url}/graphql,backend=${backendUrl}`,
    // A timer far away: what the router shows of a catalog change, it shows because the subgraph said so.
    env: { FEDERATION_SUPERGRAPH_FILE: join(dir, "supergraph.graphql"), FEDERATION_POLL_MS: "600000" },
  });
  await router.waitForLines(SUPERGRAPH_IN_SERVICE, 1, 60_000);
}, 180_000);

afterAll(async () => {
  await router?.stop();
  await new Promise<void>((resolve) => (backend ? backend.close(() => resolve()) : resolve()));
  await lakehouse?.stop();
});

describe("the subgraph", () => {
  it("serves a Federation v2 SDL with the entity keys, the User reference and shareable metadata", async () => {
    const res = await lakehouse.gql<{ _service: { sdl: string } }>("{ _service { sdl } }");
    expect(res.errors).toBeUndefined();
    const sdl = res.data!._service.sdl;
    expect(sdl).toMatch(/extend schema @link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+"/);
    expect(sdl).toMatch(/type Experiment @key\(fields: "id"\)/);
    expect(sdl).toMatch(/type Sample @key\(fields: "experimentId rowId"\)/);
    expect(sdl).toMatch(
      /type PhotosynthesisMeasurement implements Measurement @key\(fields: "experimentId rowId"\)/,
    );
    expect(sdl).toMatch(/type User @key\(fields: "id", resolvable: false\)/);
    expect(sdl).toMatch(/name: String! @shareable/);
  });

  it("resolves 20 Experiment representations in at most 2 statements; a private one is null for an outsider", async () => {
    const ids = [secret.id, ...experiments.filter((e) => e.visibility === "PUBLIC").map((e) => e.id)];
    const representations = Array.from({ length: 20 }, (_, i) => ({
      __typename: "Experiment",
      id: i < ids.length ? ids[i] : `no-such-experiment-${i}`,
    }));
    const query = `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Experiment { id name devices { id } } } }`;
    const asOutsider = await lakehouse.gql<{ _entities: ({ id: string; devices: unknown[] } | null)[] }>(
      query,
      { r: representations },
      { token: outsiderToken },
    );
    expect(asOutsider.errors).toBeUndefined();
    expect(asOutsider.extensions!.statements!.count).toBeLessThanOrEqual(2);
    const got = asOutsider.data!._entities;
    expect(got).toHaveLength(20);
    expect(got[0]).toBeNull();
    for (let i = 1; i < ids.length; i++) expect(got[i]?.id).toBe(ids[i]);
    for (let i = ids.length; i < 20; i++) expect(got[i]).toBeNull();
    const asMember = await lakehouse.gql<{ _entities: ({ id: string } | null)[] }>(
      query,
      { r: representations.slice(0, 1) },
      { token: memberToken },
    );
    expect(asMember.data!._entities[0]?.id).toBe(secret.id);
  });

  it("resolves Sample and measurement representations in one statement each, with access", async () => {
    const page = await lakehouse.gql<{
      experiment: {
        photosynthesis: {
          edges: { node: { id: string; rowId: string; experimentId: string; Phi2: number | null } }[];
        };
        samples: {
          edges: { node: { id: string; rowId: string; experimentId: string; deviceId: string | null } }[];
        };
      };
    }>(
      `query($id: ID!) { experiment(id: $id) {
        photosynthesis(first: 5) { edges { node { id rowId experimentId Phi2 } } }
        samples(first: 5) { edges { node { id rowId experimentId deviceId } } } } }`,
      { id: open.id },
    );
    const measurements = page.data!.experiment.photosynthesis.edges.map((e) => e.node);
    const samples = page.data!.experiment.samples.edges.map((e) => e.node);
    expect(measurements.length).toBeGreaterThan(0);
    const res = await lakehouse.gql<{ _entities: Record<string, unknown>[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on PhotosynthesisMeasurement { id rowId experimentId Phi2 }
        ... on Sample { id rowId experimentId deviceId } } }`,
      {
        r: [
          ...measurements.map((m) => ({
            __typename: "PhotosynthesisMeasurement",
            experimentId: m.experimentId,
            rowId: m.rowId,
          })),
          ...samples.map((s) => ({ __typename: "Sample", experimentId: s.experimentId, rowId: s.rowId })),
        ],
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([...measurements, ...samples]);
    expect(res.extensions!.statements!.count).toBe(2);
  });

  it("refuses a representation whose rowId is not a 64-bit integer, with a code", async () => {
    const res = await lakehouse.gql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Sample { id } } }`,
      { r: [{ __typename: "Sample", experimentId: open.id, rowId: "12.5" }] },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const alive = await lakehouse.gql(`{ __typename }`);
    expect(alive.data).toEqual({ __typename: "Query" });
  });
});

describe("through Hive Gateway", () => {
  it("a lakehouse query selects the other subgraph's Experiment field", async () => {
    const res = await router.gql<{
      experiments: { edges: { node: { id: string; name: string; protocol: string } }[] };
    }>(`{ experiments(first: 10) { edges { node { id name protocol } } } }`);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const nodes = res.data!.experiments.edges.map((e) => e.node);
    expect(nodes.length).toBeGreaterThan(1);
    for (const n of nodes) expect(n.protocol).toBe(`protocol of ${n.id}`);
  });

  it("the other subgraph's experiments select lakehouse fields: devices and a typed macro page", async () => {
    const selection = `id devices { id } photosynthesis(first: 3, orderBy: [{ field: rowId, direction: ASC }]) {
      edges { node { id experimentId Phi2 } } }`;
    const res = await router.gql<{ backendExperiments: Record<string, unknown>[] }>(
      `{ backendExperiments { protocol ${selection} } }`,
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const direct = await Promise.all(
      backendIds.map(async (id) => {
        const r = await lakehouse.gql<{ experiment: Record<string, unknown> }>(
          `query($id: ID!) { experiment(id: $id) { ${selection} } }`,
          { id },
        );
        return { protocol: `protocol of ${id}`, ...r.data!.experiment } as Record<string, unknown>;
      }),
    );
    expect(res.data!.backendExperiments).toEqual(direct);
    expect(direct.some((e) => (e.photosynthesis as { edges: unknown[] }).edges.length > 0)).toBe(true);
  });

  it("a contributor's User is resolved by the other subgraph, and is absent where contributors are anonymized", async () => {
    const query = `query($id: ID!) { experiment(id: $id) { contributors { userId anonymized user { id name } } } }`;
    const shown = await router.gql<{
      experiment: { contributors: { userId: string; user: { id: string; name: string } | null }[] };
    }>(query, { id: open.id });
    expect(shown.errors, JSON.stringify(shown.errors)).toBeUndefined();
    const contributors = shown.data!.experiment.contributors;
    expect(contributors.length).toBeGreaterThan(0);
    for (const c of contributors) expect(c.user).toEqual({ id: c.userId, name: backendUserName(c.userId) });
    const hidden = await router.gql<{
      experiment: { contributors: { anonymized: boolean; user: unknown }[] };
    }>(query, { id: anonymizing.id });
    expect(hidden.errors, JSON.stringify(hidden.errors)).toBeUndefined();
    expect(hidden.data!.experiment.contributors.length).toBeGreaterThan(0);
    for (const c of hidden.data!.experiment.contributors) {
      expect(c.anonymized).toBe(true);
      expect(c.user).toBeNull();
    }
  });

  it("passes the Authorization header on: a member reads a private experiment through the router, others do not", async () => {
    const query = `query($id: ID!) { backendExperiment(id: $id) { id protocol devices { id } } }`;
    const member = await router.gql<{ backendExperiment: { id: string; devices: unknown[] } | null }>(
      query,
      { id: secret.id },
      { token: memberToken },
    );
    expect(member.errors, JSON.stringify(member.errors)).toBeUndefined();
    expect(member.data!.backendExperiment!.id).toBe(secret.id);
    expect(member.data!.backendExperiment!.devices.length).toBeGreaterThan(0);
    for (const token of [undefined, outsiderToken]) {
      const other = await router.gql<{ backendExperiment: unknown }>(query, { id: secret.id }, { token });
      expect(other.data?.backendExperiment ?? null).toBeNull();
    }
    const direct = await router.gql<{ experiment: unknown }>(
      `query($id: ID!) { experiment(id: $id) { id } }`,
      { id: secret.id },
      { token: outsiderToken },
    );
    expect(direct.data?.experiment ?? null).toBeNull();
    expect(direct.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("delivers measurementAdded through the router, with the other subgraph's fields on every event", async () => {
    const client = sseClient(router.url);
    try {
      const rec = subscribe<{
        measurementAdded: {
          cursor: string;
          measurement: {
            id: string;
            experimentId: string;
            contributor: { userId: string; user: { id: string; name: string } | null } | null;
          };
        };
      }>(
        client,
        `subscription($e: ID!) { measurementAdded(experimentId: $e) {
          cursor measurement { id experimentId contributor { userId user { id name } } } } }`,
        { e: open.id },
      );
      await rec.waitForCount(3, 60_000);
      rec.unsubscribe();
      const events = rec.data.map((d) => d.measurementAdded);
      for (const e of events) {
        expect(e.measurement.experimentId).toBe(open.id);
        const contributor = e.measurement.contributor;
        if (contributor)
          expect(contributor.user).toEqual({
            id: contributor.userId,
            name: backendUserName(contributor.userId),
          });
      }
      expect(events.some((e) => e.measurement.contributor?.user)).toBe(true);
      expect(new Set(events.map((e) => e.cursor)).size).toBe(events.length);
    } finally {
      client.dispose();
    }
  });

  it("serves a new macro's typed field after the catalog changes, without a restart", async () => {
    const before = router.countLines(SUPERGRAPH_IN_SERVICE);
    const file = join(dir, "federated.ndjson");
    const rows = [
      { id: 9_007_199_254_740_993n, reading: 1.25 },
      { id: 9_007_199_254_740_995n, reading: 2.5 },
    ];
    writeFileSync(
      file,
      `${rows
        .map((r) =>
          JSON.stringify({
            experiment_id: open.id,
            id: 0,
            macro_name: "Federated import",
            macro_filename: "macro_federated_import",
            timestamp: "2026-03-01T10:00:00.123456Z",
            macro_output: { fed_reading: r.reading },
          }).replace(`"id":0`, `"id":${r.id.toString()}`),
        )
        .join("\n")}\n`,
    );
    const imported = await importCli(file);
    expect(imported.code, imported.stderr).toBe(0);
    // The subgraph changed at once and said so (schemaChanged): the router recomposes without waiting for a poll.
    await router.waitForLines(SUPERGRAPH_IN_SERVICE, before + 1, 20_000);
    const res = await router.gql<{
      experiment: {
        federatedImport: { edges: { node: { rowId: string; fed_reading: number; protocol?: never } }[] };
      };
    }>(
      `query($id: ID!) { experiment(id: $id) {
        federatedImport(first: 5, orderBy: [{ field: rowId, direction: ASC }]) { edges { node { rowId fed_reading } } } } }`,
      { id: open.id },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data!.experiment.federatedImport.edges.map((e) => [e.node.rowId, e.node.fed_reading])).toEqual(
      [
        ["9007199254740993", 1.25],
        ["9007199254740995", 2.5],
      ],
    );
  });
});
