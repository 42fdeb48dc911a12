/**
 * One cold schema build, run in a fresh process by `benchColdSchemaBuild` (`schema-build-bench.ts`): what a gateway
 * does before it can serve its first catalog. Timed: constructing the builder (the static schema) and its first
 * `build` of the generated 1,000 × 50 catalog, which validates the schema as serving needs (graphql-js caches the
 * validation, so the first request does not validate again). Not timed: loading and transpiling modules, and
 * generating the catalog. Prints one JSON line. Profile it with `node --cpu-prof --import tsx <this file>`.
 */
import { GatewaySchemaBuilder } from "../../schema/build-schema.js";
import { generatedCatalog } from "./schema-build-bench.js";

const macros = Number(process.argv[2] ?? 1000);
const fieldsPerMacro = Number(process.argv[3] ?? 50);
const catalog = generatedCatalog({ macros, fieldsPerMacro, experiments: 50 });
const cpu = process.cpuUsage();
const started = performance.now();
const schemas = new GatewaySchemaBuilder();
const constructed = performance.now();
const built = schemas.build({ version: "cold", catalog });
const finished = performance.now();
const { user, system } = process.cpuUsage(cpu);
console.log(
  JSON.stringify({
    staticMs: constructed - started,
    buildMs: finished - constructed,
    totalMs: finished - started,
    // CPU time of the whole process over the same span (GC threads included): steadier than wall time on a shared
    // machine, where another process can take the core.
    cpuMs: (user + system) / 1000,
    catalogEntries: catalog.length,
    types: Object.keys(built.schema.getTypeMap()).length,
    warnings: built.warnings.length,
  }),
);
