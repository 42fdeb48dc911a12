/**
 * urql (`@urql/core`) with the generated typed documents against the real server: a query over `fetchExchange`, and
 * the mobile app's subscription over graphql-ws, resumed after a disconnect over SSE (graphql-sse) from the last
 * cursor it saw — the resumed stream continues exactly where the first one stopped.
 */
import { Client, fetchExchange, type OperationResult, subscriptionExchange } from "@urql/core";
import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  LiveMeasurementsDocument,
  type LiveMeasurementsSubscription,
  MeasurementTableDocument,
  StreamHeadDocument,
} from "../../codegen/generated/client/graphql.js";
import type { GatewayProcess } from "../support/gateway-process.js";
import { wsUrl } from "../support/subscription-clients.js";
import { startLiveGateway } from "./live-gateway.js";

let gw: GatewayProcess;
let token: string;
let privateId: string;

beforeAll(async () => {
  ({ gw, token, privateId } = await startLiveGateway());
}, 90_000);

afterAll(async () => {
  await gw?.stop();
});

type Transport = "ws" | "sse";

/** A urql client whose subscriptions go over graphql-ws or graphql-sse, with the token on either. */
function urqlClient(transport: Transport) {
  const ws = createWsClient({
    url: wsUrl(gw.url),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  const sse = createSseClient({
    url: `${gw.url}/graphql`,
    retryAttempts: 0,
    headers: { authorization: `Bearer ${token}` },
  });
  const client = new Client({
    url: `${gw.url}/graphql`,
    fetchOptions: { headers: { authorization: `Bearer ${token}` } },
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe:
              transport === "ws"
                ? ws.subscribe({ ...request, query: request.query ?? "" }, sink)
                : sse.subscribe({ ...request, query: request.query ?? "" }, sink),
          }),
        }),
      }),
    ],
  });
  return { client, dispose: () => Promise.all([ws.dispose(), sse.dispose()]) };
}

/** Collects a subscription's events until `count` arrived (waits on events), then unsubscribes. */
function take(
  client: Client,
  variables: { experimentId: string; after?: string | null },
  count: number,
): Promise<NonNullable<LiveMeasurementsSubscription["measurementAdded"]>[]> {
  const events: LiveMeasurementsSubscription["measurementAdded"][] = [];
  return new Promise((resolve, reject) => {
    const sub = client
      .subscription(LiveMeasurementsDocument, variables)
      .subscribe((result: OperationResult<LiveMeasurementsSubscription>) => {
        if (result.error) {
          sub.unsubscribe();
          reject(result.error);
          return;
        }
        if (result.data) events.push(result.data.measurementAdded);
        if (events.length >= count) {
          sub.unsubscribe();
          resolve(events);
        }
      });
  });
}

describe("urql with the generated documents", () => {
  it("reads a typed page over fetchExchange", async () => {
    const { client, dispose } = urqlClient("ws");
    try {
      const result = await client
        .query(MeasurementTableDocument, { experimentId: privateId, first: 5 })
        .toPromise();
      expect(result.error).toBeUndefined();
      const edges = result.data!.experiment!.photosynthesis.edges;
      expect(edges.length).toBe(5);
      expect(edges.every((e) => /^\d+$/.test(e.node.rowId))).toBe(true);
    } finally {
      await dispose();
    }
  });

  it("subscribes over graphql-ws, then resumes over SSE after the last cursor with nothing lost or repeated", async () => {
    const ws = urqlClient("ws");
    const sse = urqlClient("sse");
    try {
      const head = await ws.client.query(StreamHeadDocument, { experimentId: privateId }).toPromise();
      const after = head.data!.experiment!.streamHead.measurements;
      const first = await take(ws.client, { experimentId: privateId, after }, 4);
      for (const e of first) expect(e.measurement.macroFilename).toBe("macro_photosynthesis");
      // The phone drops off after the second event and comes back over SSE with that event's cursor.
      const resumed = await take(sse.client, { experimentId: privateId, after: first[1]!.cursor }, 2);
      expect(resumed.map((e) => e.cursor)).toEqual(first.slice(2).map((e) => e.cursor));
      expect(resumed.map((e) => e.measurement.id)).toEqual(first.slice(2).map((e) => e.measurement.id));
    } finally {
      await Promise.all([ws.dispose(), sse.dispose()]);
    }
  }, 90_000);
});
