/** The dialects' idempotent write: runs on real DuckDB, and the Databricks MERGE parses with its binds in order. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabricksDialect } from "../../lakehouse/databricks/databricks-dialect.js";
import type { UpsertWrite } from "../../lakehouse/dialect.js";
import { openCentrumDuckDb } from "../../lakehouse/duckdb/bootstrap.js";
import type { DuckDbLakehouse } from "../../lakehouse/duckdb/duckdb-lakehouse.js";
import { render, sql, table } from "../../lakehouse/sql.js";
import { assertDatabricksSyntax } from "../support/databricks-syntax.js";

const user = (id: string, first: string, email: string | null) => [sql`${id}`, sql`${first}`, sql`${email}`];
const write = (rows: ReturnType<typeof user>[], update?: string[]): UpsertWrite => ({
  table: "users",
  columns: ["user_id", "first_name", "email"],
  rows,
  key: ["user_id"],
  update,
});

describe("upsert on DuckDB", () => {
  let duck: DuckDbLakehouse;
  beforeAll(async () => {
    duck = await openCentrumDuckDb(":memory:");
  });
  afterAll(() => duck?.close());

  const users = () =>
    duck.query<{ user_id: string; first_name: string; email: string | null }>(
      sql`SELECT user_id, first_name, email FROM ${table("users")} WHERE user_id LIKE 'u-upsert-%' ORDER BY user_id`,
    );

  it("inserts new rows and leaves existing ones as they are when nothing is to update", async () => {
    await duck.execute(duck.dialect.upsert(write([user("u-upsert-1", "Ada", null)])));
    await duck.execute(
      duck.dialect.upsert(write([user("u-upsert-1", "Changed", "x@y"), user("u-upsert-2", "Bo", null)])),
    );
    expect(await users()).toEqual([
      { user_id: "u-upsert-1", first_name: "Ada", email: null },
      { user_id: "u-upsert-2", first_name: "Bo", email: null },
    ]);
  });

  it("overwrites the update columns of a matching row, and only those", async () => {
    await duck.execute(duck.dialect.upsert(write([user("u-upsert-2", "Bob", "bob@example.org")], ["email"])));
    expect((await users())[1]).toEqual({ user_id: "u-upsert-2", first_name: "Bo", email: "bob@example.org" });
  });

  it("runs two copies of the same write at once into one row", async () => {
    const once = () => duck.execute(duck.dialect.upsert(write([user("u-upsert-3", "Cy", null)])));
    await Promise.allSettled([once(), once()]);
    await once();
    expect((await users()).filter((u) => u.user_id === "u-upsert-3")).toHaveLength(1);
  });
});

describe("upsert on Databricks", () => {
  const dialect = new DatabricksDialect({ catalog: "main", schema: "centrum" });

  it("is one MERGE keyed on the key columns that parses, every value bound", () => {
    for (const update of [undefined, ["email"]]) {
      const { text, params } = render(
        dialect.upsert(write([user("a", "A", null), user("b", "B", "b@x")], update)),
        dialect,
      );
      expect(text).toMatch(/^MERGE INTO `main`\.`centrum`\.`users` AS t USING \(VALUES/);
      expect(text).toContain("ON t.`user_id` = s.`user_id`");
      expect(text.includes("WHEN MATCHED THEN UPDATE SET t.`email` = s.`email`")).toBe(update !== undefined);
      expect(assertDatabricksSyntax(text)).toEqual(params.map((p) => `:${p.name}`));
      expect(params.map((p) => p.value)).toEqual(["a", "A", null, "b", "B", "b@x"]);
    }
  });
});
