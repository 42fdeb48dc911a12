/**
 * Counts and records every statement a lakehouse runs. Statements are the currency of performance (each costs
 * 0.3–5 s on a warehouse), so tests assert counts and the development-mode response extension lists them.
 *
 * A per-operation scope (AsyncLocalStorage) lets the server attribute statements to the GraphQL operation that
 * caused them, even with concurrent requests.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface StatementRecord {
  readonly text: string;
  readonly paramCount: number;
  readonly rows: number;
  readonly ms: number;
  readonly kind: "read" | "write";
  readonly error?: string;
  /** What ran it: a GraphQL request (default), or a background part of the gateway. */
  readonly origin: StatementOrigin;
}

/** Who sends statements besides requests: the ingest (simulation, imports), the stream poller, the freshness watch, the catalog. */
export type StatementOrigin = "request" | "ingest" | "stream-poll" | "stream-start" | "freshness" | "catalog";

/** The statements one request sent (it rides down with each statement in `QueryOptions.scopes`). */
export class StatementScope {
  readonly records: StatementRecord[] = [];
}

export class StatementLog {
  #total = 0;
  #recent: StatementRecord[] = [];
  readonly #listeners = new Set<(record: StatementRecord) => void>();
  readonly #origin = new AsyncLocalStorage<StatementOrigin>();

  constructor(private readonly keepRecent = 200) {}

  /** Total statements sent since start (or since `reset`). */
  get total(): number {
    return this.#total;
  }

  get recent(): readonly StatementRecord[] {
    return this.#recent;
  }

  /** Runs `fn` so every statement it sends (across awaits) is recorded with `origin`. */
  withOrigin<T>(origin: StatementOrigin, fn: () => T): T {
    return this.#origin.run(origin, fn);
  }

  /** Records a statement, also into `scopes` (the request's that sent it). */
  record(
    input: Omit<StatementRecord, "origin"> & { origin?: StatementOrigin },
    scopes: readonly StatementScope[] = [],
  ): void {
    const record: StatementRecord = {
      ...input,
      origin: input.origin ?? this.#origin.getStore() ?? "request",
    };
    this.#total++;
    this.#recent.push(record);
    if (this.#recent.length > this.keepRecent) this.#recent.shift();
    for (const scope of scopes) scope.records.push(record);
    for (const listener of this.#listeners) listener(record);
  }

  /**
   * Times one statement and records it, whether it succeeds (with the rows `rowsOf` counts) or fails (with the
   * text `errorOf` gives). The one timing wrapper of both connectors.
   */
  async timed<T>(
    statement: {
      readonly text: string;
      readonly paramCount: number;
      readonly kind: "read" | "write";
      readonly scopes?: readonly StatementScope[];
    },
    run: () => Promise<T>,
    rowsOf: (result: T) => number,
    errorOf: (error: unknown) => string = (error) => String((error as Error)?.message ?? error),
  ): Promise<T> {
    const started = performance.now();
    const { scopes, ...described } = statement;
    try {
      const result = await run();
      this.record({ ...described, rows: rowsOf(result), ms: performance.now() - started }, scopes);
      return result;
    } catch (error) {
      this.record({ ...described, rows: 0, ms: performance.now() - started, error: errorOf(error) }, scopes);
      throw error;
    }
  }

  onRecord(listener: (record: StatementRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  reset(): void {
    this.#total = 0;
    this.#recent = [];
  }
}
