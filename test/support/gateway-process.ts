/**
 * Starts the real gateway process (`gateway/cli/start.ts`) on a free port and talks to it over HTTP, exactly as a
 * client would. Each process gets its own DuckDB file in a temp folder.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: { code?: string } & Record<string, unknown>;
  }[];
  extensions?: {
    statements?: { count: number; list?: { text: string; paramCount: number; rows: number }[] };
  };
}

export interface GatewayProcess {
  readonly url: string;
  readonly pid: number;
  readonly dir: string;
  readonly output: () => string;
  /** Resolves with the first output line matching `pattern` (waits on the process's output events). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves once `count` output lines match `pattern` (waits on the process's output events). */
  waitForLines(pattern: RegExp, count: number, timeoutMs?: number): Promise<void>;
  /** How many output lines match `pattern` so far. */
  countLines(pattern: RegExp): number;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  get(path: string): Promise<Response>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const TEST_JWT_SECRET = "integration-test-secret-0123456789";

/** One GraphQL request over HTTP, as a client sends it (a bearer token when given). */
export async function postGraphQL<T>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(url, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as GraphQLResponse<T>;
}

export function tempDir(prefix = "centrum-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startGateway(options: {
  env?: Record<string, string>;
  dir?: string;
  dbFile?: string;
  timeoutMs?: number;
  /** The entry script (default `gateway/cli/start.ts`, what `npm start` runs). */
  script?: string;
}): Promise<GatewayProcess> {
  const dir = options.dir ?? tempDir();
  const env = {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    NODE_ENV: "test",
    DUCKDB_PATH: options.dbFile ?? join(dir, "centrum.duckdb"),
    DEMO_PRESET: "ci",
    SIMULATE: "false",
    JWT_SECRET: TEST_JWT_SECRET,
    EXPOSE_STATEMENTS: "true",
    ...options.env,
  };
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", options.script ?? "gateway/cli/start.ts"],
    {
      cwd: process.cwd(),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (d) => {
    output += d.toString();
  });
  child.stderr!.on("data", (d) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`gateway did not start in time:\n${output}`)),
      options.timeoutMs ?? 60_000,
    );
    const check = () => {
      const match = /listening on (http:\/\/[^\s]+)\/graphql/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before listening:\n${output}`));
    });
  });

  return {
    url,
    pid: child.pid!,
    dir,
    output: () => output,
    waitForLine(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const find = () => output.split("\n").find((line) => pattern.test(line));
        const found = find();
        if (found !== undefined) return resolve(found);
        const timer = setTimeout(() => {
          child.stdout!.off("data", onData);
          reject(new Error(`no output line matched ${pattern}:\n${output}`));
        }, timeoutMs);
        const onData = () => {
          const line = find();
          if (line === undefined) return;
          clearTimeout(timer);
          child.stdout!.off("data", onData);
          resolve(line);
        };
        child.stdout!.on("data", onData);
      });
    },
    countLines(pattern) {
      return output.split("\n").filter((line) => pattern.test(line)).length;
    },
    waitForLines(pattern, count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const enough = () => output.split("\n").filter((line) => pattern.test(line)).length >= count;
        if (enough()) return resolve();
        const timer = setTimeout(() => {
          child.stdout!.off("data", onData);
          reject(new Error(`fewer than ${count} output lines matched ${pattern}:\n${output.slice(-4000)}`));
        }, timeoutMs);
        const onData = () => {
          if (!enough()) return;
          clearTimeout(timer);
          child.stdout!.off("data", onData);
          resolve();
        };
        child.stdout!.on("data", onData);
      });
    },
    gql: (query, variables, opts) => postGraphQL(`${url}/graphql`, query, variables, opts),
    get: (path) => fetch(`${url}${path}`),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      // A process that does not stop is a failure to report (with what it printed), not a hang of the suite.
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`the gateway did not exit after ${signal}:\n${output.slice(-4000)}`));
        }, 60_000);
      });
      const code = await Promise.race([exited, stuck]).finally(() => clearTimeout(timer));
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Runs a CLI entry point of the project to completion. */
export function runCli(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: process.cwd(),
      env: { ...process.env, JWT_SECRET: TEST_JWT_SECRET, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d) => {
      stderr += d.toString();
    });
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
