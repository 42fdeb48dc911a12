/** Graceful shutdown: a request in flight when shutdown starts still gets its answer; new requests are refused. */
import type { DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { afterAll, expect, it } from "vitest";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

let gw: InProcessGateway | undefined;

/** A gate the test opens (`release`) and a signal that a request reached it (`entered` → `inFlight`). */
function latch() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let entered!: () => void;
  const inFlight = new Promise<void>((resolve) => {
    entered = resolve;
  });
  return { release, gate, entered, inFlight };
}

afterAll(async () => {
  await gw?.runtime.close().catch(() => undefined);
});

it("lets an in-flight request finish, then closes", async () => {
  const { release, gate, entered, inFlight } = latch();
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

it("closes as soon as nothing is in flight, not after the grace period", async () => {
  const quick = await startInProcessGateway({ SHUTDOWN_GRACE_MS: "60000" });
  // A keep-alive connection that stays open after its request must not hold the shutdown.
  expect((await quick.gql("{ __typename }")).data).toEqual({ __typename: "Query" });
  const started = performance.now();
  await quick.shutdown();
  expect(performance.now() - started).toBeLessThan(5_000);
  await quick.runtime.close();
});

it("answers a request still running at the end of the grace with SHUTTING_DOWN, not a reset", async () => {
  const { release, gate, entered, inFlight } = latch();
  const hold: Plugin = {
    async onExecute() {
      entered();
      await gate;
    },
  };
  const held = await startInProcessGateway({ SHUTDOWN_GRACE_MS: "300" }, [hold]);
  const res = fetch(`${held.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ __typename }" }),
  });
  await inFlight;
  const shutdown = held.shutdown();
  const answer = await res;
  expect(answer.status).toBe(503);
  expect(answer.headers.get("retry-after")).toBe("1");
  const body = (await answer.json()) as { errors: { extensions: { code: string } }[] };
  expect(body.errors[0]!.extensions.code).toBe("SHUTTING_DOWN");
  await shutdown;
  release();
  await held.runtime.close();
});
