/**
 * The pure compilers without a lakehouse: field catalog naming, where/orderBy/aggregate/distinct → Sql in both
 * dialects (values bound, Databricks text parseable), normalization for cursor signatures, and input errors.
 */
import { printSchema, validateSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { buildMacroTypeModels, type MacroTypeModel } from "../../codegen/macro-type-model.js";
import { DatabricksDialect } from "../../lakehouse/databricks/databricks-dialect.js";
import { DuckDbDialect } from "../../lakehouse/duckdb/duckdb-dialect.js";
import { render, type Sql, sql } from "../../lakehouse/sql.js";
import { BadUserInputError } from "../../resolvers/errors.js";
import { compileAggregate } from "../../resolvers/measurements/compile-aggregate.js";
import { compileDistinct } from "../../resolvers/measurements/compile-distinct.js";
import { compileOrderBy } from "../../resolvers/measurements/compile-order-by.js";
import { compileWhere, MAX_WHERE_DEPTH, type WhereArgs } from "../../resolvers/measurements/compile-where.js";
import { measurementQuerySource, sampleQuerySource } from "../../resolvers/measurements/query-fields.js";
import { bucketTime } from "../../resolvers/values/time-zones.js";
import { GatewaySchemaBuilder } from "../../schema/build-schema.js";
import { assertDatabricksSyntax } from "../support/databricks-syntax.js";
import { HOSTILE_SCHEMA, TYPED_SCHEMA } from "./support/query-fixture.js";

/** One builder, as the runtime has: it keeps the previous catalog's types for the next build. */
const schemas = new GatewaySchemaBuilder();

function model(schema: string, filename = "macro_probe"): MacroTypeModel {
  const { macros } = buildMacroTypeModels([
    { experimentId: "e1", macroName: "Probe", macroFilename: filename, outputSchema: schema },
  ]);
  return macros[0]!;
}

const typed = measurementQuerySource(model(TYPED_SCHEMA, "macro_typed"));
const duckdb = new DuckDbDialect();
const databricks = new DatabricksDialect({ catalog: "main", schema: "centrum" });

/** Renders `SELECT 1 FROM <source> WHERE <predicate>` in both dialects; checks the Databricks syntax. */
function renderWhere(predicate: Sql | null) {
  const statement = sql`SELECT 1 FROM ${typed.from} WHERE ${predicate ?? sql`TRUE`}`;
  const d = render(statement, databricks);
  expect(assertDatabricksSyntax(d.text)).toEqual(d.params.map((p) => `:${p.name}`));
  return { duckdb: render(statement, duckdb), databricks: d };
}

describe("field catalog", () => {
  it("lists base columns and scalar output leaves; skips lists, JSON and fields inside lists", () => {
    expect(typed.fields.map((f) => f.name)).toEqual([
      "rowId",
      "experimentId",
      "deviceId",
      "userId",
      "timestamp",
      "at",
      "big",
      "count",
      "day",
      "flag",
      "label",
      "meta_depth",
      "meta_tag",
      "score",
      "userId_2",
    ]);
    expect(typed.byName.get("count")!.scalar).toBe("Int");
    expect(typed.byName.get("big")!.paramType).toBe("bigint");
    expect(typed.byName.get("meta_depth")!.path).toEqual(["meta", "depth"]);
  });

  it("renames where entries and enum values that would collide, deterministically", () => {
    const m = model(
      "OBJECT<_and: INT, a: OBJECT<b: DOUBLE>, a_b: DOUBLE, question: STRING, `true`: BOOLEAN, userId: STRING>",
    );
    const source = measurementQuerySource(m);
    expect([...source.where.keys()].sort()).toEqual(
      [
        "_and_2",
        "a",
        "a_b",
        "deviceId",
        "experimentId",
        "rowId",
        "question_2",
        "timestamp",
        "true",
        "userId",
        "userId_2",
      ].sort(),
    );
    expect(source.fields.map((f) => f.name)).toEqual([
      "rowId",
      "experimentId",
      "deviceId",
      "userId",
      "timestamp",
      "_and",
      "a_b",
      "a_b_2",
      "question",
      "true_",
      "userId_2",
    ]);
  });

  it("samples have base columns only", () => {
    expect(sampleQuerySource().fields.map((f) => f.name)).toEqual([
      "rowId",
      "deviceId",
      "userId",
      "timestamp",
      "processedTimestamp",
    ]);
  });

  it("hostile keys become valid names and keep their paths", () => {
    const source = measurementQuerySource(model(HOSTILE_SCHEMA, "macro_hostile"));
    const paths = Object.fromEntries(
      source.fields.filter((f) => f.origin === "output").map((f) => [f.name, f.path[0]]),
    );
    expect(paths).toEqual({
      PSII: "ΦPSII",
      _1st: "1st",
      _empty: "",
      a_b: "a`b",
      drop_table: "'; drop table",
      typename_: "__typename",
      x_y: "x.y",
    });
  });
});

describe("compileWhere", () => {
  it("binds every value and parses in Databricks", () => {
    const hostile = "'; drop table x; --";
    const { duckdb: d, databricks: b } = renderWhere(
      compileWhere(typed, {
        label: { eq: hostile, contains: hostile, startsWith: hostile, in: [hostile], nin: [] },
        big: { gt: "9223372036854775807" },
        day: { lt: "2026-01-01" },
        at: { gte: new Date("2026-01-01T00:00:00Z") },
        flag: { eq: false },
        meta: { depth: { lte: 1.5 } },
        question: { label: hostile, in: [hostile] },
        hasAnnotation: { type: "flag", flagType: "outlier" },
        _or: [{ rowId: { eq: "9223372036854775807" } }, { _not: { userId: { isNull: true } } }],
      }).predicate,
    );
    for (const text of [d.text, b.text]) expect(text).not.toContain("drop table");
    expect(d.params.filter((p) => p.value === hostile)).toHaveLength(6);
    expect(d.params.find((p) => p.type === "bigint" && p.value === 9223372036854775807n)).toBeDefined();
    expect(d.text).toContain("CAST($p");
  });

  it("normalizes: the same where in another key order has the same signature", () => {
    const a = compileWhere(typed, { score: { gt: 1, lt: 2 }, label: { eq: "x" } });
    const b = compileWhere(typed, { label: { eq: "x" }, score: { lt: 2, gt: 1 } });
    expect(JSON.stringify(a.normalized)).toBe(JSON.stringify(b.normalized));
    expect(JSON.stringify(compileWhere(typed, { score: { gt: 1 } }).normalized)).not.toBe(
      JSON.stringify(a.normalized),
    );
  });

  it("empty inputs match everything; `_or: []` nothing", () => {
    expect(compileWhere(typed, null).predicate).toBeNull();
    expect(compileWhere(typed, {}).predicate).toBeNull();
    expect(compileWhere(typed, { score: {} }).predicate).toBeNull();
    expect(render(compileWhere(typed, { _or: [] }).predicate!, duckdb).text).toBe("FALSE");
    expect(compileWhere(typed, { _or: [{}, { score: { gt: 1 } }] }).predicate).toBeNull();
    expect(render(compileWhere(typed, { label: { in: [] } }).predicate!, duckdb).text).toBe("FALSE");
  });

  const bad: [string, WhereArgs, RegExp][] = [
    ["unknown field", { nope: { eq: 1 } }, /not a filterable field/],
    ["operator of another type", { label: { gt: "a" } }, /String fields take `eq`, `neq`/],
    ["boolean in-list", { flag: { in: [true] } }, /Boolean fields take `eq`, `isNull`/],
    ["value of another type", { score: { eq: "high" } }, /must be a finite number/],
    ["out-of-range 64-bit", { big: { eq: "9223372036854775808" } }, /64-bit integer/],
    ["bad date", { day: { eq: "01/02/2026" } }, /YYYY-MM-DD/],
    ["null operator", { score: { gt: null } }, /isNull: true/],
    ["long in-list", { count: { in: Array.from({ length: 1001 }, (_, i) => i) } }, /at most 1000/],
    ["question eq and in", { question: { label: "plot", eq: "A", in: ["B"] } }, /either `eq` or `in`/],
    ["annotation type", { hasAnnotation: { type: "bogus" as never } }, /not an annotation type/],
  ];
  for (const [name, where, message] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => compileWhere(typed, where)).toThrow(BadUserInputError);
      expect(() => compileWhere(typed, where)).toThrow(message);
    });
  }

  it("rejects a where nested too deeply or with too many conditions", () => {
    let deep: WhereArgs = { score: { gt: 1 } };
    for (let i = 0; i <= MAX_WHERE_DEPTH; i++) deep = { _not: deep };
    expect(() => compileWhere(typed, deep)).toThrow(/nests deeper/);
    const wide = { _and: Array.from({ length: 501 }, () => ({ score: { gt: 1 } })) };
    expect(() => compileWhere(typed, wide)).toThrow(/more than 500 conditions/);
  });
});

describe("compileOrderBy", () => {
  it("sort keys default to ASC NULLS LAST and carry the field's type", () => {
    const { keys, normalized } = compileOrderBy(typed, [
      { field: "big", direction: "DESC" },
      { field: "meta_tag" },
    ]);
    expect(keys!.map((k) => [k.alias, k.direction, k.nulls, k.type, k.nullable])).toEqual([
      ["__s0", "DESC", "LAST", "bigint", true],
      ["__s1", "ASC", "LAST", "string", true],
    ]);
    expect(normalized).toEqual([
      ["big", "DESC", "LAST"],
      ["meta_tag", "ASC", "LAST"],
    ]);
    expect(compileOrderBy(typed, []).keys).toBeUndefined();
  });

  it("rejects unknown and repeated fields", () => {
    expect(() => compileOrderBy(typed, [{ field: "tags" }])).toThrow(/not sortable/);
    expect(() => compileOrderBy(typed, [{ field: "score" }, { field: "score", direction: "DESC" }])).toThrow(
      /twice/,
    );
  });
});

describe("compileAggregate and compileDistinct", () => {
  it("build one parseable statement in both dialects", () => {
    const aggregate = compileAggregate({
      source: typed,
      filters: [sql`macro_filename = ${"macro_typed"}`],
      groupBy: [
        { device: true },
        { contributor: true },
        { question: "plot" },
        { time: "timestamp" },
        { field: "flag" },
      ],
      timeBucket: "week",
      timeZone: "Asia/Kolkata",
      measures: [
        { fn: "sum", field: "count" },
        { fn: "avg", field: "score" },
        { fn: "variance", field: "big" },
        { fn: "corr", a: "score", b: "meta_depth" },
      ],
    });
    const distinct = compileDistinct({
      source: typed,
      filters: [],
      field: "userId",
      first: 10,
      withTotal: true,
    });
    for (const statement of [aggregate.statement, distinct.statement]) {
      const b = render(statement, databricks);
      expect(assertDatabricksSyntax(b.text)).toEqual(b.params.map((p) => `:${p.name}`));
    }
    const text = render(aggregate.statement, duckdb).text;
    expect(text).toContain('CAST(TRY_CAST("m"."macro_output"[\'count\'] AS BIGINT) AS DOUBLE)');
    expect(text).toContain("date_trunc('week'");
    expect(text).toMatch(/LIMIT \$p\d+$/);
  });

  it("without groupBy there is one group and no LIMIT", () => {
    const { statement } = compileAggregate({ source: typed, filters: [], measures: [] });
    expect(render(statement, duckdb).text).toBe(
      'SELECT count(*) AS "__count" FROM (SELECT 1 AS "__one" FROM "centrum"."experiment_macro_data" AS "m" WHERE TRUE) AS "q"',
    );
  });

  it("orders and limits groups in the one statement, every value bound", () => {
    const { statement, measures } = compileAggregate({
      source: typed,
      filters: [],
      groupBy: [{ device: true }, { question: "plot" }],
      measures: [{ fn: "avg", field: "score" }],
      orderBy: [
        { measure: { fn: "max", field: "big" }, direction: "DESC" },
        { measure: { fn: "avg", field: "score" }, nulls: "FIRST" },
        { key: { question: "plot" }, direction: "DESC" },
        { count: true },
      ],
      limit: 7,
      offset: 3,
    });
    // The selected avg and the order's avg are one column; the order's max is computed though not selected.
    expect([...measures]).toEqual([
      ["avg:score", "a0"],
      ["max:big", "a1"],
    ]);
    const d = render(statement, duckdb);
    expect(d.text).toContain(
      'ORDER BY "a1" DESC NULLS LAST, "a0" ASC NULLS FIRST, "g1" DESC NULLS LAST, "__count" ASC NULLS LAST, "g0" ASC NULLS LAST LIMIT $p',
    );
    expect(d.text).toMatch(/LIMIT \$p\d+ OFFSET \$p\d+$/);
    expect(d.text).toContain('sum(count(*)) OVER () AS "__rows"');
    expect(d.params.slice(-2).map((p) => p.value)).toEqual([7, 3]);
    const b = render(statement, databricks);
    expect(assertDatabricksSyntax(b.text)).toEqual(b.params.map((p) => `:${p.name}`));
    expect(b.text).toMatch(/LIMIT :p\d+ OFFSET :p\d+$/);
  });

  it("a window without groupBy can still leave the one group out; no order is needed", () => {
    const { statement } = compileAggregate({ source: typed, filters: [], measures: [], limit: 1, offset: 1 });
    expect(render(statement, duckdb).text).toBe(
      'SELECT count(*) AS "__count", sum(count(*)) OVER () AS "__rows" FROM (SELECT 1 AS "__one" FROM "centrum"."experiment_macro_data" AS "m" WHERE TRUE) AS "q" LIMIT $p1 OFFSET $p2',
    );
  });

  it("group order and window errors are BAD_USER_INPUT", () => {
    const aggregate = (extra: Partial<Parameters<typeof compileAggregate>[0]>) => () =>
      compileAggregate({ source: typed, filters: [], groupBy: [{ device: true }], measures: [], ...extra });
    expect(aggregate({ orderBy: [{}] })).toThrow(/exactly one of key, count, measure/);
    expect(aggregate({ orderBy: [{ count: true, measure: { fn: "sum", field: "score" } }] })).toThrow(
      /exactly one of key, count, measure/,
    );
    expect(aggregate({ orderBy: [{ key: { time: "timestamp" } }] })).toThrow(/not one of this aggregate/);
    expect(aggregate({ orderBy: [{ measure: { fn: "sum", field: "label" } }] })).toThrow(/label is String/);
    expect(aggregate({ orderBy: [{ measure: { fn: "cumsum" as "sum", field: "score" } }] })).toThrow(
      /must be one of sum, avg/,
    );
    expect(aggregate({ orderBy: [{ count: true, direction: "UP" as "ASC" }] })).toThrow(/ASC or DESC/);
    expect(aggregate({ limit: 11, maxGroups: 10 })).toThrow(/`limit` must be between 1 and 10/);
    expect(aggregate({ limit: 1.5 })).toThrow(/`limit` must be between 1 and 10,000/);
    expect(aggregate({ offset: 10_001 })).toThrow(/`offset` must be between 0 and 10,000/);
    expect(aggregate({ orderBy: [{}] })).toThrow(BadUserInputError);
  });

  it("distinct `first` is 1…1000", () => {
    expect(() =>
      compileDistinct({ source: typed, filters: [], field: "label", first: 0, withTotal: false }),
    ).toThrow(/between 1 and 1000/);
    expect(() => compileDistinct({ source: typed, filters: [], field: "tags", withTotal: false })).toThrow(
      /not a field/,
    );
  });
});

describe("bucketTime", () => {
  it("turns a local bucket start into its instant, across daylight saving changes", () => {
    expect(bucketTime("2026-03-29T00:00:00.000000Z", "Europe/Amsterdam")).toEqual({
      instant: "2026-03-28T23:00:00.000Z",
      local: "2026-03-29T00:00:00",
    });
    expect(bucketTime("2026-03-30T00:00:00.000000Z", "Europe/Amsterdam").instant).toBe(
      "2026-03-29T22:00:00.000Z",
    );
    expect(bucketTime("2026-01-01T00:00:00.000000Z", "Asia/Kolkata").instant).toBe(
      "2025-12-31T18:30:00.000Z",
    );
    expect(bucketTime("2026-01-01T00:00:00.000000Z", "UTC").instant).toBe("2026-01-01T00:00:00.000Z");
  });
});

describe("generated schema", () => {
  it("builds valid types for macros without fields, without numbers, and with awkward keys", () => {
    const entry = (macroFilename: string, outputSchema: string) => ({
      experimentId: "e1",
      macroName: macroFilename,
      macroFilename,
      outputSchema,
    });
    const { schema } = schemas.build({
      version: "t",
      catalog: [
        entry("macro_void", "VOID"),
        entry("macro_text", "OBJECT<note: STRING, tags: ARRAY<STRING>>"),
        entry("macro_keys", "OBJECT<_and: INT, `false`: BOOLEAN, question: STRING, userId: STRING>"),
      ],
    });
    expect(validateSchema(schema)).toEqual([]);
    const sdl = printSchema(schema);
    // No numeric field: groups have a key, a count and distinct counts, nothing to sum.
    expect(sdl).toMatch(
      /type TextMeasurementAggregateGroup \{\n {2}count: Int!\n\n[^}]*countDistinct: TextMeasurementCountDistinct!\n {2}key: TextMeasurementGroupKey!\n\}/,
    );
    expect(sdl).not.toContain("TextMeasurementNumericAggregates");
    expect(sdl).toContain("VoidMeasurementWhere");
    // Output keys that collide with the where controls are renamed there; `false` is renamed in the enum.
    expect(sdl).toMatch(
      /input KeysMeasurementWhere \{[^}]*_and_2: IntFilter[^}]*question_2: StringFilter[^}]*userId_2: StringFilter/s,
    );
    expect(sdl).toMatch(/enum KeysMeasurementField \{[^}]*\bfalse_\b/s);
  });
});
