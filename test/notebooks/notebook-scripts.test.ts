/**
 * The README's notebook guide, run for real: `notebooks/centrum_notebook.py` (Debian's python3 with requests and
 * pandas) and `notebooks/centrum_notebook.R` (Rscript with httr and jsonlite) page a macro connection of a private
 * experiment with a member's token into a data frame and read the same rows from the export URL the connection
 * returned; their summaries are compared with what the real gateway process answers over GraphQL.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { type GatewayProcess, startGateway, TEST_JWT_SECRET } from "../support/gateway-process.js";

const run = promisify(execFile);
const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };

let gw: GatewayProcess;
let token: string;
let experimentId: string;
let expectedIds: string[];

interface Summary {
  pages: number;
  rows: number;
  rowIds: string[];
  exportRows: number;
  exportRowIds: string[];
  equal: boolean;
}

beforeAll(async () => {
  gw = await startGateway({});
  token = await signToken(JWT, DEMO_PERSONAS.member.id);
  const list = await gw.gql<{
    experiments: { edges: { node: { id: string; visibility: string; macros: { filename: string }[] } }[] };
  }>(`{ experiments(first: 50) { edges { node { id visibility macros { filename } } } } }`, {}, { token });
  experimentId = list
    .data!.experiments.edges.map((e) => e.node)
    .find(
      (n) => n.visibility === "PRIVATE" && n.macros.some((m) => m.filename === "macro_photosynthesis"),
    )!.id;
  const page = await gw.gql<{ experiment: { photosynthesis: { edges: { node: { rowId: string } }[] } } }>(
    `query($id: ID!) { experiment(id: $id) { photosynthesis(first: 1000, where: { Phi2: { gte: 0.2 } }) { edges { node { rowId } } } } }`,
    { id: experimentId },
    { token },
  );
  expectedIds = page.data!.experiment.photosynthesis.edges.map((e) => e.node.rowId);
  expect(expectedIds.length).toBeGreaterThan(20);
});

afterAll(async () => {
  await gw?.stop();
});

async function notebook(command: string, script: string, withToken = true): Promise<Summary> {
  const { stdout } = await run(command, [script], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      CENTRUM_URL: gw.url,
      CENTRUM_EXPERIMENT: experimentId,
      CENTRUM_PAGE_SIZE: "10",
      ...(withToken ? { CENTRUM_TOKEN: token } : {}),
    },
    timeout: 60_000,
  });
  return JSON.parse(stdout) as Summary;
}

describe("the notebook guide", () => {
  // Debian's interpreter: its python3-pandas is not on another Python's path.
  it.each([
    ["Python (requests, pandas)", "/usr/bin/python3", "notebooks/centrum_notebook.py"],
    ["R (httr, jsonlite)", "Rscript", "notebooks/centrum_notebook.R"],
  ])(
    "%s pages a macro connection into a data frame and reads the same rows from its export",
    async (_name, command, script) => {
      const summary = await notebook(command, script);
      expect(summary.pages).toBe(Math.ceil(expectedIds.length / 10));
      expect(summary.rowIds).toEqual(expectedIds);
      expect(summary.exportRowIds).toEqual(expectedIds);
      expect(summary.equal).toBe(true);
    },
  );

  it("fails without the token: the private experiment is not found, for the script as for GraphQL", async () => {
    await expect(notebook("/usr/bin/python3", "notebooks/centrum_notebook.py", false)).rejects.toThrow(
      /NOT_FOUND/,
    );
  });
});
