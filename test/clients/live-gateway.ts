/**
 * The gateway process the subscription client suites share: the ingest simulation on, streams polled fast, a
 * member's token and an active private experiment of theirs.
 */
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { type GatewayProcess, startGateway, TEST_JWT_SECRET } from "../support/gateway-process.js";

const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };

export async function startLiveGateway(): Promise<{ gw: GatewayProcess; token: string; privateId: string }> {
  const gw = await startGateway({
    env: { SIMULATE: "true", SIMULATE_INTERVAL_MS: "250", STREAM_POLL_MS: "200" },
  });
  const token = await signToken(JWT, DEMO_PERSONAS.member.id);
  const res = await gw.gql<{
    experiments: { edges: { node: { id: string; visibility: string; status: string } }[] };
  }>(`{ experiments(first: 50) { edges { node { id visibility status } } } }`, {}, { token });
  const privateId = res.data!.experiments.edges.find(
    (e) => e.node.visibility === "PRIVATE" && e.node.status === "ACTIVE",
  )!.node.id;
  return { gw, token, privateId };
}
