/**
 * Typed question answers (`answers { … }`, `where: {answers: …}`, `orderBy: answers_*`, `groupBy: {field:
 * answers_*}`) over the real embedded lakehouse in both table shapes: the centrum shape reads the answer text of
 * `questions`, openJII's shape the `questions_data` VARIANT. The fixture's `macro_typed` rows answer `leaf count`
 * (INT) and `1st visit?` (BOOLEAN, a label that is no GraphQL name) with values that do and do not fit; every
 * answer is checked against hand-written SQL over the file's centrum tables (the answer text as written), with the
 * casting rules spelled out here, independently of the gateway's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Row } from "../../lakehouse/lakehouse.js";
import { type Sql, sql } from "../../lakehouse/sql.js";
import { TABLE_SHAPES } from "../../lakehouse/table-shapes.js";
import {
  FIRST_VISITS,
  LEAF_COUNTS,
  MARIA,
  openQueryFixture,
  type QueryFixture,
  readableBy,
} from "./support/query-fixture.js";

interface RefRow {
  key: string;
  leaf: number | null;
  visit: boolean | null;
  plot: string | null;
  leafText: string | null;
}

describe.each(TABLE_SHAPES)("typed answers in the %s shape", (shape) => {
  let fixture: QueryFixture;
  let readable: string;

  const run = async (query: string, variables: Record<string, unknown> = {}) => {
    const result = await fixture.run(query, variables, MARIA);
    expect(result.errors).toEqual([]);
    return result;
  };

  /** Hand-written SQL over the centrum tables (test text only): each typed answer by the rules below. */
  async function reference(where = "TRUE", orderBy = "s.id DESC, s.experiment_id"): Promise<RefRow[]> {
    const text = `
SELECT CAST(s.id AS VARCHAR) AS id, s.experiment_id,
  -- INT: plain integer text within 32 bits; anything else (2.5, n/a, 1e3) is null.
  CASE WHEN regexp_full_match(s.lc, '[+-]?[0-9]+') THEN TRY_CAST(s.lc AS INTEGER) END AS leaf,
  -- BOOLEAN: true/t/yes/y and false/f/no/n in any case; anything else (maybe, 1) is null.
  CASE WHEN lower(s.fv) IN ('true', 't', 'yes', 'y') THEN true
       WHEN lower(s.fv) IN ('false', 'f', 'no', 'n') THEN false END AS visit,
  s.pl AS plot, s.lc AS leaf_text
FROM (
  SELECT id, experiment_id,
    list_filter(questions, lambda q: q.question_label = 'leaf count')[1].question_answer AS lc,
    list_filter(questions, lambda q: q.question_label = '1st visit?')[1].question_answer AS fv,
    list_filter(questions, lambda q: q.question_label = 'plot')[1].question_answer AS pl
  FROM centrum.experiment_macro_data
  WHERE macro_filename = 'macro_typed' AND macro_error IS NULL AND experiment_id IN (${readable})
) s
WHERE ${where}
ORDER BY ${orderBy}`;
    const strings = Object.assign([text], { raw: [text] }) as unknown as TemplateStringsArray;
    const rows: Row[] = await fixture.lakehouse.query(sql(strings) as Sql);
    return rows.map((r) => ({
      key: `${r.experiment_id}/${r.id}`,
      leaf: r.leaf === null ? null : Number(r.leaf),
      visit: r.visit as boolean | null,
      plot: r.plot as string | null,
      leafText: r.leaf_text as string | null,
    }));
  }

  interface Node {
    rowId: string;
    experimentId: string;
    answers: { leaf_count: number | null; _1st_visit: boolean | null; plot: string | null };
  }
  const keyOf = (n: Node) => `${n.experimentId}/${n.rowId}`;
  const typedOf = (r: RefRow) => ({ leaf_count: r.leaf, _1st_visit: r.visit, plot: r.plot });

  beforeAll(async () => {
    fixture = await openQueryFixture({ shape });
    expect(fixture.lakehouse.dialect.shape).toBe(shape);
    readable = readableBy(fixture.experiments, MARIA)
      .map((id) => `'${id.replaceAll("'", "''")}'`)
      .join(", ");
  }, 300_000);

  afterAll(async () => {
    await fixture?.close();
  });

  it("reads every answer as its declared type: what the file holds, null where the text does not fit", async () => {
    const res = await run(`{ typed(first: 500) { totalCount edges { node {
      rowId experimentId answers { leaf_count _1st_visit plot } } } } }`);
    const expected = await reference();
    const nodes: Node[] = res.data.typed.edges.map((e: { node: Node }) => e.node);
    expect(res.data.typed.totalCount).toBe(expected.length);
    expect(new Map(nodes.map((n) => [keyOf(n), n.answers]))).toEqual(
      new Map(expected.map((r) => [r.key, typedOf(r)])),
    );
    // The data holds every case: answers that fit, and text that does not (null in place, the row still there).
    const leafTexts = new Set(expected.map((r) => r.leafText));
    for (const text of LEAF_COUNTS) expect(leafTexts).toContain(text);
    expect(expected.some((r) => r.leafText === "n/a" && r.leaf === null)).toBe(true);
    expect(expected.some((r) => r.leafText === "2.5" && r.leaf === null)).toBe(true);
    expect(expected.some((r) => r.leaf === 40)).toBe(true);
    expect(nodes.some((n) => n.answers._1st_visit === null && n.answers.leaf_count !== null)).toBe(true);
    expect(FIRST_VISITS).toContain("maybe");
    expect(res.statements).toBe(1);
  });

  it("filters on answers in the page's one statement, as hand-written SQL does", async () => {
    const where = {
      answers: { leaf_count: { gte: 3 }, _1st_visit: { eq: true } },
      _or: [{ answers: { plot: { in: ["A", "B"] } } }, { answers: { leaf_count: { isNull: true } } }],
    };
    const res = await run(
      `query($where: TypedMeasurementWhere) { typed(first: 500, where: $where) { totalCount edges { node {
        rowId experimentId answers { leaf_count _1st_visit plot } } } } }`,
      { where },
    );
    const expected = await reference(
      "leaf >= 3 AND visit = true AND (plot IN ('A', 'B') OR leaf IS NULL)".replace(
        /\b(leaf|visit|plot)\b/g,
        (c) =>
          ({
            leaf: "(CASE WHEN regexp_full_match(s.lc, '[+-]?[0-9]+') THEN TRY_CAST(s.lc AS INTEGER) END)",
            visit:
              "(CASE WHEN lower(s.fv) IN ('true', 't', 'yes', 'y') THEN true WHEN lower(s.fv) IN ('false', 'f', 'no', 'n') THEN false END)",
            plot: "s.pl",
          })[c]!,
      ),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(res.data.typed.totalCount).toBe(expected.length);
    const nodes: Node[] = res.data.typed.edges.map((e: { node: Node }) => e.node);
    expect(nodes.map(keyOf).sort()).toEqual(expected.map((r) => r.key).sort());
    expect(res.statements).toBe(1);
  });

  it("orders by an answer (nulls last, the row key breaking ties) across cursor pages", async () => {
    const seen: Node[] = [];
    let after: string | null = null;
    let statements = 0;
    for (let page = 0; page < 100; page++) {
      const res = await run(
        `query($after: String) { typed(first: 7, after: $after,
            orderBy: [{ field: answers_leaf_count, direction: DESC, nulls: LAST }]) {
          edges { node { rowId experimentId answers { leaf_count _1st_visit plot } } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      statements += res.statements;
      seen.push(...res.data.typed.edges.map((e: { node: Node }) => e.node));
      if (!res.data.typed.pageInfo.hasNextPage) break;
      after = res.data.typed.pageInfo.endCursor;
    }
    const expected = await reference("TRUE", "leaf DESC NULLS LAST, s.id DESC, s.experiment_id ASC");
    expect(seen.map(keyOf)).toEqual(expected.map((r) => r.key));
    expect(seen.map((n) => n.answers)).toEqual(expected.map(typedOf));
    expect(statements).toBe(Math.ceil(expected.length / 7) + (expected.length % 7 === 0 ? 1 : 0));
  });

  it("groups by an answer and averages another, in one statement", async () => {
    const res = await run(`{ typedAggregate(groupBy: [{ field: answers__1st_visit }]) {
      groups { key { value(field: answers__1st_visit) } count avg { answers_leaf_count } max { answers_leaf_count } } } }`);
    const expected = await reference();
    const groups = new Map<boolean | null, number[]>();
    const counts = new Map<boolean | null, number>();
    for (const r of expected) {
      counts.set(r.visit, (counts.get(r.visit) ?? 0) + 1);
      if (r.leaf !== null) groups.set(r.visit, [...(groups.get(r.visit) ?? []), r.leaf]);
    }
    // Key order: false, true, then null (nulls last).
    const want = [false, true, null].map((v) => {
      const leaves = groups.get(v) ?? [];
      return {
        key: { value: v },
        count: counts.get(v) ?? 0,
        avg: leaves.length ? leaves.reduce((a, b) => a + b, 0) / leaves.length : null,
        max: leaves.length ? Math.max(...leaves) : null,
      };
    });
    const got = res.data.typedAggregate.groups.map(
      (g: {
        key: unknown;
        count: number;
        avg: { answers_leaf_count: number };
        max: { answers_leaf_count: number };
      }) => ({
        key: g.key,
        count: g.count,
        avg: g.avg.answers_leaf_count,
        max: g.max.answers_leaf_count,
      }),
    );
    expect(got.map((g: { avg: number | null }) => g.avg)).toEqual(
      want.map((w) => (w.avg === null ? null : expect.closeTo(w.avg, 9))),
    );
    expect(got.map((g: object) => ({ ...g, avg: undefined }))).toEqual(
      want.map((w) => ({ ...w, avg: undefined })),
    );
    expect(res.statements).toBe(1);
  });

  // The conversion gives every demo macro a questions schema (all STRING: the demo's answers are text), which the
  // centrum shape's catalog does not have.
  it.runIf(shape === "openjii")(
    "reads the answers of rows read whole (a sample's measurements) as a page does, from the converted schema",
    async () => {
      const res = await run(`{ experiments(first: 20) { edges { node { id
        samples(first: 5) { edges { node { rowId questions { label answer }
          measurements { rowId macroFilename ... on PhotosynthesisMeasurement { answers { plot treatment genotype } } } } } }
        photosynthesis(first: 200) { edges { node { rowId answers { plot treatment genotype } } } } } } } }`);
      let compared = 0;
      for (const { node: experiment } of res.data.experiments.edges) {
        const paged = new Map<string, unknown>(
          experiment.photosynthesis.edges.map((e: { node: { rowId: string; answers: unknown } }) => [
            e.node.rowId,
            e.node.answers,
          ]),
        );
        for (const { node: sample } of experiment.samples.edges) {
          const text = new Map(
            sample.questions.map((q: { label: string; answer: string }) => [q.label, q.answer]),
          );
          for (const m of sample.measurements) {
            if (m.macroFilename !== "macro_photosynthesis") continue;
            expect(m.answers).toEqual({
              plot: text.get("plot") ?? null,
              treatment: text.get("treatment") ?? null,
              genotype: text.get("genotype") ?? null,
            });
            if (paged.has(m.rowId)) {
              expect(m.answers).toEqual(paged.get(m.rowId));
              compared++;
            }
          }
        }
      }
      expect(compared).toBeGreaterThan(0);
    },
  );

  it("lists the typed answers in the catalog with their labels and GraphQL names", async () => {
    const res = await run(`{ macros { filename answersTypeName answers { name key path type } } }`);
    const typed = res.data.macros.find((m: { filename: string }) => m.filename === "macro_typed");
    expect(typed.answersTypeName).toBe("TypedAnswers");
    expect(typed.answers).toEqual([
      { name: "_1st_visit", key: "1st visit?", path: ["1st visit?"], type: "Boolean" },
      { name: "leaf_count", key: "leaf count", path: ["leaf count"], type: "Int" },
      { name: "plot", key: "plot", path: ["plot"], type: "String" },
      { name: "treatment", key: "treatment", path: ["treatment"], type: "String" },
    ]);
  });

  it("refuses a filter value of the wrong type before any statement runs", async () => {
    const res = await fixture.run(
      `{ typed(where: { answers: { leaf_count: { gte: "many" } } }) { totalCount } }`,
    );
    expect(res.errors.length).toBeGreaterThan(0);
    expect(res.errors[0]!.message).toMatch(/Int/);
    expect(res.statements).toBe(0);
  });
});
