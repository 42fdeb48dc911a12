/**
 * Golden SQL files: a statement rendered in both dialects (Databricks syntax-checked offline, its markers exactly
 * the bound parameters), compared with `<dir>/<case>.<dialect>.sql`, or written there with `UPDATE_FIXTURES=1`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { DatabricksDialect } from "../../lakehouse/databricks/databricks-dialect.js";
import { DuckDbDialect } from "../../lakehouse/duckdb/duckdb-dialect.js";
import { type BoundParam, render, type Sql } from "../../lakehouse/sql.js";
import type { TableShape } from "../../lakehouse/table-shapes.js";
import { assertDatabricksSyntax } from "../support/databricks-syntax.js";
import { expectWarehouseAccepts } from "../support/spark-analysis.js";

const UPDATE = process.env.UPDATE_FIXTURES === "1";

export function renderGolden(
  statement: Sql,
  databricks: boolean,
  formatValue: (p: BoundParam) => unknown = (p) => p.value,
  shape: TableShape = "centrum",
): string {
  const dialect = databricks
    ? new DatabricksDialect({ catalog: "main", schema: "centrum", shape })
    : new DuckDbDialect("centrum", shape);
  const { text, params } = render(statement, dialect);
  if (databricks) {
    expect(assertDatabricksSyntax(text)).toEqual(params.map((p) => `:${p.name}`));
    expectWarehouseAccepts(text, params);
  }
  const list = params.map((p) => `${p.name} = ${JSON.stringify(formatValue(p))} (${p.type})`).join(", ");
  return `-- params: ${list}\n${text};\n`;
}

/**
 * Checks (or with UPDATE_FIXTURES=1 writes) both dialects' files of one case; for a table shape other than
 * `centrum`, `<case>.<shape>.<dialect>.sql`.
 */
export function expectGolden(
  dir: string,
  name: string,
  statement: Sql,
  formatValue?: (p: BoundParam) => unknown,
  shape: TableShape = "centrum",
): void {
  mkdirSync(dir, { recursive: true });
  for (const [suffix, databricks] of [
    ["duckdb", false],
    ["databricks", true],
  ] as const) {
    const path = join(dir, shape === "centrum" ? `${name}.${suffix}.sql` : `${name}.${shape}.${suffix}.sql`);
    const actual = renderGolden(statement, databricks, formatValue, shape);
    if (UPDATE) writeFileSync(path, actual);
    else {
      expect(existsSync(path), `${path} is missing; run with UPDATE_FIXTURES=1`).toBe(true);
      expect(actual).toBe(readFileSync(path, "utf8"));
    }
  }
}
