/** What every resolver receives: who is asking, the access check, the lakehouse and this request's loaders. */

import type { Lakehouse } from "../lakehouse/lakehouse.js";
import { RequestLakehouse } from "../lakehouse/request-lakehouse.js";
import { ExperimentAccess } from "./access/experiment-access.js";
import type { Viewer } from "./access/viewer.js";
import type { GatewayPubSub } from "./events/gateway-events.js";
import { RequestLoaders } from "./loaders/request-loaders.js";

export interface PagingLimits {
  readonly maxPageSize: number;
  readonly defaultPageSize: number;
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
}

export function createGatewayContext(options: {
  viewer: Viewer;
  lakehouse: Lakehouse;
  limits: PagingLimits;
  signal?: AbortSignal;
  events?: GatewayPubSub;
  /** The client's address (rate limits of anonymous callers). */
  address?: string;
}): GatewayContext {
  const access = new ExperimentAccess(options.viewer);
  // Identical reads within the request run once.
  const lakehouse = new RequestLakehouse(options.lakehouse);
  return {
    viewer: options.viewer,
    access,
    lakehouse,
    loaders: new RequestLoaders(lakehouse, access, options.signal),
    limits: options.limits,
    signal: options.signal,
    events: options.events,
    caller:
      options.viewer.userId !== null
        ? `user:${options.viewer.userId}`
        : `address:${options.address ?? "unknown"}`,
  };
}
