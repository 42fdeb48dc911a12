/**
 * First start: `npm start` on an empty data folder with the default (`demo`) preset, timed from spawning the
 * process to the `listening on …/graphql` line. Everything else is left at its default (the ingest simulation
 * runs, as it does for a newcomer); only the port (0: any free one) and the data folder (a temp dir) are set.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface FirstStartResult {
  /** Spawn → `listening` line, milliseconds. */
  readonly listeningMs: number;
  /** What the server itself reports: `seeded in X s` and `ready in X s` (from its own start, without npm). */
  readonly seededS: number | null;
  readonly readyS: number | null;
}

export async function benchFirstStart(options: { timeoutMs?: number } = {}): Promise<FirstStartResult> {
  const dir = mkdtempSync(join(tmpdir(), "centrum-first-start-"));
  const started = performance.now();
  // Own process group, so npm and the server it spawns are stopped together (by this group's id only).
  const child = spawn("npm", ["start", "--silent"], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: "0", DUCKDB_PATH: join(dir, "data", "centrum.duckdb") },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  try {
    const listeningMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`npm start did not listen in time:\n${output}`)),
        options.timeoutMs ?? 180_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/listening on http:\/\/\S+\/graphql/.test(output)) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code} before listening:\n${output}`));
      });
    });
    // The `ready in` line follows the tokens; give it a moment.
    await new Promise((r) => setTimeout(r, 500));
    const number = (re: RegExp) => {
      const m = re.exec(output);
      return m ? Number(m[1]) : null;
    };
    return { listeningMs, seededS: number(/seeded in ([\d.]+) s/), readyS: number(/ready in ([\d.]+) s/) };
  } finally {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
