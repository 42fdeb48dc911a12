/**
 * What `/readyz` reads: one row of each table the gateway serves from, in one statement, so a lost warehouse, a
 * missing grant, or a truncated or corrupt file turns readiness red with the lakehouse's code — not just a
 * `SELECT 1` that any connection answers.
 */
import type { CentrumTable } from "./dialect.js";
import { isCodedError } from "./errors.js";
import type { Lakehouse, LakehouseHealth } from "./lakehouse.js";
import { join, type Sql, sql, table } from "./sql.js";

/** The tables every deployment reads (the catalog table is added by the caller). */
export const SERVED_TABLES: readonly CentrumTable[] = [
  "experiments",
  "experiment_members",
  "experiment_raw_data",
  "experiment_macro_data",
  "experiment_device_data",
  "experiment_contributors",
  "experiment_annotations",
  "experiment_status",
];

export function readinessStatement(tables: readonly CentrumTable[]): Sql {
  return join(
    tables.map((t) => sql`SELECT count(*) AS n FROM (SELECT 1 AS one FROM ${table(t)} LIMIT 1) AS probe`),
    " UNION ALL ",
  );
}

/** A real read of every table; never throws. */
export async function readTables(
  lakehouse: Lakehouse,
  tables: readonly CentrumTable[],
): Promise<LakehouseHealth> {
  try {
    await lakehouse.query(readinessStatement(tables));
    return { ok: true, detail: `${lakehouse.kind} ok: ${tables.length} tables readable` };
  } catch (error) {
    return isCodedError(error)
      ? { ok: false, detail: error.message, code: error.code }
      : { ok: false, detail: "The lakehouse could not be read.", code: "LAKEHOUSE_ERROR" };
  }
}
