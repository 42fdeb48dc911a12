/**
 * `npm run schema:print [-- --out schema.graphql]`: writes the SDL of the whole catalog (every macro of every
 * experiment) generated from the configured lakehouse — asked of the gateway when one runs on the embedded file
 * (it owns the file), else built here.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { lexicographicSortSchema, printSchema } from "graphql";
import { createDatabricksLakehouse } from "../../lakehouse/databricks/databricks-lakehouse.js";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import { catalogSourceByName } from "../../resolvers/catalog/catalog-source.js";
import { catalogFingerprint, GatewaySchemaBuilder } from "../../schema/build-schema.js";
import { runningGateway } from "../admin/run-file.js";
import { loadConfig } from "../config.js";

const { values } = parseArgs({ options: { out: { type: "string", default: "schema.graphql" } } });
const config = loadConfig();
const gateway = config.lakehouse === "duckdb" ? runningGateway(config.duckdb.path) : null;
if (gateway) {
  const res = await fetch(new URL("/admin/schema", gateway.url), {
    headers: { authorization: `Bearer ${gateway.token}` },
  });
  if (!res.ok) {
    console.error(`schema:print: the gateway at ${gateway.url} answered ${res.status}: ${await res.text()}`);
    process.exit(1);
  }
  writeFileSync(values.out!, await res.text());
  console.log(`wrote ${values.out} (from the gateway running on ${config.duckdb.path}, pid ${gateway.pid})`);
  process.exit(0);
}
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
