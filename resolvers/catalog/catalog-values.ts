/** Conversions of catalog rows (normalized lakehouse values) to `CatalogEntry` fields. */
import { empty, join, type Sql, sql } from "../../lakehouse/sql.js";

export function toBigIntCount(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isFinite(value)) return BigInt(Math.trunc(value));
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  return 0n;
}

export function toNullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** `<keyword> column IN (…)` for the requested experiments, or nothing when all experiments are wanted. */
export function experimentFilter(
  keyword: "WHERE" | "AND",
  column: Sql,
  experimentIds: readonly string[] | undefined,
): Sql {
  if (experimentIds === undefined) return empty;
  const ids = join(experimentIds.map((id) => sql`${id}`));
  return keyword === "WHERE" ? sql`\nWHERE ${column} IN (${ids})` : sql`\n  AND ${column} IN (${ids})`;
}
