/**
 * `npm run seed -- [--preset ci|demo|bench] [--db path] [--seed n] [--force]`: fills the embedded lakehouse with
 * deterministic demo data. Defaults come from the configuration (DUCKDB_PATH, DEMO_PRESET, DEMO_SEED).
 * A lakehouse that already has experiments is left alone unless --force, which starts from a new file.
 */
import { existsSync, rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEMO_PRESETS, type DemoPreset } from "../../lakehouse/demo/demo-plan.js";
import { LakehouseNotEmptyError, type SeedProgress, seedDemo } from "../../lakehouse/demo/seed-demo.js";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import { loadConfig } from "../config.js";
import { runWriterCli } from "./run-writer-cli.js";

const USAGE = "usage: npm run seed -- [--preset ci|demo|bench] [--db path] [--seed n] [--force]";

function progressLine(started: number): (p: SeedProgress) => void {
  const tty = process.stderr.isTTY === true;
  let lastPhase = "";
  let lastPrinted = 0;
  return (p) => {
    const now = performance.now();
    const pct = p.totalSamples ? Math.min(100, Math.floor((100 * p.samples) / p.totalSamples)) : 100;
    const text =
      `seed: ${p.phase.padEnd(11)} ${p.samples.toLocaleString("en")}/${p.totalSamples.toLocaleString("en")} samples ` +
      `(${pct}%), ${p.macroRows.toLocaleString("en")} macro rows, ${((now - started) / 1000).toFixed(1)} s`;
    if (tty) {
      process.stderr.write(`\r${text}\u001b[K${p.phase === "done" ? "\n" : ""}`);
    } else if (p.phase !== lastPhase || now - lastPrinted > 2000) {
      process.stderr.write(`${text}\n`);
      lastPrinted = now;
    }
    lastPhase = p.phase;
  };
}

async function main(): Promise<number> {
  let values: { preset?: string; db?: string; seed?: string; force?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        preset: { type: "string" },
        db: { type: "string" },
        seed: { type: "string" },
        force: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  const preset = (values.preset ?? config.demo.preset) as DemoPreset;
  if (!DEMO_PRESETS.includes(preset)) {
    console.error(`unknown preset '${preset}'\n${USAGE}`);
    return 2;
  }
  const seed = values.seed !== undefined ? Number(values.seed) : config.demo.seed;
  if (!Number.isInteger(seed)) {
    console.error(`--seed must be an integer\n${USAGE}`);
    return 2;
  }
  const path = values.db ?? config.duckdb.path;
  if (values.force && path !== ":memory:" && existsSync(path)) {
    // Opening first fails if another process (a running gateway) holds the file: never delete it under them.
    await (await DuckDbLakehouse.open({ path, connections: 1 })).close();
    // A new file is faster than deleting rows and gives the space back.
    rmSync(path, { force: true });
    rmSync(`${path}.wal`, { force: true });
  }

  const started = performance.now();
  const lakehouse = await openCentrumDuckDb(path, { connections: 1 });
  try {
    const summary = await seedDemo(lakehouse, { preset, seed, onProgress: progressLine(started) });
    await lakehouse.runScript("CHECKPOINT");
    console.log(
      `seeded ${path} with preset '${preset}' (seed ${seed}): ${summary.experiments} experiments, ` +
        `${summary.users} users, ${summary.samples.toLocaleString("en")} samples, ` +
        `${summary.macroRows.toLocaleString("en")} macro rows, ${summary.annotations} annotations ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  } catch (error) {
    if (error instanceof LakehouseNotEmptyError) {
      console.error(`${path} already has experiments; pass --force to replace it with fresh demo data.`);
      return 1;
    }
    throw error;
  } finally {
    await lakehouse.close();
  }
}

runWriterCli("seed", main);
