/**
 * Golden SQL of the subscription statements: the poll (macro branches with their selected paths, samples, access
 * fingerprints), a replay and the start statement, rendered in both dialects and compared with
 * `test/fixtures/streams/<case>.<dialect>.sql`. Every Databricks statement is syntax-checked offline with its
 * markers exactly the bound parameters. `UPDATE_FIXTURES=1 npx vitest run test/golden` rewrites the files.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DuckDbDialect } from "../../lakehouse/duckdb/duckdb-dialect.js";
import { render, type Sql } from "../../lakehouse/sql.js";
import { ExperimentAccess } from "../../resolvers/access/experiment-access.js";
import { headPosition } from "../../resolvers/streams/stream-position.js";
import {
  leafKey,
  type PollPlan,
  pollStatement,
  startStatement,
} from "../../resolvers/streams/stream-statements.js";
import { expectGolden } from "./golden-files.js";

const DIR = join(import.meta.dirname, "..", "fixtures", "streams");

const leaf = (path: string[], cast: "double" | "string" | "json" | { list: "double" }) => ({
  key: leafKey(path, cast),
  path,
  cast,
});

const poll: PollPlan = {
  measurements: [
    {
      macroFilename: "macro_photosynthesis",
      leaves: [
        leaf(["Phi2"], "double"),
        leaf(["Light Intensity (PAR)"], "double"),
        leaf(["messages", "info"], { list: "double" }),
      ],
      output: false,
      experiments: [
        {
          experimentId: "exp-1",
          after: { pos: 1796170807035000n, file: "macro_leaf_environment", id: 9223372036854775807n },
        },
        { experimentId: "exp-2", after: headPosition(1796170807533000n) },
      ],
    },
    {
      macroFilename: "macro_spad",
      leaves: [leaf(["SPAD"], "double")],
      output: true,
      experiments: [
        { experimentId: "exp-1", after: { pos: 1796170807035000n, file: "macro_spad", id: 12n } },
      ],
    },
  ],
  samples: [{ experimentId: "exp-1", after: { pos: 1796170807035000n, file: "", id: 5n } }],
  meta: ["exp-1", "exp-2"],
  limit: 5000,
};

const CASES: Record<string, Sql> = {
  poll: pollStatement(poll).statement,
  "replay-samples": pollStatement({
    measurements: [],
    samples: [{ experimentId: "exp-1", after: headPosition(null) }],
    meta: [],
    limit: 10_001,
  }).statement,
  start: startStatement(new ExperimentAccess({ userId: "user-1", name: null }), "exp-1"),
};

describe("golden SQL of the subscription statements", () => {
  for (const [name, statement] of Object.entries(CASES)) {
    it(name, () => expectGolden(DIR, name, statement, (p) => String(p.value)));
    it(`${name} in openJII's production shape`, () =>
      expectGolden(DIR, name, statement, (p) => String(p.value), "openjii"));
  }

  it("binds every position, id, experiment and macro; the SQL text holds none of them", () => {
    const { text } = render(CASES.poll!, new DuckDbDialect());
    for (const value of ["exp-1", "9223372036854775807", "1796170807035000", "macro_spad'"]) {
      expect(text).not.toContain(value);
    }
  });
});
