/**
 * Real subscription clients for tests: graphql-ws over the `ws` package and graphql-sse (distinct connections), with
 * a small recorder that waits on events (never on time).
 */
import { createClient as createSseClient } from "graphql-sse";
import { type Client, createClient as createWsClient } from "graphql-ws";
import WebSocket from "ws";

export interface RecordedError {
  readonly message: string;
  readonly extensions?: { code?: string } & Record<string, unknown>;
}

/** Everything one subscription delivered: results, errors, completion; `waitFor` resolves on a condition. */
export class Recorder<T = Record<string, unknown>> {
  readonly results: { data?: T | null; errors?: RecordedError[] }[] = [];
  /** Errors of an `error` message (the operation never started, or the transport failed). */
  failure: unknown = null;
  completed = false;
  readonly #waiters = new Set<() => void>();

  readonly sink = {
    next: (value: unknown) => {
      this.results.push(value as { data?: T | null; errors?: RecordedError[] });
      this.#notify();
    },
    error: (error: unknown) => {
      this.failure = error;
      this.#notify();
    },
    complete: () => {
      this.completed = true;
      this.#notify();
    },
  };

  get data(): T[] {
    return this.results.flatMap((r) => (r.data ? [r.data] : []));
  }

  get ended(): boolean {
    return this.completed || this.failure !== null;
  }

  /** Resolves when `condition` holds (checked after every event); rejects after `timeoutMs` with what arrived. */
  waitFor(condition: (r: this) => boolean, what = "condition", timeoutMs = 30_000): Promise<void> {
    if (condition(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(
            `timed out waiting for ${what}; got ${this.results.length} results, failure ${JSON.stringify(this.failure)}, completed ${this.completed}`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        if (!condition(this)) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  waitForCount(n: number, timeoutMs?: number): Promise<void> {
    return this.waitFor((r) => r.data.length >= n, `${n} events`, timeoutMs);
  }

  waitForEnd(timeoutMs?: number): Promise<void> {
    return this.waitFor((r) => r.ended, "the end of the stream", timeoutMs);
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w();
  }
}

export function wsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, "ws")}/graphql`;
}

export function wsClient(httpUrl: string, token?: string): Client {
  return createWsClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: token ? { authorization: `Bearer ${token}` } : undefined,
  });
}

export function sseClient(httpUrl: string, token?: string) {
  return createSseClient({
    url: `${httpUrl}/graphql`,
    retryAttempts: 0,
    headers: token ? { authorization: `Bearer ${token}` } : undefined,
  });
}

export function subscribe<T = Record<string, unknown>>(
  client: {
    subscribe(
      payload: { query: string; variables?: Record<string, unknown> },
      sink: Recorder["sink"],
    ): () => void;
  },
  query: string,
  variables?: Record<string, unknown>,
): Recorder<T> & { unsubscribe: () => void } {
  const recorder = new Recorder<T>();
  const unsubscribe = client.subscribe({ query, variables }, recorder.sink);
  return Object.assign(recorder, { unsubscribe });
}

/** The code of a recorded `error` message (graphql-ws passes the GraphQL errors array). */
export function failureCode(failure: unknown): string | undefined {
  if (Array.isArray(failure)) return (failure[0] as RecordedError | undefined)?.extensions?.code;
  return (failure as RecordedError | null)?.extensions?.code;
}
