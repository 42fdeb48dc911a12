/**
 * Golden SQL of the access snapshot (who may read which catalog experiment, read with the catalog for the
 * per-access-set schemas) in both dialects, Databricks syntax-checked. `UPDATE_FIXTURES=1` rewrites the files.
 */
import { join } from "node:path";
import { describe, it } from "vitest";
import { accessSnapshotStatement } from "../../resolvers/access/catalog-access.js";
import { expectGolden } from "./golden-files.js";

const DIR = join(import.meta.dirname, "..", "fixtures", "catalog");

describe("access snapshot SQL", () => {
  it("reads public experiments and the memberships of the others in one statement", () => {
    expectGolden(DIR, "access-snapshot", accessSnapshotStatement());
  });
});
