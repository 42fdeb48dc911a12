/**
 * Golden SQL: every `test/fixtures/queries/<case>.graphql` runs through the real schema over the real embedded
 * lakehouse (the query-language fixture data); the statements it sends are rendered in both dialects and compared
 * with `<case>.duckdb.sql` and `<case>.databricks.sql`. Every Databricks statement is syntax-checked offline and its
 * parameter markers must be exactly the bound parameters.
 *
 * A comment line `# viewer: anonymous|maria|olivia` picks the viewer (default maria); `<case>.variables.json`, when
 * present, holds the variables; in them `"$public"`, `"$private"` and `"$anonymized"` stand for the first such
 * experiment of the demo data. `UPDATE_FIXTURES=1 npx vitest run test/golden` rewrites the SQL files.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabricksDialect } from "../../lakehouse/databricks/databricks-dialect.js";
import type { Dialect } from "../../lakehouse/dialect.js";
import { DuckDbDialect } from "../../lakehouse/duckdb/duckdb-dialect.js";
import { type BoundParam, render, type Sql } from "../../lakehouse/sql.js";
import {
  ANONYMOUS,
  type ExperimentInfo,
  MARIA,
  OLIVIA,
  openQueryFixture,
  type QueryFixture,
} from "../query-language/support/query-fixture.js";
import { assertDatabricksSyntax } from "../support/databricks-syntax.js";
import { expectWarehouseAccepts } from "../support/spark-analysis.js";
import { RecordingLakehouse } from "./recording-lakehouse.js";

const DIR = join(import.meta.dirname, "..", "fixtures", "queries");
const UPDATE = process.env.UPDATE_FIXTURES === "1";
const VIEWERS = { anonymous: ANONYMOUS, maria: MARIA, olivia: OLIVIA } as const;

const cases = readdirSync(DIR)
  .filter((f) => f.endsWith(".graphql"))
  .map((f) => f.slice(0, -".graphql".length))
  .sort();

let fixture: QueryFixture;

beforeAll(async () => {
  fixture = await openQueryFixture();
});

afterAll(async () => {
  await fixture?.close();
});

/** `$public`, `$private`, `$anonymized` → the first such experiment's id (by id). */
function experimentRef(value: string): string {
  const pick = {
    $public: (e: ExperimentInfo) => e.visibility === "public" && !e.anonymize,
    $private: (e: ExperimentInfo) => e.visibility === "private",
    $anonymized: (e: ExperimentInfo) => e.anonymize,
  }[value];
  if (!pick) return value;
  const experiment = fixture.experiments.find(pick);
  if (!experiment) throw new Error(`no experiment for ${value}`);
  return experiment.id;
}

function paramText(p: BoundParam): string {
  const value = typeof p.value === "bigint" ? `${p.value}n` : JSON.stringify(p.value);
  return `${p.name} = ${value} (${p.type})`;
}

/** The file text for a list of statements in one dialect; statements end with `;`, params in a comment above. */
function renderAll(statements: readonly Sql[], dialect: Dialect, check: boolean): string {
  const parts = statements.map((statement, i) => {
    const { text, params } = render(statement, dialect);
    if (check) {
      expect(assertDatabricksSyntax(text)).toEqual(params.map((p) => `:${p.name}`));
      expectWarehouseAccepts(text, params);
    }
    const header = [`-- statement ${i + 1} of ${statements.length}`];
    if (params.length) header.push(`-- params: ${params.map(paramText).join(", ")}`);
    return `${header.join("\n")}\n${text};\n`;
  });
  return parts.join("\n");
}

function compare(file: string, actual: string): void {
  const path = join(DIR, file);
  if (UPDATE) mkdirSync(dirname(path), { recursive: true });
  if (UPDATE) {
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `${file} is missing; run with UPDATE_FIXTURES=1 to record it`).toBe(true);
  expect(actual, `${file} differs; rerun with UPDATE_FIXTURES=1 and review the diff`).toBe(
    readFileSync(path, "utf8"),
  );
}

/** A case's document, viewer and variables (`$public` & co. resolved against the centrum fixture's experiments). */
function readCase(name: string) {
  const query = readFileSync(join(DIR, `${name}.graphql`), "utf8");
  const viewerName = /^# viewer: (\w+)/m.exec(query)?.[1] ?? "maria";
  const viewer = VIEWERS[viewerName as keyof typeof VIEWERS];
  expect(viewer, `unknown viewer ${viewerName}`).toBeDefined();
  const variablesPath = join(DIR, `${name}.variables.json`);
  const variables = existsSync(variablesPath)
    ? JSON.parse(readFileSync(variablesPath, "utf8"), (_k, v) =>
        typeof v === "string" ? experimentRef(v) : v,
      )
    : {};
  return { query, viewer, variables };
}

describe("golden SQL fixtures", () => {
  it("has fixtures", () => {
    expect(cases.length).toBeGreaterThan(10);
  });

  for (const name of cases) {
    it(name, async () => {
      const { query, viewer, variables } = readCase(name);
      const recorder = new RecordingLakehouse(fixture.lakehouse);
      const result = await fixture.run(query, variables, viewer, recorder);
      expect(result.errors).toEqual([]);
      expect(recorder.statementsSeen.length).toBe(result.statements);
      const expectedCount = /^# statements: (\d+)/m.exec(query)?.[1];
      if (expectedCount) expect(result.statements).toBe(Number(expectedCount));
      compare(`${name}.duckdb.sql`, renderAll(recorder.statementsSeen, new DuckDbDialect(), false));
      compare(
        `${name}.databricks.sql`,
        renderAll(
          recorder.statementsSeen,
          new DatabricksDialect({ catalog: "main", schema: "centrum" }),
          true,
        ),
      );
    });
  }
});

/**
 * The same cases over openJII's production table shape (`lakehouse/table-shapes.ts`): the same data converted into
 * the pipeline's tables gives the same answers with the same number of statements, and the statements a production
 * warehouse receives (`openjii/<case>.databricks.sql`) parse and pass the analyzer rules.
 */
describe("golden SQL fixtures in openJII's production shape", () => {
  let openjii: QueryFixture;
  const dialect = new DatabricksDialect({ catalog: "main", schema: "centrum", shape: "openjii" });

  beforeAll(async () => {
    openjii = await openQueryFixture({ shape: "openjii" });
    expect(openjii.lakehouse.dialect.shape).toBe("openjii");
  });

  afterAll(async () => {
    await openjii?.close();
  });

  for (const name of cases) {
    it(name, async () => {
      const { query, viewer, variables } = readCase(name);
      const expected = await fixture.run(query, variables, viewer);
      const recorder = new RecordingLakehouse(openjii.lakehouse);
      const result = await openjii.run(query, variables, viewer, recorder);
      expect(result.errors).toEqual([]);
      expect(normalizeShapeDifferences(result.data)).toEqual(normalizeShapeDifferences(expected.data));
      expect(result.statements).toBe(expected.statements);
      // What ran on DuckDB read openJII's tables (the data tables' relations, or the catalog table's).
      const ran = recorder.statementsSeen.map((st) => render(st, openjii.lakehouse.dialect).text).join("\n");
      expect(ran).toMatch(/"raw_id"|"questions_data"|"experiment_table_metadata"/);
      compare(`openjii/${name}.databricks.sql`, renderAll(recorder.statementsSeen, dialect, true));
    });
  }
});

/**
 * What openJII's tables do not hold: a question's text (`questions_data` maps labels to answers) and a macro's
 * first/last seen as the catalog table wrote them (the production shape reads them off the data rows).
 */
function normalizeShapeDifferences(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeShapeDifferences);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "text" && "label" in value && "answer" in value) continue;
    if ((key === "firstSeen" || key === "lastSeen") && "sampleCount" in value) continue;
    out[key] = normalizeShapeDifferences(v);
  }
  return out;
}
