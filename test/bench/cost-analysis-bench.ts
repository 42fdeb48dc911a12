/**
 * What the static cost analysis adds to an operation: `operationCost` over the README's dashboard query against the
 * schema a real runtime serves (embedded lakehouse, `ci` preset), timed in-process. Run:
 * `npx tsx test/bench/cost-analysis-bench.ts`.
 */
import { getOperationAST, parse, validate } from "graphql";
import { operationCost } from "../../gateway/server/operation-cost.js";
import { startInProcessGateway } from "../support/in-process-gateway.js";
import { summarize } from "./latency-stats.js";

const DASHBOARD = `query Dashboard($id: ID!) {
  experiment(id: $id) {
    name freshness { status latestTimestamp }
    devices { name firmware totalMeasurements }
    contributors { displayName organization }
    photosynthesis(first: 100) {
      totalCount
      edges { node { id timestamp Phi2 PhiNPQ Light_Intensity_PAR messages { warning }
                     device { name } contributor { displayName } annotations { type text } questions { label answer } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

const gw = await startInProcessGateway({ FRESHNESS_POLL_MS: "60000" });
try {
  const schema = gw.runtime.registry.current.schema;
  const document = parse(DASHBOARD);
  const errors = validate(schema, document);
  if (errors.length) throw new Error(errors.map((e) => e.message).join("; "));
  const operation = getOperationAST(document)!;
  const variables = { id: "any" };
  const run = () => operationCost(schema, operation, {}, variables, { defaultPageSize: 100 });
  for (let i = 0; i < 500; i++) run();
  const times: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  const s = summarize(times);
  console.log(`cost analysis of the README dashboard: ${JSON.stringify(run())}`);
  console.log(
    `p50 ${(s.medianMs * 1000).toFixed(1)} µs, p95 ${(s.p95Ms * 1000).toFixed(1)} µs over ${times.length} runs`,
  );
} finally {
  await gw.stop();
}
