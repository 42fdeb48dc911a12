/**
 * `npm run import -- <file> [--db path] [--experiment id] [--create-experiment]`: loads an NDJSON or Parquet
 * file of macro rows or raw samples (centrum column names) into the embedded lakehouse, all or nothing, and
 * refreshes the derived tables of the touched experiments. Exit codes: 0 imported, 1 rejected (nothing
 * imported), 2 usage.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import {
  ImportValidationError,
  importFile,
  UnknownExperimentError,
} from "../../lakehouse/import/import-file.js";
import { loadConfig } from "../config.js";
import { runWriterCli } from "./run-writer-cli.js";

const USAGE =
  "usage: npm run import -- <file.ndjson|file.parquet> [--db path] [--experiment id] [--create-experiment]";
const MAX_PROBLEMS_SHOWN = 50;

async function main(): Promise<number> {
  let parsed: {
    values: { db?: string; experiment?: string; "create-experiment"?: boolean; help?: boolean };
    positionals: string[];
  };
  try {
    parsed = parseArgs({
      options: {
        db: { type: "string" },
        experiment: { type: "string" },
        "create-experiment": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    console.error(USAGE);
    return 2;
  }
  if (!existsSync(file)) {
    console.error(`no such file: ${file}`);
    return 2;
  }
  const config = loadConfig();
  const path = values.db ?? config.duckdb.path;

  const lakehouse = await openCentrumDuckDb(path, { connections: 1 });
  try {
    const result = await importFile(lakehouse, file, {
      experimentId: values.experiment,
      createExperiments: values["create-experiment"],
    });
    const what = result.kind === "macro" ? "macro rows" : "samples";
    console.log(
      `imported ${result.rows} ${what} from ${file} (${result.format}) into ${path}: ` +
        `experiment(s) ${result.experimentIds.join(", ")}` +
        (result.replaced ? `; ${result.replaced} existing row(s) replaced` : "") +
        (result.createdExperiments.length
          ? `; created experiment(s) ${result.createdExperiments.join(", ")}`
          : "") +
        `; derived tables refreshed in ${result.maintenance.statements} statements; ` +
        `${(result.ms / 1000).toFixed(2)} s`,
    );
    if (result.ignoredFields.length)
      console.error(`note: ignored field(s) ${result.ignoredFields.join(", ")}`);
    return 0;
  } catch (error) {
    if (error instanceof ImportValidationError) {
      console.error(`${file}: ${error.message}`);
      for (const p of error.problems.slice(0, MAX_PROBLEMS_SHOWN)) {
        console.error(`  line ${p.line}${p.field ? `, field ${p.field}` : ""}: ${p.message}`);
      }
      if (error.problems.length > MAX_PROBLEMS_SHOWN) {
        console.error(`  … and ${error.problems.length - MAX_PROBLEMS_SHOWN} more`);
      }
      return 1;
    }
    if (error instanceof UnknownExperimentError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await lakehouse.close();
  }
}

runWriterCli("import", main);
