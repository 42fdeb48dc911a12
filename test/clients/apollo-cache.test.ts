/**
 * Apollo Client's normalized `InMemoryCache` against the real server: the README's queries (read from README.md),
 * the two-experiments contributor case and fragments on the `Measurement` interface go over the network, and what
 * the cache then returns — `cache.readQuery` and a cache-first query that sends nothing — equals what the network
 * returned, with no cache warning. A controlled cache without `possibleTypes`, and a value type written twice with
 * other fields, show that the comparison and the warning capture do catch a wrong cache.
 */
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { type DocumentNode, Kind, type OperationDefinitionNode, parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import introspection from "../../codegen/generated/possible-types.js";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS, DEMO_USERS } from "../../lakehouse/demo/demo-users.js";
import { type GatewayProcess, startGateway, TEST_JWT_SECRET } from "../support/gateway-process.js";

// Apollo Client prints its cache warnings only in development builds; Node resolves the neutral build, which reads
// this flag once when loaded — so the client is imported after it is set.
(globalThis as { __DEV__?: boolean }).__DEV__ = true;
const { ApolloClient, ApolloLink, HttpLink, InMemoryCache } = await import("@apollo/client");
const { loadDevMessages, loadErrorMessages } = await import("@apollo/client/dev");
const { tap } = await import("rxjs");
loadDevMessages();
loadErrorMessages();

const { possibleTypes } = introspection;
const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };

type Data = Record<string, unknown>;

let gw: GatewayProcess;
let adminToken: string;
let experimentIds: string[];
let anonymizingIds: string[];
let dashboardId: string;
const warnings: unknown[][] = [];

/** Every console message Apollo's invariant helper can print (it picks the method by level). */
function captureConsole(): void {
  for (const level of ["warn", "error", "log", "debug", "info"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      warnings.push([level, ...args]);
    });
  }
}

/** A client whose link records every raw network result and counts requests, in front of a real HttpLink. */
function client(
  options: {
    possibleTypes?: Record<string, string[]>;
    typePolicies?: Record<string, { keyFields: string[] }>;
  } = {},
) {
  const network = new Map<string, Data>();
  const sent = { count: 0 };
  const record = new ApolloLink((operation, forward) => {
    sent.count++;
    const key = resultKey(operation.query, operation.variables);
    return forward(operation).pipe(
      tap((result) => {
        if (result.errors) throw new Error(`${key}: ${JSON.stringify(result.errors)}`);
        network.set(key, result.data as Data);
      }),
    );
  });
  const http = new HttpLink({ uri: `${gw.url}/graphql`, headers: { authorization: `Bearer ${adminToken}` } });
  const apollo = new ApolloClient({
    link: ApolloLink.from([record, http]),
    cache: new InMemoryCache({ possibleTypes: options.possibleTypes, typePolicies: options.typePolicies }),
  });
  return { apollo, network, sent };
}

/** The network result's key: the operation's text (Apollo adds `__typename`) and its variables. */
function resultKey(query: DocumentNode, variables: Record<string, unknown> | undefined): string {
  const op = query.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  return `${op.name?.value ?? "anonymous"}(${JSON.stringify(variables ?? {})})`;
}

/** The operations of the README's ```graphql blocks, one document each. */
function readmeOperations(): OperationDefinitionNode[] {
  const readme = readFileSync("README.md", "utf8");
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const operations = blocks.flatMap((text) =>
    parse(text.replaceAll('"…"', JSON.stringify(dashboardId))).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    ),
  );
  // Anonymous operations get a name, so each result has its own key.
  return operations.map((op, i) =>
    op.name ? op : { ...op, name: { kind: Kind.NAME, value: `ReadmeOperation${i + 1}` } },
  );
}

function documentOf(op: OperationDefinitionNode): DocumentNode {
  return { kind: Kind.DOCUMENT, definitions: [op] };
}

beforeAll(async () => {
  gw = await startGateway({});
  adminToken = await signToken(JWT, DEMO_PERSONAS.admin.id);
  const res = await gw.gql<{
    experiments: {
      edges: {
        node: {
          id: string;
          anonymizeContributors: boolean;
          macros: { filename: string; sampleCount: number }[];
        };
      }[];
    };
  }>(
    `{ experiments(first: 100) { edges { node { id anonymizeContributors macros { filename sampleCount } } } } }`,
    {},
    { token: adminToken },
  );
  const nodes = res.data!.experiments.edges.map((e) => e.node);
  experimentIds = nodes.map((n) => n.id);
  anonymizingIds = nodes.filter((n) => n.anonymizeContributors).map((n) => n.id);
  const photosynthesis = (n: (typeof nodes)[number]) =>
    n.macros.find((m) => m.filename === "macro_photosynthesis")?.sampleCount ?? 0;
  dashboardId = [...nodes].sort((a, b) => photosynthesis(b) - photosynthesis(a))[0]!.id;
  captureConsole();
});

afterAll(async () => {
  vi.restoreAllMocks();
  await gw?.stop();
});

describe("Apollo Client's InMemoryCache over the real server", () => {
  it("returns from the cache exactly what the network returned for every query of the README", async () => {
    const { apollo, network, sent } = client({ possibleTypes });
    const queries = readmeOperations().filter((op) => op.operation === "query");
    expect(queries.length).toBeGreaterThanOrEqual(4);
    const variables = (op: OperationDefinitionNode) =>
      Object.fromEntries(
        (op.variableDefinitions ?? []).map((v) => [v.variable.name.value, dashboardId] as const),
      );
    for (const op of queries) {
      await apollo.query({ query: documentOf(op), variables: variables(op), fetchPolicy: "network-only" });
    }
    // Then the mutation: its annotation is normalized, and the Dashboard read again shows it.
    const flag = readmeOperations().find((op) => op.operation === "mutation")!;
    const page = network.get([...network.keys()].find((k) => k.startsWith("Dashboard("))!) as {
      experiment: { photosynthesis: { edges: { node: { rowId: string } }[] } };
    };
    const rowId = page.experiment.photosynthesis.edges[0]!.node.rowId;
    const mutation = await apollo.mutate({
      mutation: documentOf(flag),
      variables: { experimentId: dashboardId, rowId },
    });
    const added = (mutation.data as { addAnnotation: { annotations: { id: string }[] } }).addAnnotation
      .annotations;
    expect(added).toHaveLength(1);
    await apollo.query({
      query: documentOf(queries.find((op) => op.name?.value === "Dashboard")!),
      variables: { id: dashboardId },
      fetchPolicy: "network-only",
    });

    const requests = sent.count;
    for (const op of queries) {
      const query = documentOf(op);
      const vars = variables(op);
      const fromNetwork = network.get(resultKey(query, vars));
      expect(fromNetwork, op.name?.value).toBeDefined();
      expect(apollo.cache.readQuery({ query, variables: vars }), op.name?.value ?? "anonymous").toEqual(
        fromNetwork,
      );
      const again = await apollo.query({ query, variables: vars, fetchPolicy: "cache-first" });
      expect(again.data).toEqual(fromNetwork);
    }
    expect(sent.count).toBe(requests);
    const annotation = (apollo.cache.extract() as Record<string, unknown>)[`Annotation:${added[0]!.id}`];
    expect(annotation).toMatchObject({ rowId, type: "FLAG", text: "leaf clip slipped" });
    expect(warnings).toEqual([]);
  });

  it("keeps each experiment's contributor figures apart when the same people contribute to both", async () => {
    const { apollo, network } = client({ possibleTypes });
    const query = parse(`query Contributors($id: ID!) {
      experiment(id: $id) { id contributors { id userId experimentId displayName totalContributions firstContribution lastContribution }
                            devices { id deviceId experimentId totalMeasurements firstSeen lastSeen } } }`);
    type Result = {
      experiment: {
        contributors: { userId: string; totalContributions: number }[];
      };
    };
    for (const id of experimentIds)
      await apollo.query({ query, variables: { id }, fetchPolicy: "network-only" });
    // The case of the issue: a person in two experiments with other figures in each.
    const byPerson = new Map<string, Set<number>>();
    for (const id of experimentIds) {
      const r = network.get(resultKey(query, { id })) as Result;
      for (const c of r.experiment.contributors) {
        byPerson.set(c.userId, (byPerson.get(c.userId) ?? new Set()).add(c.totalContributions));
      }
    }
    expect([...byPerson.values()].some((totals) => totals.size > 1)).toBe(true);
    for (const id of experimentIds) {
      expect(apollo.cache.readQuery({ query, variables: { id } })).toEqual(
        network.get(resultKey(query, { id })),
      );
    }
    expect(warnings).toEqual([]);

    // The control: keyed by the global user id (what `Contributor.id` was), the cache mixes the experiments up.
    const old = client({ possibleTypes, typePolicies: { Contributor: { keyFields: ["userId"] } } });
    for (const id of experimentIds)
      await old.apollo.query({ query, variables: { id }, fetchPolicy: "network-only" });
    const mixedUp = experimentIds.filter(
      (id) =>
        !isDeepStrictEqual(
          old.apollo.cache.readQuery({ query, variables: { id } }),
          old.network.get(resultKey(query, { id })),
        ),
    );
    expect(mixedUp.length).toBeGreaterThan(0);
  });

  it("never shows a real user id in an anonymizing experiment, in userId or inside the opaque id", async () => {
    expect(anonymizingIds.length).toBeGreaterThan(0);
    const realIds = DEMO_USERS.map((u) => u.id);
    for (const id of anonymizingIds) {
      const res = await gw.gql<{ experiment: { contributors: { id: string; userId: string }[] } }>(
        `query($id: ID!) { experiment(id: $id) { contributors { id userId } } }`,
        { id },
        { token: adminToken },
      );
      const contributors = res.data!.experiment.contributors;
      expect(contributors.length).toBeGreaterThan(0);
      for (const c of contributors) {
        const decoded = Buffer.from(c.id, "base64url").toString("utf8");
        for (const real of realIds) {
          expect(c.userId).not.toBe(real);
          expect(decoded).not.toContain(real);
        }
      }
    }
  });

  it("matches fragments on the Measurement interface with the generated possibleTypes, and not without", async () => {
    const query = parse(`query SampleMeasurements($id: ID!) {
      experiment(id: $id) { id samples(first: 20) { edges { node { id rowId measurements { ...MeasurementCore } } } } } }
      fragment MeasurementCore on Measurement { id rowId experimentId macroFilename timestamp deviceId }`);
    const read = async (types: Record<string, string[]> | undefined) => {
      const { apollo, network } = client({ possibleTypes: types });
      await apollo.query({ query, variables: { id: dashboardId }, fetchPolicy: "network-only" });
      return {
        network: network.get(resultKey(query, { id: dashboardId })) as {
          experiment: { samples: { edges: { node: { measurements: unknown[] } }[] } };
        },
        cache: apollo.cache.readQuery({ query, variables: { id: dashboardId } }),
      };
    };
    const typed = await read(possibleTypes);
    expect(typed.network.experiment.samples.edges.some((e) => e.node.measurements.length > 0)).toBe(true);
    expect(typed.cache).toEqual(typed.network);
    expect(warnings).toEqual([]);

    // The control: without possibleTypes the interface fragment is dropped, and the comparison sees it.
    const untyped = await read(undefined);
    expect(untyped.cache).not.toEqual(untyped.network);
    warnings.length = 0;
  });

  it("captures Apollo's data-loss warning when a value type is written twice with other fields", async () => {
    const { apollo } = client({ possibleTypes });
    await apollo.query({ query: parse(`query A { viewer { userId } }`), fetchPolicy: "network-only" });
    await apollo.query({ query: parse(`query B { viewer { name } }`), fetchPolicy: "network-only" });
    expect(warnings.some((w) => /Cache data may be lost/.test(String(w[1])))).toBe(true);
    warnings.length = 0;
  });
});
