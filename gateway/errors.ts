/**
 * One error hierarchy with stable `extensions.code` values. Anything that is not a GatewayError is unexpected and
 * masked by the server (see gateway/server/mask-error.ts) so no SQL or stack trace reaches a client.
 */
import { GraphQLError } from "graphql";

export const ERROR_CODES = [
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "RATE_LIMITED",
  "LAKEHOUSE_UNAVAILABLE",
  "LAKEHOUSE_TIMEOUT",
  "LAKEHOUSE_ERROR",
  "INTERNAL_SERVER_ERROR",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class GatewayError extends GraphQLError {
  constructor(
    message: string,
    readonly code: ErrorCode,
    extensions: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { ...extensions, code } });
    this.name = new.target.name;
  }
}

export class BadUserInputError extends GatewayError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, "BAD_USER_INPUT", extensions);
  }
}

export class UnauthenticatedError extends GatewayError {
  constructor(message: string) {
    super(message, "UNAUTHENTICATED");
  }
}

export class ForbiddenError extends GatewayError {
  constructor(message: string) {
    super(message, "FORBIDDEN");
  }
}

export class NotFoundError extends GatewayError {
  constructor(message: string) {
    super(message, "NOT_FOUND");
  }
}

/**
 * Lakehouse failures. The message is safe to show; `cause` keeps the driver's error (with SQL) for the server log.
 */
export class LakehouseError extends GatewayError {
  constructor(
    message: string,
    code: "LAKEHOUSE_UNAVAILABLE" | "LAKEHOUSE_TIMEOUT" | "LAKEHOUSE_ERROR",
    readonly detail?: unknown,
  ) {
    super(message, code);
  }
}

export class LakehouseUnavailableError extends LakehouseError {
  constructor(message = "The lakehouse is unavailable; try again shortly.", detail?: unknown) {
    super(message, "LAKEHOUSE_UNAVAILABLE", detail);
  }
}

export class LakehouseTimeoutError extends LakehouseError {
  constructor(message = "The lakehouse statement timed out.", detail?: unknown) {
    super(message, "LAKEHOUSE_TIMEOUT", detail);
  }
}

export class LakehouseStatementError extends LakehouseError {
  constructor(message = "The lakehouse could not run a statement for this request.", detail?: unknown) {
    super(message, "LAKEHOUSE_ERROR", detail);
  }
}

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}
