/**
 * Opens the embedded lakehouse ready for use: the DuckDB file (created on first use), the centrum tables
 * (idempotent DDL).
 *
 * VARIANT columns need DuckDB storage version ≥ v1.5.0, but a new database file gets the old default storage
 * version unless told otherwise. So a file that does not exist yet is created first by a short-lived instance
 * with `storage_compatibility_version = 'v1.5.0'`; DuckDB keeps a file's storage version for its lifetime.
 * (`DuckDbLakehouse.open` also attaches with that storage version.)
 *
 * VARIANT shredding is switched off in `DuckDbLakehouse.open` (`variant_minimum_shredding_size = -1`), measured
 * here: DuckDB 1.5 shreds VARIANT row
 * groups at checkpoint, and reading shredded values back is several times slower for exactly what the gateway
 * does (measured on 250k photosynthesis rows: `TRY_CAST(v['Phi2'] AS DOUBLE) > 0.5` 7.7 s → 1.1 s,
 * `CAST(v AS JSON)` 9.0 s → 3.4 s, `arg_max(v, …)` 8.5 s → 0.5 s), and the checkpoint itself is slow. The price
 * is a file about 3× larger.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { LakehouseUnavailableError } from "../errors.js";
import { sql, table } from "../sql.js";
import { CENTRUM_DDL } from "./centrum-ddl.js";
import { DuckDbLakehouse, type DuckDbLakehouseOptions, mapDuckDbError } from "./duckdb-lakehouse.js";
import { convertToOpenjiiShape, isOpenjiiShaped } from "./openjii-shape.js";

export const VARIANT_STORAGE_VERSION = "v1.5.0";

function isInMemory(path: string): boolean {
  return path === ":memory:" || path.startsWith(":memory:");
}

/** Creates an empty database file with a storage version that supports VARIANT (no-op if it exists). */
export async function createDatabaseFile(path: string): Promise<void> {
  if (isInMemory(path) || existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  try {
    const instance = await DuckDBInstance.create(path, {
      storage_compatibility_version: VARIANT_STORAGE_VERSION,
    });
    instance.closeSync();
  } catch (error) {
    throw mapDuckDbError(error);
  }
}

/** Opens (creating if needed) the DuckDB lakehouse at `path` and makes sure every centrum table exists. */
export async function openCentrumDuckDb(
  path: string,
  options: Omit<DuckDbLakehouseOptions, "path"> = {},
): Promise<DuckDbLakehouse> {
  if (!options.readOnly) await createDatabaseFile(path);
  const lakehouse = await DuckDbLakehouse.open({ ...options, path });
  if (options.readOnly) return lakehouse;
  try {
    if (await isOpenjiiShaped(lakehouse)) {
      throw new LakehouseUnavailableError(
        `The lakehouse file ${path} is in openJII's production shape, whose data tables openJII's pipeline ` +
          "writes (not the gateway, the importer or the seed): serve it with TABLE_SHAPE=openjii.",
      );
    }
    await lakehouse.runScript(CENTRUM_DDL);
  } catch (error) {
    await lakehouse.close();
    const message = String((error as { detail?: unknown }).detail ?? error);
    if (/storage version/i.test(message)) {
      throw new LakehouseUnavailableError(
        `The lakehouse file ${path} uses a DuckDB storage version without VARIANT support; ` +
          "delete it (or re-seed with --force) so it is created anew.",
        error,
      );
    }
    throw error;
  }
  return lakehouse;
}

/** True when the lakehouse has no experiments yet (a fresh file: seed it). */
export async function isEmpty(lakehouse: DuckDbLakehouse): Promise<boolean> {
  const rows = await lakehouse.query(sql`SELECT count(*) AS n FROM ${table("experiments")}`);
  return BigInt(rows[0]?.n as bigint | number) === 0n;
}

/**
 * Opens the embedded lakehouse at `path` in openJII's production shape (`TABLE_SHAPE=openjii`): a file already in
 * that shape is opened as it is; a new or empty file gets the centrum tables, `prepare` (the demo seed) writes
 * them, and they are converted (`convertToOpenjiiShape`) before the file is opened in the production shape. A
 * file that holds centrum-shaped data is refused, never converted: its owner chooses.
 */
export async function openOpenjiiDuckDb(
  path: string,
  options: Omit<DuckDbLakehouseOptions, "path" | "shape" | "readOnly">,
  prepare: (centrum: DuckDbLakehouse) => Promise<void>,
): Promise<DuckDbLakehouse> {
  await createDatabaseFile(path);
  const probe = await DuckDbLakehouse.open({ ...options, path, connections: 1 });
  try {
    if (!(await isOpenjiiShaped(probe))) {
      await probe.runScript(CENTRUM_DDL);
      if (!(await isEmpty(probe))) {
        throw new LakehouseUnavailableError(
          `The lakehouse file ${path} holds data in the centrum shape; TABLE_SHAPE=openjii needs a file in ` +
            "openJII's production shape: start on a new DUCKDB_PATH (it is seeded in that shape), or unset TABLE_SHAPE.",
        );
      }
      await prepare(probe);
      await convertToOpenjiiShape(probe);
    }
  } finally {
    await probe.close();
  }
  return DuckDbLakehouse.open({ ...options, path, shape: "openjii" });
}
