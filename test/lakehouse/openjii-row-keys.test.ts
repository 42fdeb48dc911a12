/**
 * Row keys in openJII's production shape (#17 item 6): the pipeline's `experiment_macro_data.id` is a 32-bit
 * `abs(hash(…))` that collides at scale, so the gateway keys a measurement by `raw_id` (the sample's 64-bit id).
 * Here every row's `id` is made the same value — the worst collision — and pages walked with cursors still return
 * every row exactly once, the measurement's sample is its own, and an annotation reaches exactly the row it names.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join, sql } from "../../lakehouse/sql.js";
import {
  dataOf,
  MARIA,
  openQueryFixture,
  type QueryFixture,
  readableBy,
} from "../query-language/support/query-fixture.js";

let fixture: QueryFixture;

beforeAll(async () => {
  fixture = await openQueryFixture({ shape: "openjii" });
  // Every measurement row gets the same pipeline id.
  await fixture.lakehouse.runScript("UPDATE openjii.experiment_macro_data SET id = 7");
});

afterAll(async () => {
  await fixture?.close();
});

const PAGE = `query($first: Int, $after: String, $orderBy: [TypedMeasurementOrderBy!]) {
  typed(first: $first, after: $after, orderBy: $orderBy) {
    pageInfo { hasNextPage endCursor }
    edges { node { rowId experimentId score sample { rowId } } }
  }
}`;

interface Node {
  rowId: string;
  experimentId: string;
  score: number | null;
  sample: { rowId: string } | null;
}

async function walk(orderBy: unknown): Promise<Node[]> {
  const nodes: Node[] = [];
  let after: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const data = dataOf(await fixture.run(PAGE, { first: 7, after, orderBy }, MARIA));
    nodes.push(...data.typed.edges.map((e: { node: Node }) => e.node));
    if (!data.typed.pageInfo.hasNextPage) return nodes;
    after = data.typed.pageInfo.endCursor;
  }
  throw new Error("the pages never ended");
}

describe("row keys when the pipeline's ids collide", () => {
  it("the colliding ids are really there", async () => {
    const [row] = await fixture.lakehouse.query<{ ids: bigint; rows: bigint }>(
      sql`SELECT count(DISTINCT id) AS ids, count(*) AS rows FROM openjii.experiment_macro_data`,
    );
    expect(row!.ids).toBe(1n);
    expect(row!.rows).toBeGreaterThan(100n);
  });

  it.each([
    ["the default order", undefined],
    ["a sort with many ties", [{ field: "score", direction: "DESC" }]],
  ])("pages in %s return every row once", async (_, orderBy) => {
    const readable = readableBy(fixture.experiments, MARIA);
    const expected = await fixture.lakehouse.query<{ experiment_id: string; raw_id: bigint }>(
      sql`SELECT experiment_id, raw_id FROM openjii.experiment_macro_data
          WHERE macro_filename = 'macro_typed' AND macro_error IS NULL
            AND experiment_id IN (${join(readable.map((id) => sql`${id}`))})`,
    );
    const nodes = await walk(orderBy);
    const keys = nodes.map((n) => `${n.experimentId}/${n.rowId}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(expected.map((r) => `${r.experiment_id}/${r.raw_id}`).sort());
    // Each measurement's sample is the raw row of its own id (raw_id), not one found through the hash.
    for (const n of nodes.filter((x) => x.sample !== null)) expect(n.sample!.rowId).toBe(n.rowId);
  });

  it("an annotation reaches the row it names, and only that one", async () => {
    // A raw id measured in two experiments (the fixture repeats ids across experiments on purpose).
    const [shared] = await fixture.lakehouse.query<{ raw_id: bigint; a: string; b: string }>(
      sql`SELECT raw_id, min(experiment_id) AS a, max(experiment_id) AS b FROM openjii.experiment_macro_data
          WHERE macro_filename = 'macro_typed' AND macro_error IS NULL
          GROUP BY raw_id HAVING count(DISTINCT experiment_id) > 1 ORDER BY raw_id LIMIT 1`,
    );
    expect(shared).toBeDefined();
    const rowId = shared!.raw_id.toString();
    const added = dataOf(
      await fixture.run(
        `mutation($input: AddAnnotationInput!) { addAnnotation(input: $input) { annotations { rowId table } } }`,
        {
          input: {
            clientMutationId: "openjii-row-key",
            experimentId: shared!.a,
            table: "macro_typed",
            rowId,
            type: "COMMENT",
            text: "collision probe",
          },
        },
        MARIA,
      ),
    );
    expect(added.addAnnotation.annotations).toEqual([{ rowId, table: "macro_typed" }]);
    const read = `query($a: ID!, $b: ID!, $row: ID!) {
      a: experiment(id: $a) { typed(where: { rowId: { eq: $row } }) { edges { node { rowId annotations { text } } } } }
      b: experiment(id: $b) { typed(where: { rowId: { eq: $row } }) { edges { node { rowId annotations { text } } } } }
    }`;
    const data = dataOf(await fixture.run(read, { a: shared!.a, b: shared!.b, row: rowId }, MARIA));
    const texts = (side: { typed: { edges: { node: { annotations: { text: string }[] } }[] } }) =>
      side.typed.edges.flatMap((e) => e.node.annotations.map((x) => x.text));
    expect(texts(data.a)).toContain("collision probe");
    expect(texts(data.b)).not.toContain("collision probe");
    const [stored] = await fixture.lakehouse.query<{ row_id: string }>(
      sql`SELECT row_id FROM openjii.experiment_annotations WHERE content_text = 'collision probe'`,
    );
    expect(stored!.row_id).toBe(rowId);
  });
});
