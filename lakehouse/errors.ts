/**
 * The one error hierarchy, as plain `Error`s with a stable `code` (the layers below the GraphQL edge know nothing of
 * GraphQL). The server maps them to GraphQL errors with `extensions.code` in one place
 * (`gateway/server/mask-error.ts`); anything that is not a `CodedError` is unexpected and masked there, so no SQL or
 * stack trace reaches a client.
 */
export const ERROR_CODES = [
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "RATE_LIMITED",
  "IDEMPOTENCY_CONFLICT",
  "CURSOR_TOO_OLD",
  "TOO_MANY_SUBSCRIPTIONS",
  "SLOW_CONSUMER",
  "LAKEHOUSE_UNAVAILABLE",
  "LAKEHOUSE_TIMEOUT",
  "LAKEHOUSE_ERROR",
  "INTERNAL_SERVER_ERROR",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An expected failure: its message is safe to show, `details` become `extensions` beside the code. */
export class CodedError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  /**
   * `code` and `details` in the shape GraphQL executors copy from an original error onto the error they report, so
   * any executor (in-process, federated) carries the code; the server's edge maps these errors explicitly anyway.
   */
  get extensions(): Record<string, unknown> {
    return { ...this.details, code: this.code };
  }
}

export function isCodedError(error: unknown): error is CodedError {
  return error instanceof CodedError;
}

/** Lakehouse failures. The message is safe to show; `detail` keeps the driver's error (with SQL) for the server log. */
export class LakehouseError extends CodedError {
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
