/**
 * The GraphQL over HTTP spec audit (`graphql-http`'s `serverAudits`) against the real server process: every audit
 * must be `ok` — a `warn` fails as much as an `error`.
 */
import { serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";

let gateway: GatewayProcess;

beforeAll(async () => {
  gateway = await startGateway({});
});

afterAll(async () => {
  await gateway?.stop();
});

describe("GraphQL over HTTP audit", () => {
  const audits = serverAudits({ url: () => `${gateway.url}/graphql` });
  for (const audit of audits) {
    it(audit.name, async () => {
      const result = await audit.fn();
      expect({ status: result.status, reason: "reason" in result ? result.reason : undefined }).toEqual({
        status: "ok",
        reason: undefined,
      });
    });
  }
});
