/** What every resolver receives: who is asking, the access check, the lakehouse and this request's loaders. */

import type { Lakehouse } from "../lakehouse/lakehouse.js";
import { type ReadDependencies, RequestLakehouse } from "../lakehouse/request-lakehouse.js";
import type { StatementScope } from "../lakehouse/statement-log.js";
import type { SchemaScope } from "./access/catalog-access.js";
import { ExperimentAccess } from "./access/experiment-access.js";
import type { Viewer } from "./access/viewer.js";
import type { GatewayPubSub } from "./events/gateway-events.js";
import { RequestLoaders } from "./loaders/request-loaders.js";
import type { StreamHub } from "./streams/stream-hub.js";

export interface PagingLimits {
  readonly maxPageSize: number;
  readonly defaultPageSize: number;
  /** The most groups an aggregate returns (default `DEFAULT_MAX_GROUPS`). */
  readonly maxGroups?: number;
}

export interface GatewayContext {
  readonly viewer: Viewer;
  readonly access: ExperimentAccess;
  readonly lakehouse: Lakehouse;
  readonly loaders: RequestLoaders;
  readonly limits: PagingLimits;
  readonly signal?: AbortSignal;
  /** Where writes publish what they changed. */
  readonly events?: GatewayPubSub;
  /** Who is charged for the request's cost: the user, or the client address when anonymous. */
  readonly caller: string;
  /** The process's subscriptions to fresh data. */
  readonly streams?: StreamHub;
  /** The access set whose schema serves this request. */
  readonly schemaScope?: SchemaScope;
  /**
   * Scopes that record every statement this request sends through `lakehouse` (plugins add theirs: the cost
   * report counts what really ran). Passed down with each statement, not through AsyncLocalStorage, which would
   * put promise hooks on the whole execution.
   */
  readonly statementScopes: StatementScope[];
  /**
   * Starts a new request scope on this context (fresh loaders and per-request reads): a subscription does before
   * each event, so relations of an event are read as of that event, not cached for the subscription's lifetime.
   */
  renew(): void;
  /** What this request's reads depend on so far (the response cache tags its answer with it). */
  readDependencies(): ReadDependencies;
}

const NO_READS: ReadDependencies = Object.freeze({ tags: new Set<string>(), complete: true });

export function createGatewayContext(options: {
  viewer: Viewer;
  lakehouse: Lakehouse;
  limits: PagingLimits;
  signal?: AbortSignal;
  events?: GatewayPubSub;
  /** The client's address (rate limits of anonymous callers). */
  address?: string;
  streams?: StreamHub;
  schemaScope?: SchemaScope;
}): GatewayContext {
  const access = new ExperimentAccess(options.viewer);
  const statementScopes: StatementScope[] = [];
  const scope = () => {
    // Identical reads within the request run once.
    const lakehouse = new RequestLakehouse(options.lakehouse, statementScopes);
    return { lakehouse, loaders: new RequestLoaders(lakehouse, access, options.signal) };
  };
  // Built on first use after each `renew()`: a subscription event that reads no relation costs no loaders.
  let current: ReturnType<typeof scope> | null = null;
  const context = {
    viewer: options.viewer,
    access,
    get lakehouse() {
      current ??= scope();
      return current.lakehouse;
    },
    get loaders() {
      current ??= scope();
      return current.loaders;
    },
    limits: options.limits,
    signal: options.signal,
    events: options.events,
    streams: options.streams,
    schemaScope: options.schemaScope,
    statementScopes,
    caller: callerOf(options.viewer, options.address),
    renew() {
      current = null;
    },
    readDependencies() {
      return current?.lakehouse.dependencies ?? NO_READS;
    },
  };
  return context;
}

/** Who a rate limit counts: the user, or the address of an anonymous caller. */
export function callerOf(viewer: Viewer, address: string | undefined): string {
  return viewer.userId !== null ? `user:${viewer.userId}` : `address:${address ?? "unknown"}`;
}
