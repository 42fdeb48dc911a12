/**
 * Structured logs with pino: one JSON line per event. Expected client errors (coded errors, GraphQL validation) are
 * `info` without a stack; unexpected ones `error` with it. Yoga's own logger is adapted onto the same instance.
 */
import { GraphQLError } from "graphql";
import type { YogaLogger } from "graphql-yoga";
import { type Logger, pino } from "pino";
import { isCodedError } from "../../lakehouse/errors.js";

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "centrum-gateway" } });
}

/** Whether an error is the caller's (expected), not ours. */
export function isClientError(error: unknown): boolean {
  if (isCodedError(error))
    return error.code !== "INTERNAL_SERVER_ERROR" && !error.code.startsWith("LAKEHOUSE_");
  if (error instanceof GraphQLError) {
    if (error.originalError) return isClientError(error.originalError);
    // Parse, validation, variable and limit errors carry no original error.
    return true;
  }
  return false;
}

/** Yoga's logger on pino: its error logs of client errors become quiet info lines. */
export function yogaLogger(log: Logger): YogaLogger {
  const describe = (args: unknown[]) =>
    args.map((a) => (a instanceof Error ? a.message : String(a))).join(" ");
  return {
    debug: (...args) => log.debug(describe(args)),
    info: (...args) => log.info(describe(args)),
    warn: (...args) => log.warn(describe(args)),
    error: (...args) => {
      const error = args.find((a) => a instanceof Error);
      if (error && isClientError(error)) log.info({ code: codeOf(error) }, (error as Error).message);
      else log.error({ err: error }, describe(args));
    },
  };
}

function codeOf(error: unknown): string | undefined {
  if (isCodedError(error)) return error.code;
  if (error instanceof GraphQLError)
    return (error.extensions?.code as string | undefined) ?? codeOf(error.originalError);
  return undefined;
}
