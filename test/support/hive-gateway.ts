/**
 * Starts the federated entry point as `npm run federated` does — the real Hive Gateway CLI (`hive-gateway
 * supergraph`) with this repository's `gateway.config.ts` — on a free port, and talks to it over HTTP.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { type GraphQLResponse, postGraphQL } from "./gateway-process.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface HiveGatewayProcess {
  readonly url: string;
  readonly output: () => string;
  countLines(pattern: RegExp): number;
  /** Resolves once `count` output lines match `pattern` (waits on the process's output events). */
  waitForLines(pattern: RegExp, count: number, timeoutMs?: number): Promise<void>;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string },
  ): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export const SUPERGRAPH_IN_SERVICE = /Serving a supergraph of \d+ types/;

export async function startHiveGateway(options: {
  /** `name=url` pairs. */
  subgraphs: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<HiveGatewayProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      fileURLToPath(new URL("../../node_modules/@graphql-hive/gateway/dist/bin.js", import.meta.url)),
      "supergraph",
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        FEDERATED_PORT: String(port),
        HOST: "127.0.0.1",
        FEDERATION_SUBGRAPHS: options.subgraphs,
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = (pattern: RegExp) => output.split("\n").filter((line) => pattern.test(line)).length;
  const waitForLines = (pattern: RegExp, count: number, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      if (lines(pattern) >= count) return resolve();
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`fewer than ${count} lines matched ${pattern}:\n${output.slice(-4000)}`));
      }, timeoutMs);
      const check = () => {
        if (lines(pattern) < count) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
      void exited.then(() => {
        if (!listeners.has(check)) return;
        clearTimeout(timer);
        listeners.delete(check);
        reject(new Error(`Hive Gateway exited:\n${output.slice(-4000)}`));
      });
    });
  await waitForLines(/Listening on/, 1, options.timeoutMs ?? 60_000);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    output: () => output,
    countLines: lines,
    waitForLines,
    gql: (query, variables, opts) => postGraphQL(`${url}/graphql`, query, variables, opts),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          child.kill("SIGKILL");
          resolve();
        }, 20_000);
      });
      await Promise.race([exited, stuck]).finally(() => clearTimeout(timer));
    },
  };
}
