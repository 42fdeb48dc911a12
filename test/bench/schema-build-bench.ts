/**
 * Schema build time for a large generated catalog (no lakehouse): 1,000 macros × 50 fields, each `output_schema`
 * printed in the exact `schema_of_variant_agg` format, spread over experiments so that some macros merge across
 * experiments. Two figures: cold, the first build in a fresh process (what start-up costs, `schema-build-cold.ts`),
 * and warm, rebuilds in one process after a warm-up, where the builder reuses every unchanged macro's types (what a
 * catalog change that touches few macros costs).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { printVariantSchema } from "../../codegen/variant-schema-printer.js";
import type { VariantField, VariantType } from "../../codegen/variant-type.js";
import { type CatalogInputEntry, GatewaySchemaBuilder } from "../../schema/build-schema.js";
import { type LatencySummary, summarize } from "./latency-stats.js";

/** One builder, as the runtime has: it keeps the previous catalog's types for the next build. */
const schemas = new GatewaySchemaBuilder();

/** One macro's fields: mostly numbers, as real macro outputs are, plus every other kind the parser accepts. */
const FIELD_KINDS: readonly ((i: number) => VariantType)[] = [
  ...Array.from({ length: 20 }, () => () => ({ kind: "double" }) as const),
  ...Array.from({ length: 4 }, () => () => ({ kind: "bigint" }) as const),
  ...Array.from({ length: 4 }, () => () => ({ kind: "int" }) as const),
  ...Array.from({ length: 4 }, () => () => ({ kind: "string" }) as const),
  ...Array.from({ length: 3 }, () => () => ({ kind: "boolean" }) as const),
  () => ({ kind: "timestamp" }),
  () => ({ kind: "date" }),
  ...Array.from(
    { length: 3 },
    () => (i: number) => ({ kind: "decimal", precision: 10 + (i % 8), scale: 3 }) as const,
  ),
  ...Array.from({ length: 3 }, () => () => ({ kind: "array", element: { kind: "double" } }) as const),
  () => ({ kind: "variant" }),
  () => ({ kind: "void" }),
  () => ({
    kind: "object",
    fields: [
      { key: "info", type: { kind: "array", element: { kind: "string" } } },
      { key: "warning", type: { kind: "array", element: { kind: "string" } } },
    ],
  }),
  () => ({
    kind: "object",
    fields: [
      { key: "gain", type: { kind: "double" } },
      { key: "temperature", type: { kind: "decimal", precision: 5, scale: 2 } },
      { key: "calibration", type: { kind: "string" } },
    ],
  }),
];

/** Keys as macro authors write them: plain, with spaces and units, with symbols (renamed in GraphQL). */
function fieldKey(macro: number, field: number): string {
  switch (field % 5) {
    case 0:
      return `value_${field}`;
    case 1:
      return `Value ${field} (PAR)`;
    case 2:
      return `v${field}/Fm${macro % 3}`;
    case 3:
      return `${field}_leading_digit`;
    default:
      return `Phi${field}+`;
  }
}

export function generatedCatalog(options: {
  macros: number;
  fieldsPerMacro: number;
  experiments: number;
}): CatalogInputEntry[] {
  const entries: CatalogInputEntry[] = [];
  for (let m = 0; m < options.macros; m++) {
    const fields: VariantField[] = Array.from({ length: options.fieldsPerMacro }, (_, f) => ({
      key: fieldKey(m, f),
      type: FIELD_KINDS[f % FIELD_KINDS.length]!(m + f),
    }));
    const outputSchema = printVariantSchema({ kind: "object", fields });
    const id = String(m).padStart(4, "0");
    // Every fourth macro also runs in a second experiment (the merge path).
    const experiments =
      m % 4 === 0 ? [m % options.experiments, (m + 1) % options.experiments] : [m % options.experiments];
    for (const e of experiments) {
      entries.push({
        experimentId: `00000000-0000-4000-8000-${String(e).padStart(12, "0")}`,
        macroName: `Generated macro ${id}`,
        macroFilename: `macro_generated_${id}`,
        outputSchema,
      });
    }
  }
  return entries;
}

export interface SchemaBuildResult {
  readonly macros: number;
  readonly fieldsPerMacro: number;
  readonly catalogEntries: number;
  readonly types: number;
  readonly warnings: number;
  readonly latency: LatencySummary;
}

export function benchSchemaBuild(options: {
  runs: number;
  macros?: number;
  fieldsPerMacro?: number;
}): SchemaBuildResult {
  const macros = options.macros ?? 1000;
  const fieldsPerMacro = options.fieldsPerMacro ?? 50;
  const catalog = generatedCatalog({ macros, fieldsPerMacro, experiments: 50 });
  const times: number[] = [];
  let types = 0;
  let warnings = 0;
  // One untimed build first: module loading and JIT warm-up are start-up costs, not build costs.
  schemas.build({ version: "bench-warmup", catalog });
  for (let i = 0; i < options.runs; i++) {
    const started = performance.now();
    const built = schemas.build({ version: `bench-${i}`, catalog });
    times.push(performance.now() - started);
    types = Object.keys(built.schema.getTypeMap()).length;
    warnings = built.warnings.length;
  }
  return {
    macros,
    fieldsPerMacro,
    catalogEntries: catalog.length,
    types,
    warnings,
    latency: summarize(times),
  };
}

export interface ColdSchemaBuildResult {
  readonly processes: number;
  /** Static schema and first build together: what a fresh process spends before it can serve. */
  readonly total: LatencySummary;
  /** The first `build` alone. */
  readonly build: LatencySummary;
  /** Constructing the builder (the static schema, with Pothos) alone. */
  readonly static: LatencySummary;
}

interface ColdRun {
  readonly staticMs: number;
  readonly buildMs: number;
  readonly totalMs: number;
}

const COLD_ENTRY = fileURLToPath(new URL("./schema-build-cold.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Cold builds, one fresh `node --import tsx` process each, one after the other (they would share the CPU). */
export async function benchColdSchemaBuild(options: { processes: number }): Promise<ColdSchemaBuildResult> {
  const runs: ColdRun[] = [];
  for (let i = 0; i < options.processes; i++) {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", COLD_ENTRY], {
      cwd: REPO_ROOT,
      maxBuffer: 1 << 20,
    });
    runs.push(JSON.parse(stdout.trim().split("\n").at(-1)!) as ColdRun);
  }
  return {
    processes: runs.length,
    total: summarize(runs.map((r) => r.totalMs)),
    build: summarize(runs.map((r) => r.buildMs)),
    static: summarize(runs.map((r) => r.staticMs)),
  };
}
