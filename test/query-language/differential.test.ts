/**
 * Differential tests: for generated filter / sort / page / aggregate / distinct combinations (fast-check, fixed
 * seeds), the gateway's answer over a real embedded lakehouse equals the answer of independently written SQL
 * (`support/reference-sql.ts`) over the same data. Pages are walked to the end (forward, and backward for some
 * cases) and compared in order, so a skipped, repeated or misplaced row fails the test.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Row } from "../../lakehouse/lakehouse.js";
import { type Sql, sql } from "../../lakehouse/sql.js";
import { TABLE_SHAPES, type TableShape } from "../../lakehouse/table-shapes.js";
import type { Viewer } from "../../resolvers/access/viewer.js";
import { pseudonymId } from "../../resolvers/contributors/anonymize.js";
import {
  ANONYMOUS,
  dataOf,
  MARIA,
  OLIVIA,
  openQueryFixture,
  type QueryFixture,
  readableBy,
} from "./support/query-fixture.js";
import {
  contributorSql,
  inList,
  lit,
  orderByText,
  type ReferenceContext,
  type RefOrder,
  sampleFields,
  typedFields,
  wherePredicate,
} from "./support/reference-sql.js";

let fixture: QueryFixture;
let typedRef: ReferenceContext;
let sampleRef: ReferenceContext;
let userIds: string[];
/** Contributor ids as the API shows them (pseudonyms included), for generated filters. */
let shownUserIds: string[];
let typedIds: string[];
let sampleIds: string[];

/** Runs reference SQL text (test-generated literals only) on the fixture's lakehouse. */
function reference(text: string): Promise<Row[]> {
  const strings = Object.assign([text], { raw: [text] }) as unknown as TemplateStringsArray;
  const statement: Sql = sql(strings);
  return fixture.lakehouse.query(statement);
}

async function openShape(shape: TableShape): Promise<void> {
  fixture = await openQueryFixture({ shape });
  expect(fixture.lakehouse.dialect.shape).toBe(shape);
  const users = await fixture.lakehouse.query<{ user_id: string }>(
    sql`SELECT DISTINCT user_id FROM centrum.experiment_macro_data WHERE user_id IS NOT NULL
        UNION SELECT DISTINCT user_id FROM centrum.experiment_raw_data WHERE user_id IS NOT NULL ORDER BY 1`,
  );
  userIds = users.map((u) => u.user_id);
  const contributor = contributorSql(fixture.experiments, userIds);
  typedRef = { fields: typedFields(contributor), annotationTable: "macro_typed" };
  sampleRef = { fields: sampleFields(contributor), annotationTable: "sample" };
  shownUserIds = fixture.experiments.flatMap((e) =>
    userIds.map((u) => (e.anonymize ? pseudonymId(e.id, u) : u)),
  );
  const ids = await fixture.lakehouse.query<{ id: bigint }>(
    sql`SELECT DISTINCT id FROM centrum.experiment_macro_data WHERE macro_filename = 'macro_typed' ORDER BY id LIMIT 12`,
  );
  typedIds = ids.map((r) => r.id.toString());
  const samples = await fixture.lakehouse.query<{ id: bigint }>(
    sql`SELECT id FROM centrum.experiment_raw_data ORDER BY id LIMIT 12`,
  );
  sampleIds = samples.map((r) => r.id.toString());
}

/** The suites below, defined once and run in each table shape (the reference SQL reads the centrum tables). */
const suites: [string, () => void][] = [];
const suite = (name: string, body: () => void) => void suites.push([name, body]);

// ---- generators -------------------------------------------------------------------------------------------------

const VALUES = {
  num: [-7, -3, 0, 0.5, 1, 1.25, 2, 3, 10, 1.3],
  bigint: ["9007199254740993", "9007199254740992", "-5", "0", "9223372036854775807"],
  str: ["alpha", "beta", "Alpha", "al", "", "x'y", "ü", "a", "x", "u-1", "dev-b", "zzz"],
  date: ["2025-12-31", "2026-01-01", "2026-01-10", "2026-01-15"],
  ts: [
    "2025-12-31T23:59:59.000Z",
    "2026-01-01T00:00:00.000Z",
    "2026-01-01T23:30:00.000Z",
    "2026-01-02T03:04:05.123Z",
    "2026-01-05T12:00:00.500Z",
    "2026-02-01T06:00:00.000Z",
  ],
};

type Family = keyof typeof VALUES | "bool";

function operatorArb(family: Family, values: readonly unknown[]): fc.Arbitrary<Record<string, unknown>> {
  const value = fc.constantFrom(...values);
  const list = fc.uniqueArray(value, { maxLength: 4 });
  const ops: fc.Arbitrary<Record<string, unknown>>[] = [
    fc.record({ isNull: fc.boolean() }),
    value.map((v) => ({ eq: v })),
  ];
  if (family !== "bool") {
    ops.push(
      value.map((v) => ({ neq: v })),
      list.map((l) => ({ in: l })),
      list.map((l) => ({ nin: l })),
    );
  }
  if (family === "num" || family === "bigint" || family === "date" || family === "ts") {
    for (const op of ["gt", "gte", "lt", "lte"]) ops.push(value.map((v) => ({ [op]: v })));
    // A range: two operators in one filter object.
    ops.push(fc.tuple(value, value).map(([a, b]) => ({ gte: a, lt: b })));
  }
  if (family === "str") {
    ops.push(
      fc.constantFrom("a", "l", "", "'", "ü", "-").map((v) => ({ contains: v })),
      fc.constantFrom("a", "al", "A", "", "x'", "dev").map((v) => ({ startsWith: v })),
    );
  }
  return fc.oneof(...ops);
}

const BOOLS = [true, false];

function typedLeafArb(): fc.Arbitrary<Record<string, unknown>> {
  const field = (name: string, family: Family, values?: readonly unknown[]) =>
    operatorArb(family, values ?? (family === "bool" ? BOOLS : VALUES[family as keyof typeof VALUES])).map(
      (f) => ({
        [name]: f,
      }),
    );
  return fc.oneof(
    field("score", "num"),
    field(
      "count",
      "num",
      [-7, 0, 1, 2, 3, 5, 3_000_000_000].filter((v) => v <= 2 ** 31 - 1),
    ),
    field("big", "bigint"),
    field("label", "str"),
    field("flag", "bool"),
    field("day", "date"),
    field("at", "ts"),
    field("userId_2", "str", ["u-1", "u-2", "u-3"]),
    operatorArb("num", VALUES.num).map((f) => ({ meta: { depth: f } })),
    operatorArb("str", ["x", "y", "z"]).map((f) => ({ meta: { tag: f } })),
    field("deviceId", "str", ["dev-a", "dev-b", "dev-c", "dev"]),
    operatorArb("str", shownUserIds.slice(0, 10)).map((f) => ({ userId: f })),
    field("timestamp", "ts"),
    fc
      .oneof(
        fc.constantFrom(...typedIds).map((v) => ({ eq: v })),
        fc.uniqueArray(fc.constantFrom(...typedIds), { maxLength: 3 }).map((l) => ({ in: l })),
      )
      .map((f) => ({ rowId: f })),
    questionArb(),
    annotationArb(),
  );
}

function questionArb(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record(
      {
        label: fc.constantFrom("plot", "treatment", "genotype"),
        eq: fc.constantFrom("A", "B", "C", "wet", "dry"),
        in: fc.uniqueArray(fc.constantFrom("A", "B", "wet"), { maxLength: 2 }),
      },
      { requiredKeys: ["label"] },
    )
    .map((q) => {
      const { in: list, ...rest } = q;
      return { question: "eq" in rest ? rest : list !== undefined ? { ...rest, in: list } : rest };
    });
}

function annotationArb(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record(
      { type: fc.constantFrom("COMMENT", "FLAG"), flagType: fc.constantFrom("OUTLIER", "NEEDS_REVIEW") },
      { requiredKeys: [] },
    )
    .map((a) => ({ hasAnnotation: a }));
}

function whereArb(leaf: () => fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const { where } = fc.letrec<{ where: Record<string, unknown>; node: Record<string, unknown> }>((tie) => ({
    where: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf(),
      fc.tuple(leaf(), leaf()).map(([a, b]) => ({ ...a, ...b })),
      tie("node"),
    ),
    node: fc.oneof(
      fc.array(tie("where"), { maxLength: 3 }).map((items) => ({ _and: items })),
      fc.array(tie("where"), { maxLength: 3 }).map((items) => ({ _or: items })),
      tie("where").map((w) => ({ _not: w })),
    ),
  }));
  return where;
}

const TYPED_SORT_FIELDS = [
  "score",
  "count",
  "big",
  "label",
  "flag",
  "day",
  "at",
  "meta_depth",
  "meta_tag",
  "userId_2",
  "deviceId",
  "userId",
  "timestamp",
  "rowId",
  "experimentId",
];

function orderByArb(fields: readonly string[]): fc.Arbitrary<RefOrder[] | undefined> {
  const key = fc.record(
    {
      field: fc.constantFrom(...fields),
      direction: fc.constantFrom<"ASC" | "DESC">("ASC", "DESC"),
      nulls: fc.constantFrom<"FIRST" | "LAST">("FIRST", "LAST"),
    },
    { requiredKeys: ["field"] },
  );
  return fc.option(fc.uniqueArray(key, { maxLength: 3, selector: (k) => k.field }), { nil: undefined });
}

const viewerArb = fc.constantFrom<Viewer>(MARIA, ANONYMOUS, OLIVIA);

// ---- paging -----------------------------------------------------------------------------------------------------

interface PageResult {
  keys: string[];
  total: number;
  pages: number;
  statements: number;
}

/** Walks every page of a connection forward (or backward) and returns the rows in forward order. */
async function walk(
  query: string,
  path: (data: unknown) => {
    totalCount: number;
    edges: { node: { rowId: string; experimentId: string } }[];
    pageInfo: Record<string, unknown>;
  },
  variables: Record<string, unknown>,
  viewer: Viewer,
  size: number,
  backward: boolean,
): Promise<PageResult> {
  const keys: string[] = [];
  let cursor: string | null = null;
  let total = -1;
  let statements = 0;
  for (let page = 0; page < 500; page++) {
    const vars = backward
      ? { ...variables, last: size, before: cursor }
      : { ...variables, first: size, after: cursor };
    const result = await fixture.run(query, vars, viewer);
    statements += result.statements;
    const connection = path(dataOf(result));
    total = connection.totalCount;
    const pageKeys = connection.edges.map((e) => `${e.node.experimentId}/${e.node.rowId}`);
    if (backward) keys.unshift(...pageKeys);
    else keys.push(...pageKeys);
    const more = backward ? connection.pageInfo.hasPreviousPage : connection.pageInfo.hasNextPage;
    cursor = (backward ? connection.pageInfo.startCursor : connection.pageInfo.endCursor) as string | null;
    if (!more) return { keys, total, pages: page + 1, statements };
    // An empty page with more to come would loop forever.
    expect(pageKeys.length).toBeGreaterThan(0);
  }
  throw new Error("too many pages");
}

const TYPED_PAGE = `query($experimentIds: [ID!], $where: TypedMeasurementWhere, $orderBy: [TypedMeasurementOrderBy!],
  $first: Int, $after: String, $last: Int, $before: String) {
  typed(experimentIds: $experimentIds, where: $where, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { rowId experimentId score label } }
  }
}`;

suite("differential: typed measurement pages", () => {
  it("filtered, sorted pages equal the reference SQL, walked forward and backward", async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(
        whereArb(typedLeafArb),
        orderByArb(TYPED_SORT_FIELDS),
        viewerArb,
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        fc.option(fc.subarray([0, 1, 2, 3]), { nil: undefined }),
        async (where, orderBy, viewer, size, backward, scopeIndexes) => {
          cases++;
          const readable = readableBy(fixture.experiments, viewer);
          const scope = scopeIndexes?.map((i) => fixture.experiments[i]!.id);
          const ids = scope ? readable.filter((id) => scope.includes(id)) : readable;
          const expected = await reference(
            `SELECT experiment_id, id FROM centrum.experiment_macro_data
             WHERE macro_filename = 'macro_typed' AND macro_error IS NULL AND experiment_id IN ${inList(ids)}
               AND (${wherePredicate(typedRef, where)})
             ORDER BY ${orderByText(typedRef, orderBy, "id DESC, experiment_id ASC")}`,
          );
          const got = await walk(
            TYPED_PAGE,
            (d) => (d as { typed: never }).typed,
            { where, orderBy, experimentIds: scope },
            viewer,
            size,
            backward,
          );
          const want = expected.map((r) => `${r.experiment_id}/${String(r.id)}`);
          expect(got.keys).toEqual(want);
          expect(got.total).toBe(want.length);
          // One statement per page, whatever the filter and order.
          expect(got.statements).toBe(got.pages);
        },
      ),
      { seed: 5501, numRuns: 160, endOnFailure: true },
    );
    expect(cases).toBeGreaterThanOrEqual(160);
  });
});

// ---- samples ----------------------------------------------------------------------------------------------------

function sampleLeafArb(): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    operatorArb("str", ["dev", "a", ":"]).map((f) => ({ deviceId: f })),
    operatorArb("str", shownUserIds.slice(0, 10)).map((f) => ({ userId: f })),
    operatorArb("ts", [
      "2025-12-15T00:00:00.000Z",
      "2026-01-01T00:00:00.000Z",
      "2026-01-20T12:00:00.000Z",
      "2026-02-15T00:00:00.000Z",
    ]).map((f) => ({ timestamp: f })),
    fc.uniqueArray(fc.constantFrom(...sampleIds), { maxLength: 4 }).map((l) => ({ rowId: { in: l } })),
    questionArb().map((q) => {
      const question = q.question as { label: string; eq?: string };
      // The demo's plots are named per site; ask about genotype/treatment labels and any answer.
      return { question: { label: question.label } };
    }),
    annotationArb(),
  );
}

const SAMPLE_PAGE = `query($id: ID!, $where: SampleWhere, $orderBy: [SampleOrderBy!], $first: Int, $after: String, $last: Int, $before: String) {
  experiment(id: $id) {
    samples(where: $where, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { node { rowId experimentId } }
    }
  }
}`;

suite("differential: sample pages", () => {
  it("Experiment.samples where/orderBy pages equal the reference SQL", async () => {
    await fc.assert(
      fc.asyncProperty(
        whereArb(sampleLeafArb),
        orderByArb(["rowId", "deviceId", "userId", "timestamp", "processedTimestamp"]),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 3, max: 30 }),
        fc.boolean(),
        async (where, orderBy, e, size, backward) => {
          const experiment = fixture.experiments[e]!;
          const expected = await reference(
            `SELECT experiment_id, id FROM centrum.experiment_raw_data
             WHERE experiment_id = ${lit(experiment.id)} AND (${wherePredicate(sampleRef, where)})
             ORDER BY ${orderByText(sampleRef, orderBy, "id DESC")}`,
          );
          const got = await walk(
            SAMPLE_PAGE,
            (d) => (d as { experiment: { samples: never } }).experiment.samples,
            { id: experiment.id, where, orderBy },
            MARIA,
            size,
            backward,
          );
          expect(got.keys).toEqual(expected.map((r) => `${r.experiment_id}/${String(r.id)}`));
          expect(got.total).toBe(expected.length);
        },
      ),
      { seed: 5502, numRuns: 40, endOnFailure: true },
    );
  });
});

// ---- aggregates -------------------------------------------------------------------------------------------------

type GroupSpec =
  | { device: true }
  | { contributor: true }
  | { experiment: true }
  | { question: string }
  | { time: "timestamp" | "at" | "day" }
  | { field: "label" | "flag" | "count" };

const groupArb = fc.constantFrom<GroupSpec>(
  { device: true },
  { contributor: true },
  { experiment: true },
  { question: "plot" },
  { question: "treatment" },
  { time: "timestamp" },
  { time: "at" },
  { time: "day" },
  { field: "label" },
  { field: "flag" },
  { field: "count" },
);

const MEASURE_FIELDS = ["score", "count", "big", "meta_depth"] as const;
/** BigInt fields: their min and max come back exactly, as BigInt (not through DOUBLE). */
const EXACT_EXTREMES: ReadonlySet<string> = new Set(["big"]);
const isExact = (fn: string, m: string) => (fn === "min" || fn === "max") && EXACT_EXTREMES.has(m);
const FUNCTIONS = ["sum", "avg", "min", "max", "stddev", "variance"] as const;

const REF_FUNCTION: Record<(typeof FUNCTIONS)[number], string> = {
  sum: "sum",
  avg: "avg",
  min: "min",
  max: "max",
  stddev: "stddev_samp",
  variance: "var_samp",
};

function groupText(g: GroupSpec): string {
  if ("question" in g) return `{question: ${JSON.stringify(g.question)}}`;
  if ("time" in g) return `{time: ${g.time}}`;
  if ("field" in g) return `{field: ${g.field}}`;
  return `{${Object.keys(g)[0]}: true}`;
}

/** Entries that may not repeat: one per kind, per question label and per field; one time bucket. */
function groupIdentity(g: GroupSpec): string {
  if ("question" in g) return `question:${g.question}`;
  if ("field" in g) return `field:${g.field}`;
  return Object.keys(g)[0]!;
}

const AGGREGATE = (
  groups: readonly GroupSpec[],
) => `query($experimentIds: [ID!], $where: TypedMeasurementWhere, $timeBucket: TimeBucket, $timeZone: String) {
  typedAggregate(experimentIds: $experimentIds, where: $where, groupBy: [${groups.map(groupText).join(", ")}], timeBucket: $timeBucket, timeZone: $timeZone) {
    count
    groups {
      key { deviceId userId experimentId plot: question(label: "plot") treatment: question(label: "treatment") time timeLocal label: value(field: label) flag: value(field: flag) count: value(field: count) }
      count
      ${FUNCTIONS.map((fn) => `${fn} { ${MEASURE_FIELDS.join(" ")} }`).join("\n      ")}
      corr(a: score, b: meta_depth)
      corrBig: corr(a: big, b: count)
    }
  }
}`;

interface AggregateGroupResult {
  key: Record<string, unknown>;
  count: number;
  sum: Record<string, number | null>;
  avg: Record<string, number | null>;
  min: Record<string, number | null>;
  max: Record<string, number | null>;
  stddev: Record<string, number | null>;
  variance: Record<string, number | null>;
  corr: number | null;
  corrBig: number | null;
}

/** Reference numbers; NaN (DuckDB's corr over a constant) is null in GraphQL. */
function num(value: unknown): number | null {
  if (value == null) return null;
  const n = Number(value);
  return Number.isNaN(n) ? null : n;
}

function close(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

suite("differential: aggregates", () => {
  it("grouped aggregates equal the reference SQL (one statement each)", async () => {
    const UNIT_SQL = {
      MINUTE: "minute",
      HOUR: "hour",
      DAY: "day",
      WEEK: "week",
      MONTH: "month",
      YEAR: "year",
    };
    await fc.assert(
      fc.asyncProperty(
        fc.option(whereArb(typedLeafArb), { nil: undefined }),
        fc.uniqueArray(groupArb, { maxLength: 3, selector: groupIdentity }),
        fc.constantFrom<keyof typeof UNIT_SQL>("MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "YEAR"),
        fc.constantFrom("UTC", "Europe/Amsterdam", "America/New_York", "Asia/Kolkata"),
        viewerArb,
        fc.option(fc.subarray([0, 1, 2, 3], { minLength: 1 }), { nil: undefined }),
        async (where, groups, unit, timeZone, viewer, scopeIndexes) => {
          const hasTime = groups.some((g) => "time" in g);
          const readable = readableBy(fixture.experiments, viewer);
          const scope = scopeIndexes?.map((i) => fixture.experiments[i]!.id);
          const ids = scope ? readable.filter((id) => scope.includes(id)) : readable;
          const f = typedRef.fields;
          const dims = groups.map((g, i) => {
            if ("device" in g) return `device_id AS d${i}`;
            if ("contributor" in g) return `${f.userId!.sql} AS d${i}`;
            if ("experiment" in g) return `experiment_id AS d${i}`;
            if ("question" in g) {
              return `list_filter(questions, lambda x: x.question_label = ${lit(g.question)})[1].question_answer AS d${i}`;
            }
            if ("time" in g) {
              const value = g.time === "day" ? `CAST(${f.day!.sql} AS TIMESTAMP)` : f[g.time]!.sql;
              // Dates are calendar days: no time zone shift.
              const zone = g.time === "day" ? "UTC" : timeZone;
              const bucket = `date_trunc(${lit(UNIT_SQL[unit])}, (${value} AT TIME ZONE 'UTC') AT TIME ZONE ${lit(zone)})`;
              // The bucket start as an instant: the local wall-clock time read in its zone.
              return `${bucket} AS d${i}, epoch(timezone(${lit(zone)}, ${bucket})) AS t${i}`;
            }
            return `${f[g.field]!.sql} AS d${i}`;
          });
          const measures = [
            ...MEASURE_FIELDS.flatMap((m) =>
              FUNCTIONS.map((fn) =>
                isExact(fn, m)
                  ? `CAST(${REF_FUNCTION[fn]}(${f[m]!.sql}) AS VARCHAR) AS "${fn}_${m}"`
                  : `${REF_FUNCTION[fn]}(CAST(${f[m]!.sql} AS DOUBLE)) AS "${fn}_${m}"`,
              ),
            ),
            `corr(${f.score!.sql}, ${f.meta_depth!.sql}) AS "corr"`,
            `corr(CAST(${f.big!.sql} AS DOUBLE), CAST(${f.count!.sql} AS DOUBLE)) AS "corrBig"`,
          ];
          const groupCols = groups.map((_g, i) => `d${i}`);
          const expected = await reference(
            `SELECT ${[...dims, 'count(*) AS "n"', ...measures].join(", ")}
             FROM centrum.experiment_macro_data
             WHERE macro_filename = 'macro_typed' AND macro_error IS NULL AND experiment_id IN ${inList(ids)}
               AND (${wherePredicate(typedRef, where)})
             ${groupCols.length ? `GROUP BY ${groupCols.join(", ")} ORDER BY ${groupCols.map((c) => `${c} ASC NULLS LAST`).join(", ")}` : ""}`,
          );
          const result = await fixture.run(
            AGGREGATE(groups),
            { where, experimentIds: scope, timeBucket: hasTime ? unit : undefined, timeZone },
            viewer,
          );
          expect(result.statements).toBe(1);
          const got = dataOf(result).typedAggregate;
          expect(got.groups.length).toBe(expected.length);
          expect(got.count).toBe(expected.reduce((n, r) => n + Number(r.n), 0));
          got.groups.forEach((group: AggregateGroupResult, i: number) => {
            const row = expected[i]!;
            const key = group.key;
            groups.forEach((g, d) => {
              const want = row[`d${d}`] ?? null;
              const text = want === null ? null : String(want);
              if ("device" in g) expect(key.deviceId).toBe(text);
              else if ("contributor" in g) expect(key.userId).toBe(text);
              else if ("experiment" in g) expect(key.experimentId).toBe(text);
              else if ("question" in g) expect(key[g.question]).toBe(text);
              else if ("time" in g) {
                expect(key.timeLocal).toBe(text === null ? null : text.slice(0, 19));
                const instant = row[`t${d}`];
                expect(key.time === null ? null : new Date(key.time as string).getTime() / 1000).toBe(
                  instant == null ? null : Number(instant),
                );
              } else {
                const v = key[g.field];
                expect(v === null ? null : String(v)).toBe(text);
              }
            });
            expect(group.count).toBe(Number(row.n));
            for (const m of MEASURE_FIELDS) {
              for (const fn of FUNCTIONS) {
                const gv = group[fn][m] ?? null;
                if (isExact(fn, m)) {
                  // Exact: the same digits.
                  const want = row[`${fn}_${m}`] ?? null;
                  expect(gv === null ? null : String(gv), `${fn}(${m}) group ${i}`).toBe(
                    want === null ? null : String(want),
                  );
                  continue;
                }
                const rv = num(row[`${fn}_${m}`]);
                if (!close(gv as number | null, rv)) throw new Error(`${fn}(${m}) group ${i}: ${gv} ≠ ${rv}`);
              }
            }
            for (const c of ["corr", "corrBig"] as const) {
              const rv = num(row[c]);
              if (!close(group[c], rv)) throw new Error(`${c} group ${i}: ${group[c]} ≠ ${rv}`);
            }
          });
        },
      ),
      { seed: 5503, numRuns: 100, endOnFailure: true },
    );
  });
});

// ---- distinct ---------------------------------------------------------------------------------------------------

const DISTINCT = `query($field: TypedMeasurementField!, $first: Int, $where: TypedMeasurementWhere, $experimentIds: [ID!]) {
  typedDistinct(field: $field, first: $first, where: $where, experimentIds: $experimentIds) { values { value count } hasMore totalCount }
}`;

suite("differential: distinct values", () => {
  it("distinct values with counts equal the reference SQL (one statement each)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TYPED_SORT_FIELDS),
        fc.integer({ min: 1, max: 12 }),
        fc.option(whereArb(typedLeafArb), { nil: undefined }),
        viewerArb,
        async (field, first, where, viewer) => {
          const ids = readableBy(fixture.experiments, viewer);
          const expr = typedRef.fields[field]!.sql;
          const base = `FROM centrum.experiment_macro_data
             WHERE macro_filename = 'macro_typed' AND macro_error IS NULL AND experiment_id IN ${inList(ids)}
               AND (${wherePredicate(typedRef, where)})`;
          const expected = await reference(
            `SELECT ${expr} AS v, count(*) AS n ${base} GROUP BY 1 ORDER BY n DESC, v ASC NULLS LAST LIMIT ${first}`,
          );
          const [{ total }] = (await reference(
            `SELECT count(DISTINCT coalesce(CAST(${expr} AS VARCHAR), chr(0))) AS total ${base}`,
          )) as [{ total: bigint }];
          const result = await fixture.run(DISTINCT, { field, first, where }, viewer);
          expect(result.statements).toBe(1);
          const got = dataOf(result).typedDistinct;
          expect(got.totalCount).toBe(Number(total));
          expect(got.hasMore).toBe(Number(total) > first);
          expect(
            got.values.map((v: { value: unknown; count: number }) => [
              v.value === null ? null : String(v.value),
              v.count,
            ]),
          ).toEqual(expected.map((r) => [r.v === null ? null : String(r.v), Number(r.n)]));
        },
      ),
      { seed: 5504, numRuns: 60, endOnFailure: true },
    );
  });
});

for (const shape of TABLE_SHAPES) {
  describe(`in the ${shape} table shape`, () => {
    beforeAll(() => openShape(shape));
    afterAll(async () => {
      await fixture?.close();
    });
    for (const [name, body] of suites) describe(name, body);
  });
}
