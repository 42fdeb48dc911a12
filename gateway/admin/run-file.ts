/**
 * The run file beside an embedded lakehouse file (`<db>.gateway.json`): a running gateway owns the file (DuckDB
 * admits one writing process), so the CLIs that would write or read it (`npm run import`, `npm run schema:print`)
 * find the gateway here and go through it instead. It holds the gateway's loopback URL and an operator token;
 * written with mode 0600, so whoever may read it may also write the database file directly — the token grants
 * nothing more than that. Removed when the gateway stops; a file whose process is gone is ignored.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";

export interface RunFile {
  readonly pid: number;
  /** Base URL of the gateway (loopback when it listens on every interface). */
  readonly url: string;
  /** The operator token (`Authorization: Bearer <token>` on `/admin/*`). */
  readonly token: string;
}

export function runFilePath(dbPath: string): string {
  return `${dbPath}.gateway.json`;
}

export function newOperatorToken(): string {
  return randomBytes(32).toString("base64url");
}

export function writeRunFile(dbPath: string, run: RunFile): void {
  writeFileSync(runFilePath(dbPath), `${JSON.stringify(run)}\n`, { mode: 0o600 });
}

/** Removes the run file if it is still this process's. */
export function removeRunFile(dbPath: string, pid = process.pid): void {
  if (readRunFile(dbPath)?.pid === pid) rmSync(runFilePath(dbPath), { force: true });
}

function readRunFile(dbPath: string): RunFile | null {
  try {
    const run = JSON.parse(readFileSync(runFilePath(dbPath), "utf8")) as RunFile;
    return typeof run.pid === "number" && typeof run.url === "string" && typeof run.token === "string"
      ? run
      : null;
  } catch {
    return null;
  }
}

/** The gateway running on `dbPath`, if its process is alive. */
export function runningGateway(dbPath: string): RunFile | null {
  const run = readRunFile(dbPath);
  if (!run) return null;
  try {
    process.kill(run.pid, 0);
    return run;
  } catch (error) {
    // EPERM: alive, but another user's process.
    return (error as NodeJS.ErrnoException).code === "EPERM" ? run : null;
  }
}
