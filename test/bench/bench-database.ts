/**
 * The `bench` data preset in its own DuckDB file, created once and reused (seeding ≥ 1,000,000 macro rows takes
 * minutes). It is seeded by the project's own CLI (`gateway/cli/seed.ts`) in a separate process, into a
 * `.seeding` file that is renamed only when the seed finished: an interrupted seed never leaves a half-filled
 * file that a later run would mistake for the cache.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";

export interface BenchDatabase {
  readonly path: string;
  /** True when this run seeded it (false: reused the cached file). */
  readonly created: boolean;
  readonly seedMs: number | null;
  readonly experiments: number;
  readonly samples: number;
  readonly macroRows: number;
  readonly annotations: number;
  readonly duckdbVersion: string;
  /** Whether `macro_output` is stored shredded (files seeded before shredding was switched off). */
  readonly shredded: boolean;
}

export async function ensureBenchDatabase(options: {
  path: string;
  fresh: boolean;
  log: (line: string) => void;
}): Promise<BenchDatabase> {
  const { path, log } = options;
  let seedMs: number | null = null;
  if (options.fresh || !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const seeding = `${path}.seeding`;
    for (const f of [path, `${path}.wal`, seeding, `${seeding}.wal`]) rmSync(f, { force: true });
    log(`seeding the bench preset into ${path} (takes minutes; progress below)…`);
    const started = performance.now();
    const code = await runSeed(["--preset", "bench", "--db", seeding, "--force"], log);
    if (code !== 0) throw new Error(`seeding the bench preset failed (exit ${code})`);
    seedMs = performance.now() - started;
    // The seed CLI checkpoints before closing, so the WAL is empty; move it along if it exists anyway.
    renameSync(seeding, path);
    if (existsSync(`${seeding}.wal`)) renameSync(`${seeding}.wal`, `${path}.wal`);
    log(`seeded in ${(seedMs / 1000).toFixed(1)} s`);
  } else {
    log(`reusing ${path} (pass --fresh to seed it again)`);
  }
  const counts = await countRows(path);
  if (counts.macroRows < 1_000_000) {
    throw new Error(
      `${path} has only ${counts.macroRows} macro rows; run with --fresh to seed the bench preset`,
    );
  }
  return { path, created: seedMs !== null, seedMs, ...counts };
}

async function countRows(path: string) {
  const lakehouse = await DuckDbLakehouse.open({ path, readOnly: true, connections: 1 });
  try {
    return await lakehouse.withConnection(async (c) => {
      const reader = await c.runAndReadAll(`SELECT
          (SELECT count(*) FROM centrum.experiments) AS experiments,
          (SELECT count(*) FROM centrum.experiment_raw_data) AS samples,
          (SELECT count(*) FROM centrum.experiment_macro_data) AS macro_rows,
          (SELECT count(*) FROM centrum.experiment_annotations) AS annotations,
          version() AS version,
          (SELECT count(DISTINCT column_path) FROM pragma_storage_info('centrum.experiment_macro_data')
            WHERE column_name = 'macro_output') AS macro_output_segments`);
      const [experiments, samples, macroRows, annotations, version, segments] = reader.getRows()[0]!;
      return {
        experiments: Number(experiments),
        samples: Number(samples),
        macroRows: Number(macroRows),
        annotations: Number(annotations),
        duckdbVersion: String(version),
        // An unshredded VARIANT is a handful of storage columns; a shredded one has one per typed path.
        shredded: Number(segments) > 20,
      };
    });
  } finally {
    await lakehouse.close();
  }
}

function runSeed(args: string[], log: (line: string) => void): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "gateway/cli/seed.ts", ...args], {
      cwd: process.cwd(),
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split(/[\r\n]+/)) if (line.trim()) log(`  ${line.trim()}`);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.once("exit", (code) => resolve(code));
  });
}
