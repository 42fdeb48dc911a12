/**
 * The import command as users run it: a real `npx tsx gateway/cli/import.ts` process against a DuckDB file.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPlan } from "../../lakehouse/demo/demo-plan.js";
import { seedDemo } from "../../lakehouse/demo/seed-demo.js";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import type { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import { sql } from "../../lakehouse/sql.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FIXTURES = join(ROOT, "test/fixtures/import");
const FIXTURE_EXPERIMENT = "5a1c0de0-0000-4000-8000-00000000f001";
const SEED = 11;

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function importCli(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      "npx",
      ["tsx", "gateway/cli/import.ts", ...args],
      { cwd: ROOT, env: { ...process.env, NODE_ENV: "test" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Opens the file, runs `fn`, closes it again (the CLI needs the file lock). */
async function withDb<T>(path: string, fn: (lakehouse: DuckDbLakehouse) => Promise<T>): Promise<T> {
  const lakehouse = await openCentrumDuckDb(path, { connections: 1 });
  try {
    return await fn(lakehouse);
  } finally {
    await lakehouse.close();
  }
}

interface MacroRowBack {
  id: bigint;
  id_text: string;
  macro_filename: string;
  output: string | null;
  macro_error: string | null;
  ts: string;
}

function macroRows(lakehouse: DuckDbLakehouse, experimentId: string, filename?: string) {
  return lakehouse.query<MacroRowBack>(sql`SELECT id, CAST(id AS VARCHAR) AS id_text, macro_filename,
  -- CAST(NULL::VARIANT AS JSON) is the JSON text 'null' in DuckDB 1.5, not SQL NULL: keep NULL NULL.
  CASE WHEN macro_output IS NOT NULL THEN CAST(CAST(macro_output AS JSON) AS VARCHAR) END AS output,
  macro_error, CAST(timestamp AS VARCHAR) AS ts
FROM centrum.experiment_macro_data
WHERE experiment_id = ${experimentId} AND (${filename ?? null} IS NULL OR macro_filename = ${filename ?? null})
ORDER BY macro_filename, id`);
}

async function macroCount(lakehouse: DuckDbLakehouse): Promise<bigint> {
  const [row] = await lakehouse.query<{ n: bigint }>(
    sql`SELECT count(*) AS n FROM centrum.experiment_macro_data`,
  );
  return row!.n;
}

describe("npm run import", () => {
  let dir: string;
  let db: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "centrum-import-"));
    db = join(dir, "lakehouse.duckdb");
    await withDb(db, (lakehouse) => seedDemo(lakehouse, { preset: "ci", seed: SEED }));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses rows for an experiment that does not exist, and loads nothing", async () => {
    const before = await withDb(db, macroCount);
    const r = await importCli(join(FIXTURES, "macro-rows.ndjson"), "--db", db);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(FIXTURE_EXPERIMENT);
    expect(r.stderr).toContain("--create-experiment");
    expect(await withDb(db, macroCount)).toBe(before);
  });

  it("round-trips NDJSON macro rows with exact 64-bit ids and outputs", async () => {
    const r = await importCli(join(FIXTURES, "macro-rows.ndjson"), "--db", db, "--create-experiment");
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("imported 5 macro rows");

    const rows = await withDb(db, (lakehouse) => macroRows(lakehouse, FIXTURE_EXPERIMENT));
    const ids = rows.map((row) => row.id);
    expect(ids).toEqual([
      -9223372036854775808n,
      18014398509481985n,
      9007199254740993n,
      9223372036854775806n,
      9223372036854775807n,
    ]);
    for (const row of rows) expect(row.id.toString()).toBe(row.id_text);

    const byId = new Map(rows.map((row) => [row.id, row]));
    const first = byId.get(9007199254740993n)!;
    expect(JSON.parse(first.output!)).toMatchObject({ Phi2: 0.6123, "Light Intensity (PAR)": 812.5 });
    // A number above 2^53 inside the output survives too (checked on the text, not through JSON.parse).
    expect(first.output).toContain('"counter":9007199254740993');
    expect(first.ts).toBe("2026-02-03 09:15:42.123456");
    const failed = byId.get(9223372036854775806n)!;
    expect(failed.output).toBeNull();
    expect(failed.macro_error).toMatch(/Timeout/);
    expect(byId.get(-9223372036854775808n)!.ts).toBe("2026-02-03 10:00:00");
    expect(byId.get(18014398509481985n)!.ts).toBe("2026-02-03 10:30:00");
    expect(JSON.parse(byId.get(18014398509481985n)!.output!)).toEqual({
      Fo: 398.5,
      Fm: 2250.5,
      Fs: 612.25,
      "Fv/Fm": 0.8229,
    });

    // Maintenance ran for the new experiment: catalog, status.
    const catalog = await withDb(db, (lakehouse) =>
      lakehouse.query<{ macro_filename: string; output_schema: string; sample_count: bigint }>(
        sql`SELECT macro_filename, output_schema, sample_count FROM centrum.experiment_macros
WHERE experiment_id = ${FIXTURE_EXPERIMENT} ORDER BY macro_filename`,
      ),
    );
    expect(catalog.map((c) => [c.macro_filename, c.sample_count])).toEqual([
      ["macro_pam_quick", 2n],
      ["macro_photosynthesis", 3n],
    ]);
    expect(catalog[0]!.output_schema).toContain("Fs: VARIANT");
    expect(catalog[1]!.output_schema).toContain("`Light Intensity (PAR)`: DOUBLE");
  });

  it("is idempotent: importing the same file again replaces the rows", async () => {
    const before = await withDb(db, macroCount);
    const r = await importCli(join(FIXTURES, "macro-rows.ndjson"), "--db", db);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("5 existing row(s) replaced");
    expect(await withDb(db, macroCount)).toBe(before);
  });

  it("rejects a file with one bad row in the middle, naming the line, and changes nothing", async () => {
    const before = await withDb(db, macroCount);
    const r = await importCli(join(FIXTURES, "macro-rows-bad-line.ndjson"), "--db", db);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/line 3, field timestamp/);
    expect(r.stderr).toContain("nothing was imported");
    expect(r.stderr).not.toMatch(/line [1245],/);
    expect(await withDb(db, macroCount)).toBe(before);
  });

  it("imports raw samples and refreshes device data from the sample JSON", async () => {
    const r = await importCli(join(FIXTURES, "samples.ndjson"), "--db", db);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("imported 2 samples");
    const [device] = await withDb(db, (lakehouse) =>
      lakehouse.query<{ device_firmware: string; total_measurements: bigint }>(
        sql`SELECT device_firmware, total_measurements FROM centrum.experiment_device_data
WHERE experiment_id = ${FIXTURE_EXPERIMENT}`,
      ),
    );
    // The later sample's JSON (a string in the file) names firmware 2.362.
    expect(device).toEqual({ device_firmware: "2.362", total_measurements: 2n });
    const ids = await withDb(db, (lakehouse) =>
      lakehouse.query<{ id: bigint; sets: string[] }>(
        sql`SELECT id, measurement_sets AS sets FROM centrum.experiment_raw_data
WHERE experiment_id = ${FIXTURE_EXPERIMENT} ORDER BY id`,
      ),
    );
    expect(ids.map((i) => i.id)).toEqual([9007199254740993n, 9223372036854775807n]);
    expect(ids[0]!.sets).toEqual(["Photosynthesis RIDES 2.0"]);
  });

  it("round-trips a Parquet export (DuckDB COPY … TO) into a fresh lakehouse", async () => {
    const experiment = demoPlan("ci", SEED).experiments[0]!;
    const parquet = join(dir, "export.parquet");
    const source = await withDb(db, async (lakehouse) => {
      await lakehouse.execute(sql`COPY (
  SELECT * FROM centrum.experiment_macro_data WHERE experiment_id = ${experiment.id}
) TO ${parquet} (FORMAT parquet)`);
      return macroRows(lakehouse, experiment.id);
    });
    expect(source.length).toBeGreaterThan(10);
    expect(readFileSync(parquet).subarray(0, 4).toString("latin1")).toBe("PAR1");

    const fresh = join(dir, "fresh.duckdb");
    const refused = await importCli(parquet, "--db", fresh);
    expect(refused.code).toBe(1);
    const r = await importCli(parquet, "--db", fresh, "--create-experiment");
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`imported ${source.length} macro rows`);
    expect(r.stdout).toContain("(parquet)");
    const back = await withDb(fresh, (lakehouse) => macroRows(lakehouse, experiment.id));
    // Parquet's variant encoding sorts object keys: compare outputs as values, everything else as is.
    const comparable = (rows: MacroRowBack[]) =>
      rows.map((row) => ({ ...row, output: row.output === null ? null : JSON.parse(row.output) }));
    expect(back.map((row) => row.id)).toEqual(source.map((row) => row.id));
    expect(comparable(back)).toEqual(comparable(source));
  });
});
