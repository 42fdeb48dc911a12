/** Graceful shutdown: a request in flight when shutdown starts still gets its answer; new requests are refused. */
import type { DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { afterAll, expect, it } from "vitest";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

let gw: InProcessGateway | undefined;

afterAll(async () => {
  await gw?.runtime.close().catch(() => undefined);
});

it("lets an in-flight request finish, then closes", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let entered!: () => void;
  const inFlight = new Promise<void>((resolve) => {
    entered = resolve;
  });
  // Holds operations named "Slow" until released, so one request is provably in flight during shutdown.
  const holdSlow: Plugin = {
    async onExecute({ args }) {
      const operation = (args.document as DocumentNode).definitions.find(
        (d) => d.kind === "OperationDefinition",
      );
      if (operation?.kind === "OperationDefinition" && operation.name?.value === "Slow") {
        entered();
        await gate;
      }
    },
  };
  gw = await startInProcessGateway({ SHUTDOWN_GRACE_MS: "20000" }, [holdSlow]);
  const slow = gw.gql<{ experiments: { totalCount: number } }>(
    "query Slow { experiments(first: 1) { totalCount } }",
  );
  await inFlight;
  let closed = false;
  const shutdown = gw.shutdown().then(() => {
    closed = true;
  });
  await new Promise((r) => setTimeout(r, 200));
  expect(closed).toBe(false);
  await expect(fetch(`${gw.url}/healthz`)).rejects.toThrow();
  release();
  const res = await slow;
  expect(res.errors).toBeUndefined();
  expect(res.data!.experiments.totalCount).toBeGreaterThan(0);
  await shutdown;
  expect(closed).toBe(true);
});
