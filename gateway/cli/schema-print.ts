/** `npm run schema:print [-- --out schema.graphql]`: writes the SDL generated from the configured lakehouse. */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { lexicographicSortSchema, printSchema } from "graphql";
import { createDatabricksLakehouse } from "../../lakehouse/databricks/databricks-lakehouse.js";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import { catalogSourceByName } from "../../resolvers/catalog/catalog-source.js";
import { catalogFingerprint, GatewaySchemaBuilder } from "../../schema/build-schema.js";
import { loadConfig } from "../config.js";

const { values } = parseArgs({ options: { out: { type: "string", default: "schema.graphql" } } });
const config = loadConfig();
const lakehouse =
  config.lakehouse === "databricks"
    ? createDatabricksLakehouse(config.databricks!)
    : await openCentrumDuckDb(config.duckdb.path, { readOnly: true });
try {
  const catalog = await catalogSourceByName(config.catalog.source).read(lakehouse);
  const { schema, warnings } = new GatewaySchemaBuilder().build({
    version: catalogFingerprint(catalog),
    catalog,
  });
  for (const w of warnings) console.error(`warning: ${w}`);
  writeFileSync(values.out!, printSchema(lexicographicSortSchema(schema)));
  console.log(`wrote ${values.out} (${catalog.length} catalog entries)`);
} finally {
  await lakehouse.close();
}
