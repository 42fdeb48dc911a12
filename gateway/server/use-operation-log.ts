/**
 * One log line per operation — request id, caller, operation name, cost, statements, milliseconds, error codes —
 * and the request id on every response (`x-request-id`; a sane incoming one is kept, so a client can correlate).
 */
import { randomUUID } from "node:crypto";
import { type ExecutionResult, getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { GatewayContext } from "../../resolvers/context.js";
import type { Logger } from "./logger.js";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ids = new WeakMap<Request, string>();

/** A sane incoming request id, or a new one. */
export function requestIdFromHeader(incoming: string | string[] | null | undefined): string {
  return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export function requestIdOf(request: Request): string {
  let id = ids.get(request);
  if (!id) {
    id = requestIdFromHeader(request.headers.get("x-request-id"));
    ids.set(request, id);
  }
  return id;
}

export function useOperationLog(log: Logger): Plugin {
  return {
    onResponse({ request, response }) {
      response.headers.set("x-request-id", requestIdOf(request));
    },
    onExecute({ args }) {
      const started = performance.now();
      const context = args.contextValue as unknown as GatewayContext & { request?: Request };
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in (result as object)) return;
          const r = result as ExecutionResult;
          const cost = r.extensions?.cost as { requested?: number; actual?: number } | undefined;
          const codes = [...new Set((r.errors ?? []).map((e) => e.extensions?.code).filter(Boolean))];
          log.info(
            {
              requestId: context.request ? requestIdOf(context.request) : undefined,
              caller: context.caller,
              operation: getOperationAST(args.document, args.operationName)?.name?.value ?? null,
              cost: cost?.requested,
              statements: cost?.actual,
              ms: Math.round((performance.now() - started) * 10) / 10,
              ...(codes.length ? { codes } : {}),
            },
            "operation",
          );
        },
      };
    },
  };
}
