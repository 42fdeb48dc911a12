/**
 * The real server process on the embedded lakehouse in openJII's production shape (`TABLE_SHAPE=openjii`): a new
 * file is seeded and converted, served (typed pages, samples, the catalog from `experiment_table_metadata`, typed
 * answers from its computed `questions_schema`),
 * reopened as it is on the next start; a file of the other shape is refused with a message that says what to do,
 * never converted or half-written.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, startGateway, tempDir } from "../support/gateway-process.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const DASHBOARD = `{
  macros { filename }
  experiments(first: 20) { edges { node { id
    samples(first: 3) { edges { node { rowId questions { label answer } } } }
    photosynthesis(first: 5, orderBy: [{ field: userId }]) {
      totalCount edges { node { rowId Phi2 questions { label answer } sample { rowId } } }
    }
  } } }
}`;

const ANSWERS = `query($id: ID!) {
  macros { filename answersTypeName answers { key name type } }
  experiment(id: $id) { id
    photosynthesis(first: 20, where: { answers: { plot: { startsWith: "P-0" } } },
                   orderBy: [{ field: answers_plot, direction: DESC }]) {
      totalCount edges { node { rowId questions { label answer } answers { plot treatment } } }
    }
  }
}`;

interface AnswersPage {
  macros: {
    filename: string;
    answersTypeName: string | null;
    answers: { key: string; name: string; type: string }[];
  }[];
  experiment: {
    photosynthesis: {
      totalCount: number;
      edges: {
        node: {
          rowId: string;
          questions: { label: string; answer: string | null }[];
          answers: { plot: string | null; treatment: string | null };
        };
      }[];
    };
  };
}

interface Dashboard {
  macros: { filename: string }[];
  experiments: {
    edges: {
      node: {
        id: string;
        samples: { edges: { node: { rowId: string; questions: { label: string }[] } }[] };
        photosynthesis: {
          totalCount: number;
          edges: { node: { rowId: string; Phi2: number | null; sample: { rowId: string } | null } }[];
        };
      };
    }[];
  };
}

describe("the gateway on openJII's production shape", () => {
  it("seeds a new file in the production shape, serves it, and reopens it as it is", async () => {
    const dir = tempDir("centrum-openjii-");
    dirs.push(dir);
    // Asked to simulate ingest, it does not: the production shape's data tables are the pipeline's.
    const first = await startGateway({ dir, env: { TABLE_SHAPE: "openjii", SIMULATE: "true" } });
    try {
      expect(first.output()).toMatch(/seeded in/);
      expect(first.output()).toMatch(/simulated ingest is off/);
      const res = await first.gql<Dashboard>(DASHBOARD);
      expect(res.errors).toBeUndefined();
      const data = res.data!;
      expect(data.macros.map((m) => m.filename)).toContain("macro_photosynthesis");
      const withRows = data.experiments.edges.filter((e) => e.node.photosynthesis.totalCount > 0);
      expect(withRows.length).toBeGreaterThan(0);
      for (const { node } of withRows) {
        for (const { node: m } of node.photosynthesis.edges) {
          expect(m.rowId).toMatch(/^\d+$/);
          // The row id is the sample's (raw_id), so the measurement's sample is found by it.
          expect(m.sample?.rowId).toBe(m.rowId);
        }
      }
      const questions = withRows.flatMap((e) => e.node.samples.edges.flatMap((s) => s.node.questions));
      expect(questions.length).toBeGreaterThan(0);

      // Typed answers from the questions_schema the conversion computed (the demo's answers are text: String),
      // read from questions_data, filtered and ordered by in the page statement.
      const experimentId = withRows[0]!.node.id;
      const answers = await first.gql<AnswersPage>(ANSWERS, { id: experimentId });
      expect(answers.errors).toBeUndefined();
      const photosynthesis = answers.data!.macros.find((m) => m.filename === "macro_photosynthesis")!;
      expect(photosynthesis.answersTypeName).toBe("PhotosynthesisAnswers");
      expect(photosynthesis.answers).toContainEqual({ key: "plot", name: "plot", type: "String" });
      const page = answers.data!.experiment.photosynthesis;
      expect(page.totalCount).toBeGreaterThan(0);
      const plots = page.edges.map((e) => e.node.answers.plot);
      expect(plots).toEqual([...plots].sort().reverse());
      for (const { node } of page.edges) {
        const text = new Map(node.questions.map((q) => [q.label, q.answer]));
        expect(node.answers).toEqual({ plot: text.get("plot"), treatment: text.get("treatment") ?? null });
        expect(node.answers.plot?.startsWith("P-0")).toBe(true);
      }
    } finally {
      await first.stop();
    }

    let macrosBefore: string[] = [];
    const again = await startGateway({ dir, env: { TABLE_SHAPE: "openjii" } });
    try {
      expect(again.output()).not.toMatch(/seeding/);
      const res = await again.gql<Dashboard>("{ macros { filename } }");
      macrosBefore = res.data!.macros.map((m) => m.filename).sort();
      expect(macrosBefore).toContain("macro_photosynthesis");
    } finally {
      await again.stop();
    }

    // The file is in the production shape: the centrum shape refuses it, with what to do.
    await expect(startGateway({ dir })).rejects.toThrow(/TABLE_SHAPE=openjii/);
    // So does the importer: openJII's pipeline writes the production shape's data tables, not the gateway.
    const imported = await runCli("gateway/cli/import.ts", [
      join("test", "fixtures", "import", "macro-rows.ndjson"),
      "--db",
      join(dir, "centrum.duckdb"),
    ]);
    expect(imported.code).not.toBe(0);
    expect(imported.stderr + imported.stdout).toMatch(/production shape.*TABLE_SHAPE=openjii/s);
    const after = await startGateway({ dir, env: { TABLE_SHAPE: "openjii" } });
    try {
      const res = await after.gql<Dashboard>("{ macros { filename } }");
      expect(res.data!.macros.map((m) => m.filename).sort()).toEqual(macrosBefore);
    } finally {
      await after.stop();
    }
    expect(existsSync(join(dir, "centrum.duckdb"))).toBe(true);
  }, 180_000);

  it("refuses a file that holds centrum-shaped data instead of converting it", async () => {
    const dir = tempDir("centrum-openjii-");
    dirs.push(dir);
    const centrum = await startGateway({ dir });
    await centrum.stop();
    await expect(startGateway({ dir, env: { TABLE_SHAPE: "openjii" } })).rejects.toThrow(
      /holds data in the centrum shape/,
    );
    // Still the centrum file it was: the centrum shape serves it.
    const back = await startGateway({ dir });
    try {
      const res = await back.gql<Dashboard>("{ macros { filename } }");
      expect(res.data!.macros.length).toBeGreaterThan(0);
    } finally {
      await back.stop();
    }
  }, 180_000);
});
