/**
 * The query language through the real schema over a real embedded lakehouse: statement counts of the reference
 * operations, bad input (schema errors and BAD_USER_INPUT with a message that says what to do), cursors, ties and
 * nulls, anonymized contributors, access, cross-experiment forms, samples and hostile keys.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "../../lakehouse/sql.js";
import { ExperimentAccess } from "../../resolvers/access/experiment-access.js";
import { pseudonymId } from "../../resolvers/contributors/anonymize.js";
import { BadUserInputError } from "../../resolvers/errors.js";
import { compileAggregate, readAggregate } from "../../resolvers/measurements/compile-aggregate.js";
import { measurementFilters } from "../../resolvers/measurements/compile-measurement-page.js";
import { measurementQuerySource } from "../../resolvers/measurements/query-fields.js";
import {
  ANONYMOUS,
  dataOf,
  MARIA,
  OLIVIA,
  openQueryFixture,
  type QueryFixture,
  type RunResult,
} from "./support/query-fixture.js";

let fixture: QueryFixture;

beforeAll(async () => {
  fixture = await openQueryFixture();
});

afterAll(async () => {
  await fixture?.close();
});

function badInput(result: RunResult, pattern: RegExp): void {
  expect(result.errors.length).toBeGreaterThan(0);
  expect(result.errors[0]!.extensions?.code).toBe("BAD_USER_INPUT");
  expect(result.errors[0]!.message).toMatch(pattern);
}

/** A GraphQL validation error: the operation never reaches a resolver or the lakehouse. */
function schemaError(result: RunResult, pattern: RegExp): void {
  expect(result.errors.length).toBeGreaterThan(0);
  expect(result.errors.map((e) => e.message).join("\n")).toMatch(pattern);
  expect(result.statements).toBe(0);
}

interface TypedPage {
  totalCount: number;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  edges: { node: { rowId: string; experimentId: string } }[];
}

const lastStatement = () => fixture.lakehouse.statements.recent.at(-1)!.text;

describe("reference operations: one statement each", () => {
  it("a filtered, sorted page with totalCount and ten typed fields", async () => {
    const result = await fixture.run(`{
      photosynthesis(first: 5, where: {Phi2: {gt: 0.2}, deviceId: {isNull: false}, _or: [{LEF: {lt: 150}}, {qL: {gte: 0.5}}]},
                     orderBy: [{field: Phi2, direction: DESC}, {field: timestamp, nulls: FIRST}]) {
        totalCount
        edges { node { id Phi2 PhiNPQ PhiNO NPQt qL LEF ECSt FvP_FmP Leaf_Temperature Light_Intensity_PAR } }
      }
    }`);
    const page = dataOf(result).photosynthesis;
    expect(result.statements).toBe(1);
    expect(page.totalCount).toBeGreaterThan(page.edges.length);
    const phi2 = page.edges.map((e: { node: { Phi2: number } }) => e.node.Phi2);
    expect(phi2).toEqual([...phi2].sort((a, b) => b - a));
    expect(phi2.every((v: number) => v > 0.2)).toBe(true);
  });

  it("an aggregate grouped by device and day", async () => {
    const result = await fixture.run(`{
      photosynthesisAggregate(groupBy: [{device: true}, {time: timestamp}], timeBucket: DAY, timeZone: "Europe/Amsterdam") {
        count groups { key { deviceId time timeLocal } count avg { Phi2 LEF } max { Phi2 } stddev { Phi2 } corr(a: Phi2, b: LEF) }
      }
    }`);
    const aggregate = dataOf(result).photosynthesisAggregate;
    expect(result.statements).toBe(1);
    expect(aggregate.groups.length).toBeGreaterThan(3);
    const first = aggregate.groups[0];
    expect(first.key.timeLocal).toMatch(/T00:00:00$/);
    // Midnight in Amsterdam is 23:00 or 22:00 UTC.
    expect(new Date(first.key.time).toISOString()).toMatch(/T2[23]:00:00\.000Z$/);
  });

  it("a distinct list with counts", async () => {
    const result = await fixture.run(
      `{ typedDistinct(field: label, first: 3) { values { value count } hasMore totalCount } }`,
    );
    const distinct = dataOf(result).typedDistinct;
    expect(result.statements).toBe(1);
    expect(distinct.values).toHaveLength(3);
    expect(distinct.hasMore).toBe(true);
    const counts = distinct.values.map((v: { count: number }) => v.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it("totalCount costs nothing unless selected", async () => {
    dataOf(await fixture.run(`{ typed(first: 2, where: {score: {gt: 0}}) { edges { node { id } } } }`));
    expect(lastStatement()).not.toContain("__total");
    dataOf(await fixture.run(`{ typed(first: 2, where: {score: {gt: 0}}) { totalCount } }`));
    expect(lastStatement()).toContain("__total");
  });

  it("only the selected aggregates are computed", async () => {
    dataOf(await fixture.run(`{ typedAggregate { groups { count sum { score } } } }`));
    const text = lastStatement();
    expect(text).toContain("sum(");
    expect(text).not.toContain("avg(");
    expect(text).not.toContain("corr(");
    expect(text).not.toContain("'meta'");
  });
});

describe("bad input", () => {
  it("operators on the wrong type are schema errors", async () => {
    schemaError(
      await fixture.run(`{ typed(where: {label: {gt: "a"}}) { totalCount } }`),
      /"gt" is not defined/,
    );
    schemaError(
      await fixture.run(`{ typed(where: {flag: {in: [true]}}) { totalCount } }`),
      /"in" is not defined/,
    );
    schemaError(await fixture.run(`{ typed(where: {score: {contains: "1"}}) { totalCount } }`), /"contains"/);
    schemaError(await fixture.run(`{ typed(where: {score: {eq: "high"}}) { totalCount } }`), /Float/);
    schemaError(await fixture.run(`{ typed(orderBy: [{field: tags}]) { totalCount } }`), /tags/);
    schemaError(await fixture.run(`{ typedAggregate { groups { sum { label } } } }`), /"label"/);
    schemaError(await fixture.run(`{ typedAggregate { groups { corr(a: score, b: label) } } }`), /label/);
  });

  it("an `in` list over 1,000 values", async () => {
    const values = Array.from({ length: 1001 }, (_, i) => i);
    const result = await fixture.run(`query($v: [Int!]) { typed(where: {count: {in: $v}}) { totalCount } }`, {
      v: values,
    });
    badInput(result, /has 1001 values; at most 1000 are allowed/);
    expect(result.statements).toBe(0);
  });

  it("an explicit null operator says to use isNull", async () => {
    badInput(await fixture.run(`{ typed(where: {score: {eq: null}}) { totalCount } }`), /use `isNull: true`/);
  });

  it("a cursor from another filter or sort order", async () => {
    const page = dataOf(
      await fixture.run(
        `{ typed(first: 2, where: {score: {gt: 0}}, orderBy: [{field: score}]) { pageInfo { endCursor } } }`,
      ),
    );
    const cursor = page.typed.pageInfo.endCursor;
    badInput(
      await fixture.run(
        `query($c: String) { typed(first: 2, after: $c, where: {score: {gt: 1}}, orderBy: [{field: score}]) { totalCount } }`,
        {
          c: cursor,
        },
      ),
      /another query or sort order/,
    );
    badInput(
      await fixture.run(
        `query($c: String) { typed(first: 2, after: $c, where: {score: {gt: 0}}, orderBy: [{field: score, direction: DESC}]) { totalCount } }`,
        {
          c: cursor,
        },
      ),
      /another query or sort order/,
    );
    badInput(
      await fixture.run(`query($c: String) { photosynthesis(first: 2, after: $c) { totalCount } }`, {
        c: cursor,
      }),
      /another query or sort order/,
    );
    // The same query continues.
    dataOf(
      await fixture.run(
        `query($c: String) { typed(first: 2, after: $c, where: {score: {gt: 0}}, orderBy: [{field: score}]) { totalCount } }`,
        {
          c: cursor,
        },
      ),
    );
  });

  it("a time bucket on a non-time field, or without a time grouping", async () => {
    badInput(
      await fixture.run(`{ typedAggregate(groupBy: [{time: score}], timeBucket: DAY) { count } }`),
      /needs a DateTime or Date field, and score is Float/,
    );
    badInput(
      await fixture.run(`{ typedAggregate(timeBucket: DAY) { count } }`),
      /needs a time entry in `groupBy`/,
    );
    badInput(
      await fixture.run(
        `{ typedAggregate(groupBy: [{time: timestamp}], timeZone: "Mars/Olympus") { count } }`,
      ),
      /not a time zone; use an IANA name/,
    );
  });

  it("group-by entries must set exactly one member, once", async () => {
    badInput(
      await fixture.run(`{ typedAggregate(groupBy: [{device: true, contributor: true}]) { count } }`),
      /exactly one/,
    );
    badInput(await fixture.run(`{ typedAggregate(groupBy: [{device: false}]) { count } }`), /must be true/);
    badInput(
      await fixture.run(`{ typedAggregate(groupBy: [{device: true}, {device: true}]) { count } }`),
      /twice/,
    );
  });

  it("aggregates on non-numeric fields (compiler)", () => {
    const source = measurementQuerySource(fixture.models.find((m) => m.macroFilename === "macro_typed")!);
    expect(() =>
      compileAggregate({ source, filters: [], measures: [{ fn: "sum", field: "label" }] }),
    ).toThrow(/label is String; sum, avg, min, max, stddev, variance and corr take numeric fields/);
    expect(() =>
      compileAggregate({ source, filters: [], measures: [{ fn: "corr", a: "score", b: "at" }] }),
    ).toThrow(BadUserInputError);
  });

  it("too many groups is an error that says how to narrow, never a cut result", async () => {
    const model = fixture.models.find((m) => m.macroFilename === "macro_typed")!;
    const source = measurementQuerySource(model);
    const compiled = compileAggregate({
      source,
      filters: measurementFilters(model, null, new ExperimentAccess(MARIA), false),
      groupBy: [{ field: "rowId" }],
      measures: [],
      maxGroups: 5,
    });
    const rows = await fixture.lakehouse.query(compiled.statement);
    expect(rows).toHaveLength(6);
    expect(() => readAggregate(compiled, rows)).toThrow(
      /more than 5 groups\. Narrow `where`.*coarser `timeBucket`/,
    );
  });

  it("distinct `first` and `experimentIds` limits", async () => {
    badInput(
      await fixture.run(`{ typedDistinct(field: label, first: 1001) { hasMore } }`),
      /between 1 and 1000/,
    );
    const ids = Array.from({ length: 1001 }, (_, i) => `e${i}`);
    badInput(
      await fixture.run(`query($ids: [ID!]) { typedAggregate(experimentIds: $ids) { count } }`, { ids }),
      /at most 1000/,
    );
  });

  it("malformed ids", async () => {
    badInput(await fixture.run(`{ typed(where: {rowId: {eq: "12x"}}) { totalCount } }`), /64-bit integer/);
  });
});

describe("semantics", () => {
  it("64-bit ids stay exact as strings, in filters and results", async () => {
    const id = "4611686018427387904";
    const data = dataOf(
      await fixture.run(
        `query($id: ID) { typed(where: {rowId: {eq: $id}}) { edges { node { id rowId experimentId } } } }`,
        { id },
      ),
    );
    expect(data.typed.edges.length).toBeGreaterThan(0);
    for (const e of data.typed.edges) expect(e.node.rowId).toBe(id);
  });

  it("the same row id in several experiments is several measurements, each with its own id", async () => {
    const data = dataOf(
      await fixture.run(
        `{ typed(where: {rowId: {eq: "4611686018427387904"}}) { edges { node { id rowId experimentId } } } }`,
      ),
    );
    const nodes = data.typed.edges.map((e: { node: { id: string; experimentId: string } }) => e.node);
    expect(new Set(nodes.map((n: { experimentId: string }) => n.experimentId)).size).toBeGreaterThan(1);
    expect(new Set(nodes.map((n: { id: string }) => n.id)).size).toBe(nodes.length);
  });

  it("ties and nulls: every row exactly once, forward and backward, with page size 1", async () => {
    const query = `query($after: String, $before: String, $first: Int, $last: Int) {
      typed(first: $first, after: $after, last: $last, before: $before, orderBy: [{field: flag, nulls: FIRST}, {field: label, direction: DESC}]) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { rowId experimentId flag } }
      }
    }`;
    const forward: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (;;) {
      const page: TypedPage = dataOf(await fixture.run(query, { first: 1, after })).typed;
      total = page.totalCount;
      forward.push(
        ...page.edges.map(
          (e: { node: { rowId: string; experimentId: string } }) => `${e.node.experimentId}/${e.node.rowId}`,
        ),
      );
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(forward).toHaveLength(total);
    expect(new Set(forward).size).toBe(total);
    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page: TypedPage = dataOf(await fixture.run(query, { last: 3, before })).typed;
      backward.unshift(
        ...page.edges.map(
          (e: { node: { rowId: string; experimentId: string } }) => `${e.node.experimentId}/${e.node.rowId}`,
        ),
      );
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backward).toEqual(forward);
  });

  it("contributor ids are pseudonyms in anonymized experiments, and filter back", async () => {
    const anonymized = fixture.experiments.find((e) => e.anonymize)!;
    const distinct = dataOf(
      await fixture.run(
        `query($e: [ID!]) { photosynthesisDistinct(experimentIds: $e, field: userId) { values { value count } } }`,
        {
          e: [anonymized.id],
        },
      ),
    ).photosynthesisDistinct.values;
    const users = await fixture.lakehouse.query<{ user_id: string }>(
      sql`SELECT DISTINCT user_id FROM centrum.experiment_macro_data WHERE experiment_id = ${anonymized.id}
        AND macro_filename = 'macro_photosynthesis' AND macro_error IS NULL AND user_id IS NOT NULL`,
    );
    const pseudonyms = users.map((u) => pseudonymId(anonymized.id, u.user_id)).sort();
    expect(
      distinct
        .map((v: { value: string }) => v.value)
        .filter(Boolean)
        .sort(),
    ).toEqual(pseudonyms);
    for (const user of users) expect(JSON.stringify(distinct)).not.toContain(user.user_id);

    const value = distinct[0].value as string;
    const page = dataOf(
      await fixture.run(
        `query($e: [ID!], $u: String) { photosynthesis(experimentIds: $e, where: {userId: {eq: $u}}, first: 500) {
        totalCount edges { node { contributor { userId } } } } }`,
        { e: [anonymized.id], u: value },
      ),
    ).photosynthesis;
    expect(page.totalCount).toBe(distinct[0].count);
    for (const e of page.edges) expect(e.node.contributor.userId).toBe(value);
  });

  it("root forms cover every readable experiment and group by experiment; access always applies", async () => {
    const publicIds = fixture.experiments
      .filter((e) => e.visibility === "public")
      .map((e) => e.id)
      .sort();
    const query = `query($e: [ID!]) { typedAggregate(experimentIds: $e, groupBy: [{experiment: true}]) { groups { key { experimentId } count } } }`;
    const anonymous = dataOf(await fixture.run(query, {}, ANONYMOUS)).typedAggregate.groups;
    expect(anonymous.map((g: { key: { experimentId: string } }) => g.key.experimentId)).toEqual(publicIds);
    const maria = dataOf(await fixture.run(query, {}, MARIA)).typedAggregate.groups;
    expect(maria).toHaveLength(fixture.experiments.length);
    const privateIds = fixture.experiments.filter((e) => e.visibility === "private").map((e) => e.id);
    const outsider = dataOf(await fixture.run(query, { e: privateIds }, OLIVIA)).typedAggregate.groups;
    expect(outsider).toEqual([]);
  });

  it("question answers and annotations filter and group", async () => {
    const data = dataOf(
      await fixture.run(`{
        typedAggregate(groupBy: [{question: "plot"}]) { groups { key { plot: question(label: "plot") } count } }
        a: typed(where: {question: {label: "plot", eq: "A"}}) { totalCount edges { node { questions { label answer } } } }
        flagged: typed(where: {hasAnnotation: {type: FLAG, flagType: OUTLIER}}) { totalCount edges { node { annotations { type flagType } } } }
      }`),
    );
    const groupA = data.typedAggregate.groups.find((g: { key: { plot: string } }) => g.key.plot === "A");
    expect(data.a.totalCount).toBe(groupA.count);
    for (const e of data.a.edges) {
      expect(e.node.questions).toContainEqual({ label: "plot", answer: "A" });
    }
    expect(data.flagged.totalCount).toBeGreaterThan(0);
    for (const e of data.flagged.edges) {
      expect(e.node.annotations).toContainEqual({ type: "FLAG", flagType: "OUTLIER" });
    }
  });

  it("samples take where and orderBy in one statement", async () => {
    const experiment = fixture.experiments.find((e) => e.visibility === "public")!;
    const result = await fixture.run(
      `query($id: ID!) { experiment(id: $id) { samples(first: 5, where: {deviceId: {isNull: false}, _not: {question: {label: "notes"}}},
        orderBy: [{field: deviceId}, {field: timestamp, direction: DESC}]) { totalCount edges { node { id deviceId timestamp } } } } }`,
      { id: experiment.id },
    );
    const samples = dataOf(result).experiment.samples;
    expect(result.statements).toBe(2); // the experiment, then its sample page
    const devices = samples.edges.map((e: { node: { deviceId: string } }) => e.node.deviceId);
    expect(devices).toEqual([...devices].sort());
  });

  it("hostile keys filter, sort and aggregate like any other", async () => {
    const data = dataOf(
      await fixture.run(`{
        hostile(where: {a_b: {gt: 1}, x_y: {eq: "v1"}, drop_table: {lte: 5}, _1st: {eq: false}}, orderBy: [{field: _empty, nulls: FIRST}]) {
          edges { node { a_b x_y drop_table _1st _empty PSII typename_ } }
        }
        hostileAggregate(groupBy: [{field: x_y}]) { groups { key { value(field: x_y) } count sum { a_b PSII _empty drop_table } } }
        hostileDistinct(field: typename_) { values { value count } }
      }`),
    );
    expect(data.hostile.edges.map((e: { node: { a_b: number } }) => e.node.a_b)).toEqual([4.5, 7.5, 1.5]);
    expect(data.hostile.edges[0].node._empty).toBe(null);
    expect(data.hostileAggregate.groups).toHaveLength(2);
    expect(data.hostileDistinct.values).toEqual([{ value: "not a type", count: 6 }]);
  });

  it("every statement binds its values: no filter value reaches SQL text", async () => {
    const hostile = "'; drop table experiments; --";
    dataOf(
      await fixture.run(
        `query($v: String!) {
        typed(where: {label: {eq: $v}, _or: [{meta: {tag: {contains: $v}}}, {question: {label: $v, eq: $v}}]}) { totalCount }
        typedAggregate(where: {deviceId: {startsWith: $v}}, groupBy: [{question: $v}]) { count }
        typedDistinct(field: label, where: {userId: {in: [$v]}}) { hasMore }
      }`,
        { v: hostile },
      ),
    );
    for (const record of fixture.lakehouse.statements.recent.slice(-3)) {
      expect(record.text).not.toContain("drop table");
      expect(record.paramCount).toBeGreaterThan(0);
    }
  });
});
