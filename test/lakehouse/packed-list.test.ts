/**
 * `inValues`: a short list is one parameter per value, a long one a single JSON-array parameter the dialect unpacks.
 * On real DuckDB both match exactly the listed rows — 64-bit ids beyond 2^53 and strings with quotes, commas and
 * brackets included — and the Databricks form parses with its one bind.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabricksDialect } from "../../lakehouse/databricks/databricks-dialect.js";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import type { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import { ident, inValues, PACKED_LIST_MIN, render, sql } from "../../lakehouse/sql.js";
import { assertDatabricksSyntax } from "../support/databricks-syntax.js";

const BIG = 9_007_199_254_740_993n; // 2^53 + 1: not a double
const ids = (n: number) => Array.from({ length: n }, (_, i) => BIG + BigInt(i) * 2n);
const texts = (n: number) => Array.from({ length: n }, (_, i) => `row "${i}", [x]'s`);

let duck: DuckDbLakehouse;

beforeAll(async () => {
  duck = await openCentrumDuckDb(":memory:");
  await duck.runScript(`CREATE TEMP TABLE probe AS
    SELECT 9007199254740993 + i AS id, 'row "' || (i // 2) || '", [x]''s' AS label FROM range(0, 4000) t(i)`);
});

afterAll(() => duck?.close());

const matching = async (where: ReturnType<typeof inValues>) =>
  (await duck.query<{ id: bigint }>(sql`SELECT id FROM probe WHERE ${where} ORDER BY id`)).map((r) => r.id);

describe("inValues", () => {
  it("binds a short list value by value and a long one as one parameter", () => {
    const short = render(inValues(ident("id"), ids(PACKED_LIST_MIN - 1)), duck.dialect);
    expect(short.params).toHaveLength(PACKED_LIST_MIN - 1);
    const long = render(inValues(ident("id"), ids(1000)), duck.dialect);
    expect(long.params).toHaveLength(1);
    expect(long.text).not.toContain("9007199254740993");
  });

  it.each([1, PACKED_LIST_MIN - 1, PACKED_LIST_MIN, 1000])(
    "matches exactly the listed 64-bit ids (%i of them)",
    async (n) => {
      const wanted = ids(n).filter((id) => id < BIG + 4000n);
      expect(await matching(inValues(ident("id"), ids(n)))).toEqual(wanted);
    },
  );

  it("matches exactly the listed strings, whatever they hold", async () => {
    const wanted = texts(40);
    const rows = await duck.query<{ label: string }>(
      sql`SELECT DISTINCT label FROM probe WHERE ${inValues(ident("label"), wanted)} ORDER BY label`,
    );
    expect(rows.map((r) => r.label)).toEqual([...wanted].sort());
  });

  it("matches nothing for an empty list", async () => {
    expect(await matching(inValues(ident("id"), []))).toEqual([]);
  });

  it("renders for Databricks with one bind that parses", () => {
    const dialect = new DatabricksDialect();
    for (const list of [ids(500), texts(500)]) {
      const { text, params } = render(
        sql`SELECT id FROM t WHERE ${inValues(ident("id"), list as bigint[] | string[])}`,
        dialect,
      );
      expect(params).toHaveLength(1);
      expect(assertDatabricksSyntax(text)).toEqual([`:${params[0]!.name}`]);
    }
  });
});
