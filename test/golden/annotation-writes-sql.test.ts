/**
 * Golden SQL of the annotation writes: each statement a mutation writes with (the ledger entry and the three kinds of
 * apply), for a fixed plan, rendered in both dialects and compared with `test/fixtures/writes/<case>.<dialect>.sql`.
 * Every Databricks statement is syntax-checked offline with its markers exactly the bound parameters.
 * `UPDATE_FIXTURES=1 npx vitest run test/golden` rewrites the files.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DatabricksDialect } from "../../lakehouse/databricks/databricks-dialect.js";
import { render, type Sql } from "../../lakehouse/sql.js";
import {
  applyStatement,
  ledgerStatement,
  type WritePlan,
} from "../../resolvers/annotations/annotation-writes.js";
import type { AnnotationRow } from "../../resolvers/loaders/request-loaders.js";
import { expectGolden } from "./golden-files.js";

const DIR = join(import.meta.dirname, "..", "fixtures", "writes");
const AT = "2026-12-01T10:00:00.000000Z";

const annotation = (id: string, rowId: string): AnnotationRow => ({
  experiment_id: "exp-1",
  annotation_id: id,
  table_name: "macro_photosynthesis",
  row_id: rowId,
  type: "flag",
  content_text: "odd",
  flag_type: "outlier",
  created_by: "user-1",
  created_by_name: "Maria Santos",
  anonymized: false,
  created_at: AT,
  updated_at: AT,
});
const added: WritePlan = {
  kind: "ADDED",
  experimentId: "exp-1",
  annotations: [annotation("a-1", "9223372036854775807"), annotation("a-2", "12")],
};

const CASES: Record<string, Sql> = {
  "ledger-entry": ledgerStatement({
    key: "k",
    userId: "user-1",
    clientMutationId: "phone-1",
    experimentId: "exp-1",
    mutation: "addAnnotations",
    hash: "h",
    attempt: "attempt-1",
    plan: added,
    at: AT,
  }),
  "apply-add": applyStatement(added)!,
  "apply-update": applyStatement({
    kind: "UPDATED",
    experimentId: "exp-1",
    previousUpdatedAt: AT,
    annotations: [
      { ...annotation("a-1", "12"), flag_type: "needs_review", updated_at: "2026-12-01T10:05:00.000000Z" },
    ],
  })!,
  "apply-delete": applyStatement({ ...added, kind: "DELETED" })!,
};

describe("golden SQL of annotation writes", () => {
  for (const [name, statement] of Object.entries(CASES)) {
    it(name, () => expectGolden(DIR, name, statement));
  }

  it("writes the Databricks add as one MERGE keyed on the annotation id, and the ledger on the request key", () => {
    const text = (s: Sql) => render(s, new DatabricksDialect({ catalog: "main", schema: "centrum" })).text;
    expect(text(CASES["apply-add"]!)).toMatch(
      /^MERGE INTO .* ON t\.`annotation_id` = s\.`annotation_id` WHEN NOT MATCHED THEN INSERT/s,
    );
    expect(text(CASES["ledger-entry"]!)).toMatch(
      /^MERGE INTO .*experiment_annotation_requests.* ON t\.`request_key` = s\.`request_key` WHEN NOT MATCHED/s,
    );
  });
});
