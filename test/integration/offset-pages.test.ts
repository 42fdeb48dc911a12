/**
 * `offset` on connections (a table jumping to page k): the same rows as paging there with cursors, on samples and
 * on a typed macro connection, capped, and refused beyond the cap as the caller's input.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.js";

let gw: InProcessGateway;
let experimentId: string;

beforeAll(async () => {
  gw = await startInProcessGateway({ FRESHNESS_POLL_MS: "60000", RATE_LIMIT_POINTS: "100000" });
  const res = await gw.gql<{ experiments: { edges: { node: { id: string; visibility: string } }[] } }>(
    `{ experiments(first: 20) { edges { node { id visibility } } } }`,
  );
  experimentId = res.data!.experiments.edges.find((e) => e.node.visibility === "PUBLIC")!.node.id;
});

afterAll(async () => {
  await gw?.stop();
});

interface Page {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  totalCount: number;
}

async function page(field: "samples" | "photosynthesis", args: string): Promise<Page> {
  const res = await gw.gql<{ experiment: Record<string, Page> }>(
    `query($id: ID!) { experiment(id: $id) { ${field}(${args}) {
      totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } } }`,
    { id: experimentId },
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.experiment[field]!;
}

for (const field of ["samples", "photosynthesis"] as const) {
  it(`jumps to page k of ${field} with offset: the rows cursors reach`, async () => {
    const byCursor: string[][] = [];
    let after: string | null = null;
    for (let k = 0; k < 3; k++) {
      const res: { data?: { experiment: Record<string, Page> } | null } = await gw.gql<{
        experiment: Record<string, Page>;
      }>(
        `query($id: ID!, $after: String) { experiment(id: $id) { ${field}(first: 5, after: $after) {
          edges { node { id } } pageInfo { endCursor } } } }`,
        { id: experimentId, after },
      );
      const p: Page = res.data!.experiment[field]!;
      byCursor.push(p.edges.map((e) => e.node.id));
      after = p.pageInfo.endCursor;
    }
    expect(byCursor[2]).toHaveLength(5);
    for (let k = 0; k < 3; k++) {
      const p = await page(field, `first: 5, offset: ${5 * k}`);
      expect(p.edges.map((e) => e.node.id)).toEqual(byCursor[k]);
      expect(p.pageInfo.hasPreviousPage).toBe(k > 0);
      expect(p.pageInfo.hasNextPage).toBe(true);
      expect(p.totalCount).toBeGreaterThan(15);
    }
  });
}

it("refuses an offset past the cap, or negative, as the caller's input", async () => {
  for (const offset of [10_001, -1]) {
    const res = await gw.gql(
      `query($id: ID!) { experiment(id: $id) { samples(first: 1, offset: ${offset}) { totalCount } } }`,
      {
        id: experimentId,
      },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  }
});
