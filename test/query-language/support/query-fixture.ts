/**
 * A real embedded lakehouse for query-language tests: the `ci` demo data (fixed seed and anchor), plus two macros of
 * our own written row by row with the sql tag:
 * - `macro_typed`: every scalar family (Int, BigInt, Float, String, Boolean, Date, DateTime), a nested object, lists,
 *   a VARIANT field and an output key `userId` (which collides with the base filter), with many ties, nulls,
 *   malformed values, questions, annotations, failed rows, and ids repeated across experiments;
 *   Its rows' questions also hold `leaf count` and `1st visit?` (labels that are no GraphQL names) with answers that
 *   do and do not fit their types, and its catalog has a questions schema (`TYPED_QUESTIONS_SCHEMA`): in the centrum
 *   shape added to the catalog entries (as a catalog source with questions schemas gives them), in openJII's shape
 *   written to `experiment_table_metadata.questions_schema` over the one the conversion computed;
 * - `macro_hostile`: hostile output keys (`a\`b`, `x.y`, `'; drop table`, `__typename`, `1st`, `ΦPSII`, empty key).
 * The schema is built from the lakehouse catalog exactly as the server does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { execute, type GraphQLSchema, parse, validate } from "graphql";
import type { MacroTypeModel } from "../../../codegen/macro-type-model.js";
import { printVariantSchema } from "../../../codegen/variant-schema-printer.js";
import { compareVariantKeys, type VariantType } from "../../../codegen/variant-type.js";
import { DEMO_USERS } from "../../../lakehouse/demo/demo-users.js";
import { seedDemo } from "../../../lakehouse/demo/seed-demo.js";
import { createDatabaseFile } from "../../../lakehouse/duckdb/bootstrap.js";
import { CENTRUM_DDL } from "../../../lakehouse/duckdb/centrum-ddl.js";
import { DuckDbLakehouse } from "../../../lakehouse/duckdb/duckdb-lakehouse.js";
import { convertToOpenjiiShape } from "../../../lakehouse/duckdb/openjii-shape.js";
import type { Lakehouse } from "../../../lakehouse/lakehouse.js";
import { join, param, type Sql, sql, table } from "../../../lakehouse/sql.js";
import type { TableShape } from "../../../lakehouse/table-shapes.js";
import type { Viewer } from "../../../resolvers/access/viewer.js";
import { catalogSourceByName } from "../../../resolvers/catalog/catalog-source.js";
import { createGatewayContext } from "../../../resolvers/context.js";
import { GatewaySchemaBuilder } from "../../../schema/build-schema.js";

/** One builder, as the runtime has: it keeps the previous catalog's types for the next build. */
const schemas = new GatewaySchemaBuilder();

export const ANCHOR = new Date("2026-03-01T12:00:00Z");
export const SEED = 7;

export const ANONYMOUS: Viewer = { userId: null, name: null };
export const MARIA: Viewer = { userId: DEMO_USERS[0]!.id, name: "Maria Santos" };
export const OLIVIA: Viewer = { userId: DEMO_USERS[3]!.id, name: "Olivia Park" };

export interface ExperimentInfo {
  readonly id: string;
  readonly visibility: "public" | "private";
  readonly anonymize: boolean;
  /** Every member (any role): who may read a private experiment. */
  readonly members: readonly string[];
  /** Admins and members: who contributes measurements. */
  readonly contributors: readonly string[];
}

/** The experiments a viewer may read (public ones, and private ones the viewer is a member of). */
export function readableBy(experiments: readonly ExperimentInfo[], viewer: Viewer): string[] {
  return experiments
    .filter((e) => e.visibility === "public" || (viewer.userId !== null && e.members.includes(viewer.userId)))
    .map((e) => e.id);
}

export interface RunResult {
  // biome-ignore lint/suspicious/noExplicitAny: GraphQL results are checked field by field in tests
  readonly data: any;
  readonly errors: readonly { message: string; extensions?: Record<string, unknown> }[];
  readonly statements: number;
}

export interface QueryFixture {
  readonly lakehouse: DuckDbLakehouse;
  readonly schema: GraphQLSchema;
  readonly models: readonly MacroTypeModel[];
  readonly experiments: readonly ExperimentInfo[];
  run(
    query: string,
    variables?: Record<string, unknown>,
    viewer?: Viewer,
    lakehouse?: Lakehouse,
  ): Promise<RunResult>;
  close(): Promise<void>;
}

/** Small deterministic PRNG (mulberry32): the typed rows are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function objectType(fields: Record<string, VariantType>): VariantType {
  return {
    kind: "object",
    fields: Object.entries(fields)
      .map(([key, type]) => ({ key, type }))
      .sort((a, b) => compareVariantKeys(a.key, b.key)),
  };
}

export const TYPED_SCHEMA = printVariantSchema(
  objectType({
    at: { kind: "timestamp" },
    big: { kind: "bigint" },
    count: { kind: "int" },
    day: { kind: "date" },
    flag: { kind: "boolean" },
    items: { kind: "array", element: objectType({ k: { kind: "string" } }) },
    label: { kind: "string" },
    meta: objectType({ depth: { kind: "double" }, tag: { kind: "string" } }),
    raw: { kind: "variant" },
    score: { kind: "double" },
    tags: { kind: "array", element: { kind: "string" } },
    userId: { kind: "string" },
  }),
);

/** Answers the typed rows' `leaf count` question cycles through: integers, and text that is no INT. */
export const LEAF_COUNTS = ["3", "12", "n/a", "2.5", null, "-1", "40", "1e3", "0"] as const;
/** Answers of `1st visit?`: what both lakehouses read as booleans, and text that is none. */
export const FIRST_VISITS = ["yes", "no", "true", "maybe", "FALSE", null, "1"] as const;
/** The questions schema of `macro_typed` (openJII's `questions_schema` format). */
export const TYPED_QUESTIONS_SCHEMA = printVariantSchema(
  objectType({
    "1st visit?": { kind: "boolean" },
    "leaf count": { kind: "int" },
    plot: { kind: "string" },
    treatment: { kind: "string" },
  }),
);

export const HOSTILE_KEYS = ["a`b", "x.y", "'; drop table", "__typename", "1st", "ΦPSII", ""] as const;
export const HOSTILE_SCHEMA = printVariantSchema(
  objectType({
    "a`b": { kind: "double" },
    "x.y": { kind: "string" },
    "'; drop table": { kind: "int" },
    __typename: { kind: "string" },
    "1st": { kind: "boolean" },
    ΦPSII: { kind: "double" },
    "": { kind: "double" },
  }),
);

const pick = <T>(rng: () => number, values: readonly T[]): T => values[Math.floor(rng() * values.length)]!;

const SCORES = [null, 0.5, 1.25, -3, 2, 2, 2, "n/a", 10, 0] as const;
const COUNTS = [null, 0, 1, 2, 3, 3, -7, 3_000_000_000] as const;
const BIGS = [null, "9007199254740993", "-5", "0", "9223372036854775807", "9007199254740993"] as const;
const LABELS = [null, "alpha", "beta", "Alpha", "al", "", "x'y", "ü", "beta"] as const;
const FLAGS = [null, true, false, true] as const;
const DAYS = [null, "2026-01-01", "2026-01-15", "2025-12-31", "2026-01-15"] as const;
const ATS = [
  null,
  "2026-01-02T03:04:05.123456Z",
  "2026-01-02T03:04:05Z",
  "2025-12-31T23:59:59Z",
  "not a time",
];
const DEVICES = [null, "dev-a", "dev-b", "dev-b", "dev-c"] as const;
const TIMESTAMPS = [
  null,
  "2026-01-01T00:00:00Z",
  "2026-01-01T00:00:00Z",
  "2026-01-01T23:30:00Z",
  "2026-01-05T12:00:00.5Z",
  "2026-02-01T06:00:00Z",
  "2025-12-31T23:59:59.999999Z",
] as const;
const PLOTS = ["A", "B", "C"] as const;
const TREATMENTS = ["wet", "dry"] as const;

/** `count` typed rows per experiment; ids repeat across experiments on purpose. */
async function insertTypedRows(lakehouse: Lakehouse, experiments: readonly ExperimentInfo[], count: number) {
  const rng = prng(20260301);
  const rows: Sql[] = [];
  const annotations: Sql[] = [];
  experiments.forEach((experiment, e) => {
    for (let i = 0; i < count; i++) {
      // Ids above 2^53; every third id is shared with the previous experiment.
      const id = 4_611_686_018_427_387_904n + BigInt(i * 7 + (i % 3 === 0 ? 0 : e * 1000));
      const output: Record<string, unknown> = {};
      const set = (key: string, value: unknown) => {
        if (value !== null || rng() < 0.5) output[key] = value; // missing key and JSON null both read as null
      };
      set("score", pick(rng, SCORES));
      set("count", pick(rng, COUNTS));
      const big = pick(rng, BIGS);
      if (big !== null) output.big = "RAWBIG"; // placeholder, replaced below so the JSON keeps 64-bit precision
      set("label", pick(rng, LABELS));
      set("flag", pick(rng, FLAGS));
      set("day", pick(rng, DAYS));
      set("at", pick(rng, ATS));
      set("userId", pick(rng, ["u-1", "u-2", null]));
      if (rng() < 0.8) {
        output.meta = { depth: pick(rng, [null, 1.5, 2.5, 2.5, -1]), tag: pick(rng, ["x", "y", null]) };
      }
      output.tags = ["t1", pick(rng, ["t2", "t3"])];
      output.items = [{ k: pick(rng, ["a", "b"]) }];
      output.raw = pick(rng, [1, "one", { nested: true }]);
      let json = JSON.stringify(output);
      if (big !== null) json = json.replace('"RAWBIG"', big);
      const failed = rng() < 0.08;
      const questions =
        rng() < 0.1
          ? null
          : JSON.stringify(
              rng() < 0.1
                ? []
                : [
                    { question_label: "plot", question_text: "Plot", question_answer: pick(rng, PLOTS) },
                    {
                      question_label: "treatment",
                      question_text: "Treatment",
                      question_answer: pick(rng, [...TREATMENTS, null]),
                    },
                    // Picked by position, not by the PRNG: the other values stay what they were.
                    {
                      question_label: "leaf count",
                      question_text: "Leaves counted",
                      question_answer: LEAF_COUNTS[(i + e) % LEAF_COUNTS.length],
                    },
                    {
                      question_label: "1st visit?",
                      question_text: "First visit?",
                      question_answer: FIRST_VISITS[(i * 3 + e) % FIRST_VISITS.length],
                    },
                  ],
            );
      const memberUsers = experiment.contributors.length ? experiment.contributors : [MARIA.userId!];
      rows.push(sql`(${experiment.id}, ${"typed-macro-id"}, ${"Typed Probe"}, ${"macro_typed"}, ${id},
        ${pick(rng, DEVICES)}, ${pick(rng, [null, "Device"])}, ${param(pick(rng, TIMESTAMPS), "timestamp")},
        ${pick(rng, [...memberUsers, null])},
        from_json(${questions}, '[{"question_label":"VARCHAR","question_text":"VARCHAR","question_answer":"VARCHAR"}]'),
        ${failed ? sql`NULL` : sql`CAST(CAST(${json} AS JSON) AS VARIANT)`}, ${failed ? "ValueError: probe" : null},
        ${param(ANCHOR, "timestamp")}, ${param("2026-01-01", "date")})`);
      const annotation = rng();
      if (annotation < 0.3) {
        const type = annotation < 0.1 ? "comment" : "flag";
        const flagType = type === "flag" ? (annotation < 0.2 ? "outlier" : "needs_review") : null;
        annotations.push(sql`(${experiment.id}, ${`ann-${e}-${i}`}, ${"macro_typed"}, ${id.toString()}, ${type},
          ${"note"}, ${flagType}, ${MARIA.userId!}, ${"Maria Santos"}, ${param(ANCHOR, "timestamp")},
          ${param(ANCHOR, "timestamp")})`);
      }
    }
  });
  await lakehouse.execute(sql`INSERT INTO ${table("experiment_macro_data")}
    (experiment_id, macro_id, macro_name, macro_filename, id, device_id, device_name, timestamp, user_id, questions,
     macro_output, macro_error, processed_timestamp, date) VALUES ${join(rows)}`);
  // A sample annotation on a typed id, to check that `hasAnnotation` looks at the macro's own table only.
  annotations.push(sql`(${experiments[0]!.id}, ${"ann-sample-typed"}, ${"sample"}, ${"4611686018427387904"},
    ${"flag"}, ${null}, ${"outlier"}, ${MARIA.userId!}, ${null}, ${param(ANCHOR, "timestamp")}, ${param(ANCHOR, "timestamp")})`);
  await lakehouse.execute(sql`INSERT INTO ${table("experiment_annotations")}
    (experiment_id, annotation_id, table_name, row_id, type, content_text, flag_type, created_by, created_by_name,
     created_at, updated_at) VALUES ${join(annotations)}`);
}

async function insertHostileRows(lakehouse: Lakehouse, experimentId: string) {
  const rows: Sql[] = [];
  for (let i = 0; i < 6; i++) {
    const output = {
      "a`b": i * 1.5,
      "x.y": `v${i % 2}`,
      "'; drop table": i,
      __typename: "not a type",
      "1st": i % 2 === 0,
      ΦPSII: 0.1 * i,
      "": i === 3 ? null : -i,
    };
    rows.push(sql`(${experimentId}, ${"hostile-id"}, ${"Hostile Keys"}, ${"macro_hostile"}, ${BigInt(1000 + i)},
      ${"dev-h"}, ${param(`2026-01-0${i + 1}T00:00:00Z`, "timestamp")}, CAST(CAST(${JSON.stringify(output)} AS JSON) AS VARIANT))`);
  }
  await lakehouse.execute(sql`INSERT INTO ${table("experiment_macro_data")}
    (experiment_id, macro_id, macro_name, macro_filename, id, device_id, timestamp, macro_output) VALUES ${join(rows)}`);
}

async function insertCatalog(
  lakehouse: Lakehouse,
  experiments: readonly ExperimentInfo[],
  hostileExperimentId: string,
) {
  const rows = experiments.map(
    (e) =>
      sql`(${e.id}, ${"Typed Probe"}, ${"macro_typed"}, ${param(ANCHOR, "timestamp")}, ${param(ANCHOR, "timestamp")}, ${10n}, ${TYPED_SCHEMA})`,
  );
  rows.push(
    sql`(${hostileExperimentId}, ${"Hostile Keys"}, ${"macro_hostile"}, ${param(ANCHOR, "timestamp")}, ${param(ANCHOR, "timestamp")}, ${6n}, ${HOSTILE_SCHEMA})`,
  );
  await lakehouse.execute(sql`INSERT INTO ${table("experiment_macros")}
    (experiment_id, macro_name, macro_filename, first_seen, last_seen, sample_count, output_schema) VALUES ${join(rows)}`);
}

export async function openQueryFixture(
  options: { typedRowsPerExperiment?: number; shape?: TableShape; typedQuestionsSchema?: boolean } = {},
): Promise<QueryFixture> {
  const typedQuestions = options.typedQuestionsSchema ?? true;
  const shape = options.shape ?? "centrum";
  // The centrum shape lives in memory. openJII's production shape needs a file: the data is written in the centrum
  // shape (schema `centrum`, which reference SQL keeps reading), converted into schema `openjii`, and the file
  // reopened with the production shape's dialect.
  const dir = shape === "centrum" ? null : mkdtempSync(joinPath(tmpdir(), "centrum-shape-"));
  const path = dir ? joinPath(dir, "fixture.duckdb") : ":memory:";
  if (dir) await createDatabaseFile(path);
  let lakehouse = await DuckDbLakehouse.open({ path, threads: 1, connections: 2 });
  await lakehouse.runScript(CENTRUM_DDL);
  await seedDemo(lakehouse, { preset: "ci", seed: SEED, anchor: ANCHOR });

  const experimentRows = await lakehouse.query<{
    experiment_id: string;
    visibility: "public" | "private";
    anonymize_contributors: boolean;
  }>(
    sql`SELECT experiment_id, visibility, anonymize_contributors FROM ${table("experiments")} ORDER BY experiment_id`,
  );
  const memberRows = await lakehouse.query<{ experiment_id: string; user_id: string; role: string }>(
    sql`SELECT experiment_id, user_id, role FROM ${table("experiment_members")} ORDER BY experiment_id, user_id`,
  );
  const experiments: ExperimentInfo[] = experimentRows.map((r) => ({
    id: r.experiment_id,
    visibility: r.visibility,
    anonymize: r.anonymize_contributors,
    members: memberRows.filter((m) => m.experiment_id === r.experiment_id).map((m) => m.user_id),
    contributors: memberRows
      .filter((m) => m.experiment_id === r.experiment_id && m.role !== "viewer")
      .map((m) => m.user_id),
  }));
  await insertTypedRows(lakehouse, experiments, options.typedRowsPerExperiment ?? 30);
  const publicExperiment = experiments.find((e) => e.visibility === "public")!;
  await insertHostileRows(lakehouse, publicExperiment.id);
  // The hostile macro's catalog row names the experiment its rows are in (openJII's catalog is made from rows).
  await insertCatalog(lakehouse, [...experiments], publicExperiment.id);
  if (shape === "openjii") {
    await convertToOpenjiiShape(lakehouse, { from: "centrum", to: "openjii" });
    await lakehouse.close();
    lakehouse = await DuckDbLakehouse.open({ path, threads: 1, connections: 2, schema: "openjii", shape });
    if (typedQuestions) {
      await lakehouse.execute(sql`UPDATE ${table("experiment_table_metadata")} SET questions_schema = ${TYPED_QUESTIONS_SCHEMA}
WHERE table_type = ${"macro"} AND identifier = ${"typed-macro-id"}`);
    }
  }
  const read = await catalogSourceByName(
    shape === "openjii" ? "experiment_table_metadata" : "experiment_macros",
  ).read(lakehouse);
  // `experiment_macros` has no questions schema: the centrum fixture's catalog gets the typed macro's here.
  const catalog =
    shape === "centrum" && typedQuestions
      ? read.map((e) =>
          e.macroFilename === "macro_typed" ? { ...e, questionsSchema: TYPED_QUESTIONS_SCHEMA } : e,
        )
      : read;
  const built = schemas.build({ version: "test", catalog });
  if (built.warnings.length) throw new Error(`catalog warnings: ${built.warnings.join("; ")}`);

  return {
    lakehouse,
    schema: built.schema,
    models: built.models,
    experiments,
    async run(query, variables = {}, viewer = MARIA, target = lakehouse) {
      const before = lakehouse.statements.total;
      const contextValue = createGatewayContext({
        viewer,
        lakehouse: target,
        limits: { maxPageSize: 500, defaultPageSize: 100 },
      });
      const document = parse(query);
      // Validate like the server does: a wrong operator or field never reaches a resolver.
      const invalid = validate(built.schema, document);
      if (invalid.length) {
        return {
          data: null,
          errors: invalid.map((e) => ({ message: e.message, extensions: e.extensions })),
          statements: 0,
        };
      }
      const result = await execute({
        schema: built.schema,
        document,
        contextValue,
        variableValues: variables,
      });
      return {
        data: result.data,
        errors: (result.errors ?? []).map((e) => ({ message: e.message, extensions: e.extensions })),
        statements: lakehouse.statements.total - before,
      };
    },
    async close() {
      await lakehouse.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fails with the GraphQL errors when a result has any. */
export function dataOf(result: RunResult) {
  if (result.errors.length) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.data;
}
