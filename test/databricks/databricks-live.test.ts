/**
 * Reference statements against a real Databricks SQL warehouse. Runs only when DATABRICKS_HOST,
 * DATABRICKS_HTTP_PATH and DATABRICKS_TOKEN (or DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET) are set;
 * DATABRICKS_CATALOG / DATABRICKS_SCHEMA pick the centrum schema (defaults main / centrum) and TABLE_SHAPE its
 * table shape (`centrum` or openJII's production `openjii`, `lakehouse/table-shapes.ts`).
 *
 * Beside the reference statements, every golden query (`test/fixtures/queries/*.graphql`) is run through the real
 * schema on the embedded fixture and each statement it sent is sent to the warehouse as well: the warehouse's own
 * analyzer settles that it accepts them (rows need not match: the warehouse holds other data).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabricksDialect } from "../../lakehouse/databricks/databricks-dialect.js";
import {
  createDatabricksLakehouse,
  type DatabricksLakehouse,
} from "../../lakehouse/databricks/databricks-lakehouse.js";
import { LakehouseError } from "../../lakehouse/errors.js";
import { dialectSql, param, sql } from "../../lakehouse/sql.js";
import { TABLE_SHAPES, type TableShape } from "../../lakehouse/table-shapes.js";
import { experimentMacrosCatalogSource } from "../../resolvers/catalog/experiment-macros-catalog-source.js";
import { tableMetadataCatalogSource } from "../../resolvers/catalog/table-metadata-catalog-source.js";
import { RecordingLakehouse } from "../golden/recording-lakehouse.js";
import { MARIA, openQueryFixture, type QueryFixture } from "../query-language/support/query-fixture.js";

const env = process.env;
const hasAuth = Boolean(env.DATABRICKS_TOKEN || (env.DATABRICKS_CLIENT_ID && env.DATABRICKS_CLIENT_SECRET));
const configured = Boolean(env.DATABRICKS_HOST && env.DATABRICKS_HTTP_PATH && hasAuth);
const shape: TableShape = (TABLE_SHAPES as readonly string[]).includes(env.TABLE_SHAPE ?? "")
  ? (env.TABLE_SHAPE as TableShape)
  : "centrum";
const QUERIES = join(import.meta.dirname, "..", "fixtures", "queries");
const GOLDEN = readdirSync(QUERIES)
  .filter((f) => f.endsWith(".graphql"))
  .map((f) => f.slice(0, -".graphql".length))
  .sort();

if (!configured) {
  console.info(
    "[databricks-live] skipped: no warehouse configured (set DATABRICKS_HOST, DATABRICKS_HTTP_PATH and " +
      "DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET, to run these tests).",
  );
}

/** A golden case's variables, `$public` & co. standing for the fixture's first such experiment. */
function variablesOf(name: string, fixture: QueryFixture): Record<string, unknown> {
  const path = join(QUERIES, `${name}.variables.json`);
  if (!existsSync(path)) return {};
  const pick: Record<string, (e: QueryFixture["experiments"][number]) => boolean> = {
    $public: (e) => e.visibility === "public" && !e.anonymize,
    $private: (e) => e.visibility === "private",
    $anonymized: (e) => e.anonymize,
  };
  return JSON.parse(readFileSync(path, "utf8"), (_k, v) =>
    typeof v === "string" && pick[v] ? fixture.experiments.find(pick[v])?.id : v,
  );
}

describe.skipIf(!configured)("Databricks live warehouse", () => {
  let lakehouse: DatabricksLakehouse;

  beforeAll(() => {
    lakehouse = createDatabricksLakehouse({
      host: env.DATABRICKS_HOST!,
      httpPath: env.DATABRICKS_HTTP_PATH!,
      token: env.DATABRICKS_TOKEN || undefined,
      clientId: env.DATABRICKS_CLIENT_ID || undefined,
      clientSecret: env.DATABRICKS_CLIENT_SECRET || undefined,
      catalog: env.DATABRICKS_CATALOG || "main",
      schema: env.DATABRICKS_SCHEMA || "centrum",
      statementTimeoutSeconds: Number(env.DATABRICKS_STATEMENT_TIMEOUT_S || 120),
      shape,
    });
  });

  afterAll(async () => {
    await lakehouse?.close();
  });

  it("answers SELECT 1 (waking the warehouse if it is stopped)", { timeout: 600_000 }, async () => {
    expect(await lakehouse.query(sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    expect(await lakehouse.health()).toEqual({ ok: true, detail: "databricks ok" });
  });

  it("binds 64-bit ids and microsecond timestamps exactly", async () => {
    const [row] = await lakehouse.query(
      sql`SELECT ${2n ** 63n - 1n} AS id, ${param("2026-01-02T03:04:05.123456Z", "timestamp")} AS ts, ${param("2026-01-02", "date")} AS day`,
    );
    expect(row).toEqual({ id: 2n ** 63n - 1n, ts: "2026-01-02T03:04:05.123456Z", day: "2026-01-02" });
  });

  it("accepts LIMIT and OFFSET parameters (bound as INTEGER)", async () => {
    const rows = await lakehouse.query(
      sql`SELECT id FROM (SELECT explode(sequence(1, 5)) AS id) AS t ORDER BY id LIMIT ${2} OFFSET ${1}`,
    );
    expect(rows).toEqual([{ id: 2 }, { id: 3 }]);
  });

  it("round-trips a list of structs with a microsecond timestamp and a 64-bit count", async () => {
    const list = sql`array(named_struct('at', ${param("2026-01-02T03:04:05.123456Z", "timestamp")}, 'n', ${2n ** 62n + 1n}, 'note', ${'say "hi"'}))`;
    const type = { list: { struct: { at: "timestamp", n: "bigint" } } } as const;
    const [row] = await lakehouse.query(sql`SELECT ${dialectSql((d) => d.complexColumn(list, type, "xs"))}`);
    expect(row).toEqual({ xs: [{ at: "2026-01-02T03:04:05.123456Z", n: 2n ** 62n + 1n, note: 'say "hi"' }] });
  });

  it("accepts SELECT 1 with a LIMIT parameter", async () => {
    expect(await lakehouse.query(sql`SELECT 1 AS one LIMIT ${1}`)).toEqual([{ one: 1 }]);
  });

  it(`reads the catalog (${shape === "openjii" ? "experiment_table_metadata" : "experiment_macros"})`, async () => {
    const source = shape === "openjii" ? tableMetadataCatalogSource : experimentMacrosCatalogSource;
    const entries = await source.read(lakehouse);
    for (const e of entries) {
      expect(typeof e.sampleCount).toBe("bigint");
      expect(e.macroFilename).not.toBe("");
    }
  });

  it("turns a questions_data object into question structs", async () => {
    const d = lakehouse.dialect;
    const questions = d.questionsFromObject(
      sql`parse_json(${JSON.stringify({ plot: "A", dose: 2.5, none: null })})`,
    );
    const type = { list: { struct: { question_label: "string", question_answer: "string" } } } as const;
    const [row] = await lakehouse.query(
      sql`SELECT ${dialectSql((x) => x.complexColumn(questions, type, "qs"))}`,
    );
    const byLabel = Object.fromEntries(
      (row!.qs as { question_label: string; question_answer: string | null }[]).map((q) => [
        q.question_label,
        q.question_answer,
      ]),
    );
    expect(byLabel).toEqual({ plot: "A", dose: "2.5", none: null });
  });

  it("reads typed answers from question text and from a questions_data object (both shapes)", async () => {
    const d = lakehouse.dialect;
    const text = (label: string, answer: string | null) =>
      sql`named_struct('question_label', ${label}, 'question_text', CAST(NULL AS STRING), 'question_answer', ${param(answer, "string")})`;
    const rows = sql`SELECT array(${text("leaf count", "3")}, ${text("1st visit?", "yes")}, ${text("height", "n/a")}) AS questions,
  parse_json(${JSON.stringify({ "leaf count": 3, "1st visit?": true, height: "n/a" })}) AS questions_data`;
    const read = (shape: TableShape, label: string, type: "bigint" | "boolean" | "double") => {
      const { column, path } = new DatabricksDialect({ shape }).questionAnswerSource("m", label);
      return d.variantGet(column, path, type);
    };
    const [row] = await lakehouse.query(sql`SELECT
  ${read("centrum", "leaf count", "bigint")} AS c_leaf, ${read("centrum", "1st visit?", "boolean")} AS c_visit,
  ${read("centrum", "height", "double")} AS c_height, ${read("centrum", "missing", "double")} AS c_missing,
  ${read("openjii", "leaf count", "bigint")} AS o_leaf, ${read("openjii", "1st visit?", "boolean")} AS o_visit,
  ${read("openjii", "height", "double")} AS o_height, ${read("openjii", "missing", "double")} AS o_missing
FROM (${rows}) AS m`);
    expect(row).toEqual({
      c_leaf: 3n,
      c_visit: true,
      c_height: null,
      c_missing: null,
      o_leaf: 3n,
      o_visit: true,
      o_height: null,
      o_missing: null,
    });
  });

  describe("every golden query's statements", () => {
    let fixture: QueryFixture;
    beforeAll(async () => {
      fixture = await openQueryFixture();
    }, 120_000);
    afterAll(async () => {
      await fixture?.close();
    });

    for (const name of GOLDEN) {
      it(name, { timeout: 300_000 }, async () => {
        const query = readFileSync(join(QUERIES, `${name}.graphql`), "utf8");
        const variables = variablesOf(name, fixture);
        const recorder = new RecordingLakehouse(fixture.lakehouse);
        const result = await fixture.run(query, variables, MARIA, recorder);
        expect(result.errors).toEqual([]);
        expect(recorder.statementsSeen.length).toBeGreaterThan(0);
        for (const statement of recorder.statementsSeen) await lakehouse.query(statement);
      });
    }

    it("a page ordered by userId (anonymization in the sort)", async () => {
      const recorder = new RecordingLakehouse(fixture.lakehouse);
      const result = await fixture.run(
        "{ typed(first: 5, orderBy: [{ field: userId }]) { edges { node { rowId userId } } } }",
        {},
        MARIA,
        recorder,
      );
      expect(result.errors).toEqual([]);
      for (const statement of recorder.statementsSeen) await lakehouse.query(statement);
    });
  });

  it("reads VARIANT paths with any key through try_variant_get", async () => {
    const doc = JSON.stringify({
      "Light Intensity (PAR)": 812.5,
      "it's": 1,
      '"quoted"': 2,
      "back\\slash": 3,
      "x.y": 4,
      "a.b?": 5,
      "": 6,
      "line\nbreak": 7,
      nested: { "a`b": 8 },
      text: "not a number",
    });
    const v = sql`parse_json(${doc})`;
    const d = lakehouse.dialect;
    const [row] = await lakehouse.query(sql`SELECT
  ${d.variantGet(v, ["Light Intensity (PAR)"], "double")} AS par,
  ${d.variantGet(v, ["it's"], "double")} AS quote1,
  ${d.variantGet(v, ['"quoted"'], "double")} AS quote2,
  ${d.variantGet(v, ["back\\slash"], "double")} AS backslash,
  ${d.variantGet(v, ["x.y"], "double")} AS dotted,
  ${d.variantGet(v, ["a.b?"], "double")} AS unspellable,
  ${d.variantGet(v, [""], "double")} AS empty_key,
  ${d.variantGet(v, ["line\nbreak"], "double")} AS newline,
  ${d.variantGet(v, ["nested", "a`b"], "double")} AS nested,
  ${d.variantGet(v, ["text"], "double")} AS malformed,
  ${d.variantJson(v, ["nested"])} AS nested_json`);
    expect(row).toEqual({
      par: 812.5,
      quote1: 1,
      quote2: 2,
      backslash: 3,
      dotted: 4,
      unspellable: 5,
      empty_key: 6,
      newline: 7,
      nested: 8,
      malformed: null,
      nested_json: '{"a`b":8}',
    });
  });

  it("maps INVALID_VARIANT_CAST to LAKEHOUSE_ERROR", async () => {
    const error = await lakehouse
      .query(sql`SELECT variant_get(parse_json(${'"abc"'}), '$', 'double') AS v`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LakehouseError);
    expect((error as LakehouseError).code).toBe("LAKEHOUSE_ERROR");
    expect((error as LakehouseError).message).toContain("INVALID_VARIANT_CAST");
  });
});
