/** Errors of a request that the caller can act on; plain `CodedError`s, mapped to GraphQL at the server's edge. */
import { CodedError } from "../lakehouse/errors.js";

export class BadUserInputError extends CodedError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, "BAD_USER_INPUT", details);
  }
}

export class UnauthenticatedError extends CodedError {
  constructor(message: string) {
    super(message, "UNAUTHENTICATED");
  }
}

export class ForbiddenError extends CodedError {
  constructor(message: string) {
    super(message, "FORBIDDEN");
  }
}

export class NotFoundError extends CodedError {
  constructor(message: string) {
    super(message, "NOT_FOUND");
  }
}

export class IdempotencyConflictError extends CodedError {
  constructor(message: string) {
    super(message, "IDEMPOTENCY_CONFLICT");
  }
}
