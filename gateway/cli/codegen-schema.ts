/**
 * `npm run codegen` step 1 (`tsx gateway/cli/codegen-schema.ts [--out file]`): the SDL GraphQL Code Generator reads,
 * printed from the lakehouse — an in-memory DuckDB seeded with the `ci` demo preset (the data the tests' servers
 * serve), so the output is the same on every machine and needs no running gateway or file. Sorted, like
 * `npm run schema:print`.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { lexicographicSortSchema, printSchema } from "graphql";
import { seedDemo } from "../../lakehouse/demo/seed-demo.js";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import { catalogSourceByName } from "../../resolvers/catalog/catalog-source.js";
import { catalogFingerprint, GatewaySchemaBuilder } from "../../schema/build-schema.js";

/** The tests' gateways seed `ci` with the default seed; a fixed "now" keeps even the timestamps reproducible. */
const PRESET = "ci";
const SEED = 42;
const ANCHOR = new Date("2026-01-01T00:00:00Z");

const { values } = parseArgs({
  options: { out: { type: "string", default: "codegen/generated/schema.graphql" } },
});
const lakehouse = await openCentrumDuckDb(":memory:", { connections: 1 });
try {
  await seedDemo(lakehouse, { preset: PRESET, seed: SEED, anchor: ANCHOR });
  const catalog = await catalogSourceByName("experiment_macros").read(lakehouse);
  const { schema, warnings } = new GatewaySchemaBuilder().build({
    version: catalogFingerprint(catalog),
    catalog,
  });
  for (const w of warnings) console.error(`warning: ${w}`);
  writeFileSync(values.out!, printSchema(lexicographicSortSchema(schema)));
} finally {
  await lakehouse.close();
}
