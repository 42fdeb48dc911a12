/**
 * graphql-ws (`graphql-transport-ws`) on the HTTP server's `/graphql`, executing through Yoga's envelop (the same
 * plugins, limits, error masking and context as HTTP). The token comes from the `connection_init` payload
 * (`{ "authorization": "Bearer <token>" }`, or `{ "token": "<token>" }`); a bad token closes with 4403, and the
 * connection closes with 4403 when the token expires. The protocol's own close codes apply (4400 bad message, 4401
 * subscribe before init, 4408 init timeout, 4409 duplicate id, 4429 repeated init); a subscription that cannot
 * start (unknown or private experiment, bad cursor, too many subscriptions) gets an `error` message for that
 * operation and the connection's other subscriptions go on.
 */
import type { Server } from "node:http";
import { type ExecutionArgs, GraphQLError, getOperationAST } from "graphql";
import { CloseCode, type Context } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import type { YogaServerInstance } from "graphql-yoga";
import { WebSocketServer } from "ws";
import type { Viewer } from "../../resolvers/access/viewer.js";
import type { GatewayContext } from "../../resolvers/context.js";
import type { ScopedSchema } from "../../schema/schema-registry.js";
import type { TokenVerifier } from "../auth/jwt.js";

/** What a connection carries from `connection_init` to each operation's context. */
export interface WebSocketInitial {
  readonly wsViewer: Viewer;
  /** The schema of the viewer's access set (see `use-access-set-schema.ts`). */
  readonly wsSchema: ScopedSchema;
  readonly wsAddress: string | undefined;
}

interface ConnectionState {
  viewer?: Viewer;
  expiry?: NodeJS.Timeout;
}

export interface GatewayWebSockets {
  /** Closes every connection with 1001 (going away); clients reconnect elsewhere and resume with `after`. */
  close(): Promise<void>;
}

function tokenOf(params: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!params) return null;
  for (const key of ["authorization", "Authorization"]) {
    const value = params[key];
    if (typeof value === "string" && value) return value;
  }
  const headers = params.headers as Record<string, unknown> | undefined;
  if (headers && typeof headers === "object") {
    const value = headers.authorization ?? headers.Authorization;
    if (typeof value === "string" && value) return value;
  }
  if (typeof params.token === "string" && params.token) return `Bearer ${params.token}`;
  return null;
}

export function attachWebSockets(options: {
  readonly http: Server;
  readonly yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  readonly verifier: TokenVerifier;
  readonly schemaFor: (viewer: Viewer) => ScopedSchema | Promise<ScopedSchema>;
  readonly keepAliveMs: number;
  readonly perConnection: number;
}): GatewayWebSockets {
  const { yoga, verifier } = options;
  // A graphql-ws message is one GraphQL document with its variables: 1 MiB is plenty (ws would take 100 MiB).
  const server = new WebSocketServer({
    server: options.http,
    path: yoga.graphqlEndpoint,
    maxPayload: 1024 * 1024,
  });
  const states = new WeakMap<object, ConnectionState>();
  const stateOf = (ctx: Context) => {
    let state = states.get(ctx);
    if (!state) {
      state = {};
      states.set(ctx, state);
    }
    return state;
  };

  type Extra = { socket: import("ws").WebSocket; request: import("node:http").IncomingMessage };

  const disposable = useServer<Record<string, unknown>, Extra>(
    {
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx) => {
        try {
          const { viewer, expiresAt } = await verifier.verify(tokenOf(ctx.connectionParams));
          const state = stateOf(ctx);
          state.viewer = viewer;
          if (expiresAt !== null) {
            const socket = ctx.extra.socket;
            state.expiry = setTimeout(
              () => socket.close(CloseCode.Forbidden, "Forbidden: the token expired"),
              Math.max(0, Math.min(expiresAt - Date.now(), 2 ** 31 - 1)),
            ).unref();
          }
          return true;
        } catch {
          return false; // 4403 Forbidden
        }
      },
      onClose: (ctx) => {
        const state = states.get(ctx);
        if (state?.expiry) clearTimeout(state.expiry);
      },
      onSubscribe: async (ctx, _id, payload) => {
        // This operation is already in `ctx.subscriptions` (as null) when the hook runs.
        if (Object.keys(ctx.subscriptions).length > options.perConnection) {
          return [
            new GraphQLError(
              `At most ${options.perConnection} operations may run at once on one connection; complete one first.`,
              { extensions: { code: "TOO_MANY_SUBSCRIPTIONS", limit: options.perConnection } },
            ),
          ];
        }
        const viewer = stateOf(ctx).viewer!;
        const initial: WebSocketInitial & Record<string, unknown> = {
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          wsViewer: viewer,
          wsSchema: await options.schemaFor(viewer),
          wsAddress: ctx.extra.request.socket.remoteAddress,
        };
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped(initial);
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [
            error instanceof GraphQLError
              ? new GraphQLError(error.message, {
                  nodes: error.nodes,
                  source: error.source,
                  positions: error.positions,
                  extensions: { code: "GRAPHQL_PARSE_FAILED" },
                })
              : new GraphQLError("The document could not be parsed.", {
                  extensions: { code: "GRAPHQL_PARSE_FAILED" },
                }),
          ];
        }
        const errors = validate(schema, document);
        if (errors.length) return errors;
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
        };
        const operation = getOperationAST(document, payload.operationName);
        if (operation?.operation !== "subscription") return { ...args, rootValue: { execute, subscribe } };
        // Subscribe here, so a stream that cannot start answers with an `error` message for this operation.
        const result = await subscribe(args);
        if (isAsyncIterable(result)) return { ...args, rootValue: { execute, subscribe: () => result } };
        const failed = result as { errors?: readonly GraphQLError[] };
        if (failed.errors?.length) return failed.errors;
        return { ...args, rootValue: { execute, subscribe: () => result } };
      },
      execute: (args) =>
        (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args) =>
        (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
    },
    server,
    options.keepAliveMs,
  );

  return {
    async close() {
      await disposable.dispose();
    },
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value != null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}
