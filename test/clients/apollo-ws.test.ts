/**
 * Apollo Client with `GraphQLWsLink` for subscriptions and `HttpLink` for the rest, against the real server, with the
 * generated typed documents and possibleTypes: the stream head over HTTP, live measurements over graphql-ws from
 * it, each event normalized into the cache, and the same rows read back over HTTP agree with the cache.
 */
import { parse } from "graphql";
import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import {
  LiveMeasurementsDocument,
  type LiveMeasurementsSubscription,
  MeasurementTableDocument,
  StreamHeadDocument,
} from "../../codegen/generated/client/graphql.js";
import introspection from "../../codegen/generated/possible-types.js";
import type { GatewayProcess } from "../support/gateway-process.js";
import { wsUrl } from "../support/subscription-clients.js";
import { startLiveGateway } from "./live-gateway.js";

// Apollo Client prints cache warnings only when this is set before it loads (see apollo-cache.test.ts).
(globalThis as { __DEV__?: boolean }).__DEV__ = true;
const { ApolloClient, ApolloLink, HttpLink, InMemoryCache } = await import("@apollo/client");
const { GraphQLWsLink } = await import("@apollo/client/link/subscriptions");

let gw: GatewayProcess;
let token: string;
let privateId: string;

beforeAll(async () => {
  ({ gw, token, privateId } = await startLiveGateway());
}, 90_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await gw?.stop();
});

describe("Apollo Client with GraphQLWsLink", () => {
  it("streams typed measurements from the stream head into a normalized cache that agrees with HTTP reads", async () => {
    const warnings: unknown[] = [];
    vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void warnings.push(args));
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void warnings.push(args));
    const ws = createClient({
      url: wsUrl(gw.url),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const client = new ApolloClient({
      link: ApolloLink.split(
        (op) => op.operationType === "subscription",
        new GraphQLWsLink(ws),
        new HttpLink({ uri: `${gw.url}/graphql`, headers: { authorization: `Bearer ${token}` } }),
      ),
      cache: new InMemoryCache({ possibleTypes: introspection.possibleTypes }),
    });
    try {
      const head = await client.query({ query: StreamHeadDocument, variables: { experimentId: privateId } });
      const after = head.data!.experiment!.streamHead.measurements;
      const events = await new Promise<LiveMeasurementsSubscription["measurementAdded"][]>(
        (resolve, reject) => {
          const got: LiveMeasurementsSubscription["measurementAdded"][] = [];
          const sub = client
            .subscribe({ query: LiveMeasurementsDocument, variables: { experimentId: privateId, after } })
            .subscribe({
              next: (result) => {
                if (result.error) return reject(result.error);
                got.push(result.data!.measurementAdded);
                if (got.length === 3) {
                  sub.unsubscribe();
                  resolve(got);
                }
              },
              error: reject,
            });
        },
      );
      expect(new Set(events.map((e) => e.cursor)).size).toBe(3);

      // Every event's measurement is an entity in the cache, keyed by its graph-wide id.
      const fragment = parse(
        `fragment Live on PhotosynthesisMeasurement { id rowId experimentId Phi2 PhiNPQ }`,
      );
      for (const e of events) {
        const cached = client.cache.readFragment<Record<string, unknown>>({
          id: client.cache.identify({ __typename: "PhotosynthesisMeasurement", id: e.measurement.id }),
          fragment,
        });
        expect(cached).toMatchObject({
          id: e.measurement.id,
          rowId: e.measurement.rowId,
          experimentId: privateId,
        });
      }

      // The same rows over HTTP: the network and the cache agree on every value.
      const rowIds = events.map((e) => e.measurement.rowId);
      const page = await client.query({
        query: MeasurementTableDocument,
        variables: { experimentId: privateId, first: 10, where: { rowId: { in: rowIds } } },
        fetchPolicy: "network-only",
      });
      const nodes = page.data!.experiment!.photosynthesis.edges.map((e) => e.node);
      expect(nodes.map((n) => n.id).sort()).toEqual(events.map((e) => e.measurement.id).sort());
      for (const e of events) {
        const node = nodes.find((n) => n.id === e.measurement.id)!;
        const live = e.measurement as { Phi2?: number | null; PhiNPQ?: number | null };
        expect([node.Phi2, node.PhiNPQ]).toEqual([live.Phi2, live.PhiNPQ]);
      }
      expect(
        client.cache.readQuery({
          query: MeasurementTableDocument,
          variables: { experimentId: privateId, first: 10, where: { rowId: { in: rowIds } } },
        }),
      ).toEqual(page.data);
      expect(warnings).toEqual([]);
    } finally {
      client.stop();
      await ws.dispose();
    }
  }, 90_000);
});
