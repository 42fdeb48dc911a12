/**
 * `npm run import -- <file> [--db path] [--experiment id] [--create-experiment]`: loads an NDJSON or Parquet
 * file of macro rows or raw samples (centrum column names) into the embedded lakehouse, all or nothing, and
 * refreshes the derived tables of the touched experiments. When a gateway runs on that file (its run file,
 * `gateway/admin/run-file.ts`), the file is sent to it (`POST /admin/import`) and the gateway imports it while
 * serving; otherwise the file is written directly. Exit codes: 0 imported, 1 rejected (nothing imported), 2 usage.
 */
import { createReadStream, existsSync } from "node:fs";
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import {
  type ImportResult,
  ImportValidationError,
  importFile,
  UnknownExperimentError,
} from "../../lakehouse/import/import-file.js";
import type { RowProblem } from "../../lakehouse/import/validate-rows.js";
import { type RunFile, runningGateway } from "../admin/run-file.js";
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

  const gateway = runningGateway(path);
  if (gateway) return viaGateway(gateway, file, path, values);

  const lakehouse = await openCentrumDuckDb(path, { connections: 1 });
  try {
    const result = await importFile(lakehouse, file, {
      experimentId: values.experiment,
      createExperiments: values["create-experiment"],
    });
    report(result, file, path);
    return 0;
  } catch (error) {
    if (error instanceof ImportValidationError) {
      printProblems(file, error.message, error.problems);
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

type Reported = Pick<
  ImportResult,
  "kind" | "format" | "rows" | "replaced" | "experimentIds" | "createdExperiments" | "ignoredFields" | "ms"
> & { maintenance: { statements: number } };

function report(result: Reported, file: string, where: string): void {
  const what = result.kind === "macro" ? "macro rows" : "samples";
  console.log(
    `imported ${result.rows} ${what} from ${file} (${result.format}) into ${where}: ` +
      `experiment(s) ${result.experimentIds.join(", ")}` +
      (result.replaced ? `; ${result.replaced} existing row(s) replaced` : "") +
      (result.createdExperiments.length
        ? `; created experiment(s) ${result.createdExperiments.join(", ")}`
        : "") +
      `; derived tables refreshed in ${result.maintenance.statements} statements; ` +
      `${(result.ms / 1000).toFixed(2)} s`,
  );
  if (result.ignoredFields.length) console.error(`note: ignored field(s) ${result.ignoredFields.join(", ")}`);
}

function printProblems(file: string, message: string, problems: readonly RowProblem[]): void {
  console.error(`${file}: ${message}`);
  for (const p of problems.slice(0, MAX_PROBLEMS_SHOWN)) {
    console.error(`  line ${p.line}${p.field ? `, field ${p.field}` : ""}: ${p.message}`);
  }
  if (problems.length > MAX_PROBLEMS_SHOWN)
    console.error(`  … and ${problems.length - MAX_PROBLEMS_SHOWN} more`);
}

/** Sends the file to the gateway that owns the database file, which imports it while serving. */
async function viaGateway(
  gateway: RunFile,
  file: string,
  path: string,
  values: { experiment?: string; "create-experiment"?: boolean },
): Promise<number> {
  const url = new URL("/admin/import", gateway.url);
  if (values.experiment) url.searchParams.set("experiment", values.experiment);
  if (values["create-experiment"]) url.searchParams.set("createExperiment", "true");
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${gateway.token}`, "content-type": "application/octet-stream" },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: "half",
  } as RequestInit);
  const body = (await res.json()) as {
    imported?: Reported;
    error?: { code: string; message: string; problems?: RowProblem[] };
  };
  if (res.ok && body.imported) {
    report(body.imported, file, `${path} (through the gateway at ${gateway.url}, pid ${gateway.pid})`);
    return 0;
  }
  const error = body.error ?? { code: String(res.status), message: res.statusText };
  if (error.problems) printProblems(file, error.message, error.problems);
  else console.error(`import refused by the gateway at ${gateway.url}: ${error.message} (${error.code})`);
  return 1;
}

runWriterCli("import", main);
