/**
 * `npm run import` and `npm run schema:print` against a running gateway (the real process owns its DuckDB file):
 * the CLI finds it through the run file and sends the file; the gateway imports it while serving and refreshes at
 * once, so a new macro's typed field is queryable when the CLI returns, while a concurrent query loop sees no
 * failed request. A file that fails validation writes nothing; only the operator and experiment admins import.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runFilePath } from "../../gateway/admin/run-file.js";
import { signToken } from "../../gateway/auth/jwt.js";
import { DEMO_PERSONAS } from "../../lakehouse/demo/demo-users.js";
import { type GatewayProcess, startGateway, TEST_JWT_SECRET, tempDir } from "../support/gateway-process.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const JWT = { secret: TEST_JWT_SECRET, issuer: "centrum-gateway", audience: "centrum" };

let gw: GatewayProcess;
let dir: string;
let dbFile: string;
let experimentId: string;

function cli(script: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", script, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: "test", DUCKDB_PATH: dbFile, JWT_SECRET: TEST_JWT_SECRET },
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

function macroFile(
  name: string,
  rows: { id: bigint; output: unknown }[],
  filename = "macro_live_import",
): string {
  const path = join(dir, name);
  const lines = rows.map((r) =>
    JSON.stringify({
      experiment_id: experimentId,
      id: Number.MAX_SAFE_INTEGER, // replaced below: ids stay exact as text
      macro_name: "Live import",
      macro_filename: filename,
      timestamp: "2026-03-01T10:00:00.123456Z",
      macro_output: r.output,
    }).replace(`${Number.MAX_SAFE_INTEGER}`, r.id.toString()),
  );
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** A query loop that records every failed request until stopped. */
function queryLoop(): { stop: () => Promise<{ requests: number; failures: string[] }> } {
  let running = true;
  let requests = 0;
  const failures: string[] = [];
  const done = (async () => {
    while (running) {
      requests++;
      try {
        const res = await gw.gql(`{ experiments(first: 5) { totalCount edges { node { id } } } }`);
        if (res.errors?.length) failures.push(JSON.stringify(res.errors));
      } catch (error) {
        failures.push(String(error));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { requests, failures };
    },
  };
}

beforeAll(async () => {
  dir = tempDir("centrum-import-serving-");
  dbFile = join(dir, "centrum.duckdb");
  // A catalog poll far away: what the import shows, it shows because the import refreshed, not the poll.
  gw = await startGateway({ dir, dbFile, env: { CATALOG_POLL_MS: "600000", RATE_LIMIT_POINTS: "1000000" } });
  const res = await gw.gql<{ experiments: { edges: { node: { id: string; visibility: string } }[] } }>(
    `{ experiments(first: 20) { edges { node { id visibility } } } }`,
  );
  experimentId = res.data!.experiments.edges.find((e) => e.node.visibility === "PUBLIC")!.node.id;
}, 120_000);

afterAll(async () => {
  await gw?.stop();
});

it("writes a run file beside the database while serving, with the operator token readable by the owner only", () => {
  const run = JSON.parse(readFileSync(runFilePath(dbFile), "utf8")) as {
    pid: number;
    url: string;
    token: string;
  };
  expect(run.pid).toBe(gw.pid);
  expect(run.url).toBe(gw.url);
  expect(run.token.length).toBeGreaterThanOrEqual(40);
});

it("imports a new macro into the running gateway: typed at once, no failed request meanwhile", async () => {
  const file = macroFile("live.ndjson", [
    { id: 9_007_199_254_740_993n, output: { live_reading: 1.25, live_note: "first" } },
    { id: 9_007_199_254_740_995n, output: { live_reading: 2.5, live_note: "second" } },
  ]);
  const loop = queryLoop();
  const imported = await cli("gateway/cli/import.ts", file);
  // Queried right after the CLI returns: no poll to wait for.
  const typed = await gw.gql<{
    experiment: {
      liveImport: { totalCount: number; edges: { node: { rowId: string; live_reading: number } }[] };
    };
  }>(
    `query($id: ID!) { experiment(id: $id) { liveImport(first: 5, orderBy: [{ field: rowId, direction: ASC }]) {
        totalCount edges { node { rowId live_reading } } } } }`,
    { id: experimentId },
  );
  const { requests, failures } = await loop.stop();
  expect(imported.stderr).toBe("");
  expect(imported.code).toBe(0);
  expect(imported.stdout, imported.stdout).toMatch(/imported 2 macro rows .*\(through the gateway/);
  expect(typed.errors, JSON.stringify(typed.errors)).toBeUndefined();
  expect(typed.data!.experiment.liveImport.edges.map((e) => [e.node.rowId, e.node.live_reading])).toEqual([
    ["9007199254740993", 1.25],
    ["9007199254740995", 2.5],
  ]);
  expect(requests).toBeGreaterThan(0);
  expect(failures).toEqual([]);
});

it("writes nothing for a file that fails validation, and keeps serving", async () => {
  const good = { live_reading: 3, live_note: "never stored" };
  const path = macroFile("bad.ndjson", [{ id: 1n, output: good }], "macro_never_imported");
  writeFileSync(path, `${readFileSync(path, "utf8")}{"experiment_id": 42, "broken": \n`);
  const result = await cli("gateway/cli/import.ts", path);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/nothing was imported/);
  expect(result.stderr).toMatch(/line 2/);
  const macros = await gw.gql<{ macros: { filename: string }[] }>(`{ macros { filename } }`);
  expect(macros.data!.macros.map((m) => m.filename)).not.toContain("macro_never_imported");
});

it("lets the operator and the experiment's admins import, and nobody else", async () => {
  const body = readFileSync(
    macroFile("by-user.ndjson", [{ id: 77n, output: { live_reading: 7, live_note: "by a user" } }]),
  );
  const post = (token?: string) =>
    fetch(`${gw.url}/admin/import`, {
      method: "POST",
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body,
    }).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as { error?: { code: string } },
    }));
  // Maria administers every demo experiment; Jonas is a member of this one, not an admin.
  const member = await post(await signToken(JWT, DEMO_PERSONAS.member.id));
  expect([member.status, member.body.error?.code]).toEqual([403, "FORBIDDEN"]);
  const anonymous = await post();
  expect([anonymous.status, anonymous.body.error?.code]).toEqual([401, "UNAUTHENTICATED"]);
  const forged = await post("not-the-operator-token");
  expect([forged.status, forged.body.error?.code]).toEqual([401, "UNAUTHENTICATED"]);
  const admin = await post(await signToken(JWT, DEMO_PERSONAS.admin.id));
  expect(admin.status).toBe(200);
  const row = await gw.gql<{ experiment: { liveImport: { totalCount: number } } }>(
    `query($id: ID!) { experiment(id: $id) { liveImport(first: 1) { totalCount } } }`,
    { id: experimentId },
  );
  expect(row.data!.experiment.liveImport.totalCount).toBe(3);
});

it("prints the whole catalog's schema through the running gateway", async () => {
  const out = join(dir, "schema.graphql");
  const result = await cli("gateway/cli/schema-print.ts", "--out", out);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/from the gateway running on/);
  expect(existsSync(out)).toBe(true);
  expect(readFileSync(out, "utf8")).toMatch(/type LiveImportMeasurement implements Measurement/);
});
