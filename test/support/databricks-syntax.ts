/**
 * Offline syntax check of Databricks SQL with `@guanmingchiu/sqlparser-ts` (datafusion-sqlparser-rs, dialect
 * `databricks`). It parses `:name` markers as placeholders, `try_variant_get`, `to_json`, lambdas and
 * backtick identifiers. Known gaps of the parser (see lakehouse/databricks/README.md): it reads no
 * backslash escapes in string literals (so the dialect writes `'` as `\u0027`) and rejects the `?::` operator
 * (so the dialect uses `try_variant_get` / `try_cast`).
 */
import { init, parse } from "@guanmingchiu/sqlparser-ts";

await init();

export class DatabricksSyntaxError extends Error {}

/** Placeholders (`:p1`, …) in document order. */
function placeholders(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const n of node) placeholders(n, out);
  } else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "Placeholder" && typeof value === "string") out.push(value);
      else placeholders(value, out);
    }
  }
  return out;
}

/**
 * Throws (with the statement text) unless `sqlText` is exactly one statement Databricks SQL can parse.
 * Returns the parameter markers found, so callers can compare them with the bound parameters.
 */
export function assertDatabricksSyntax(sqlText: string): string[] {
  let statements: unknown[];
  try {
    statements = parse(sqlText, "databricks");
  } catch (error) {
    throw new DatabricksSyntaxError(`${(error as Error).message}\n--- statement ---\n${sqlText}`);
  }
  if (statements.length !== 1) {
    throw new DatabricksSyntaxError(
      `expected one statement, parsed ${statements.length}\n--- statement ---\n${sqlText}`,
    );
  }
  return placeholders(statements);
}
