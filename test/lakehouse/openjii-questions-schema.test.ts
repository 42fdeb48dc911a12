/**
 * `experiment_table_metadata.questions_schema` in the embedded production shape: the conversion writes the schema of
 * each (experiment, macro)'s `questions_data` in the exact `schema_of_variant_agg` format (keys sorted, a label that
 * is no plain identifier in backticks), computed like `output_schema`; the catalog source reads it and the schema
 * serves it as typed answers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeQuestionsSchemas } from "../../lakehouse/duckdb/openjii-shape.js";
import { sql } from "../../lakehouse/sql.js";
import { tableMetadataCatalogSource } from "../../resolvers/catalog/table-metadata-catalog-source.js";
import { openQueryFixture, type QueryFixture } from "../query-language/support/query-fixture.js";

let fixture: QueryFixture;

beforeAll(async () => {
  fixture = await openQueryFixture({ shape: "openjii", typedQuestionsSchema: false });
}, 300_000);

afterAll(async () => {
  await fixture?.close();
});

const schemasOf = async (macroFilename: string) =>
  new Map(
    (await tableMetadataCatalogSource.read(fixture.lakehouse))
      .filter((e) => e.macroFilename === macroFilename)
      .map((e) => [e.experimentId, e.questionsSchema]),
  );

describe("questions_schema of the converted production shape", () => {
  it("is the schema of the rows' answers (text in the demo), keys sorted and quoted as the format says", async () => {
    const schemas = await schemasOf("macro_typed");
    expect(schemas.size).toBe(fixture.experiments.length);
    for (const text of schemas.values()) {
      expect(text).toBe(
        "OBJECT<`1st visit?`: STRING, `leaf count`: STRING, plot: STRING, treatment: STRING>",
      );
    }
    const photosynthesis = await schemasOf("macro_photosynthesis");
    expect(photosynthesis.size).toBeGreaterThan(0);
    for (const text of photosynthesis.values())
      expect(text).toMatch(/^OBJECT<.*genotype: STRING.*plot: STRING/);
    // Served as typed answers: every label a String (the catalog's own schema, not the test's).
    const typed = fixture.models.find((m) => m.macroFilename === "macro_typed")!;
    expect(typed.answers!.fields.map((f) => [f.key, f.type])).toEqual([
      ["1st visit?", { kind: "scalar", scalar: "String" }],
      ["leaf count", { kind: "scalar", scalar: "String" }],
      ["plot", { kind: "scalar", scalar: "String" }],
      ["treatment", { kind: "scalar", scalar: "String" }],
    ]);
  });

  it("types numbers and booleans, says VARIANT where rows disagree and VOID where no row has answers", async () => {
    const [a, b, c] = fixture.experiments.map((e) => e.id);
    const lakehouse = fixture.lakehouse;
    const set = (experimentId: string, json: string | null) =>
      lakehouse.execute(sql`UPDATE openjii.experiment_macro_data
SET questions_data = ${json === null ? sql`NULL` : sql`CAST(CAST(${json} AS JSON) AS VARIANT)`}
WHERE macro_filename = ${"macro_typed"} AND experiment_id = ${experimentId}`);
    await set(a!, '{"leaf count": 3, "wet": true, "h": 1.5, "z`x": "q"}');
    await set(b!, null);
    await set(c!, '{"leaf count": 3}');
    // One row of c disagrees: a string where the others have a number.
    await lakehouse.execute(sql`UPDATE openjii.experiment_macro_data
SET questions_data = CAST(CAST(${'{"leaf count": "three"}'} AS JSON) AS VARIANT)
WHERE macro_filename = ${"macro_typed"} AND experiment_id = ${c!}
  AND raw_id = (SELECT min(raw_id) FROM openjii.experiment_macro_data WHERE macro_filename = ${"macro_typed"} AND experiment_id = ${c!})`);
    const before = lakehouse.statements.total;
    await lakehouse.transaction((connection) => writeQuestionsSchemas(lakehouse, connection, "openjii"));
    expect(lakehouse.statements.total - before).toBe(2);
    const schemas = await schemasOf("macro_typed");
    expect(schemas.get(a!)).toBe("OBJECT<h: DOUBLE, `leaf count`: BIGINT, wet: BOOLEAN, `z``x`: STRING>");
    expect(schemas.get(b!)).toBe("VOID");
    expect(schemas.get(c!)).toBe("OBJECT<`leaf count`: VARIANT>");
  });
});
