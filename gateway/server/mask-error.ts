/**
 * The single place that decides what an error looks like to a client. Coded errors (plain errors with a stable
 * `code` and a safe message, from every layer) become GraphQL errors with `extensions.code`; everything else — driver errors with SQL, bugs — becomes INTERNAL_SERVER_ERROR with
 * a generic message, and the original goes to the server log.
 */
import { GraphQLError } from "graphql";
import { type CodedError, isCodedError } from "../../lakehouse/errors.js";

const PASSTHROUGH_CODES = new Set([
  "GRAPHQL_VALIDATION_FAILED",
  "GRAPHQL_PARSE_FAILED",
  "BAD_USER_INPUT",
  "PERSISTED_QUERY_NOT_FOUND",
]);

export function maskError(
  error: unknown,
  message: string,
  log: (error: unknown) => void = console.error,
): Error {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (isCodedError(original)) {
    const located = error instanceof GraphQLError ? error : undefined;
    return toGraphQLError(original, located);
  }
  if (error instanceof GraphQLError && !error.originalError) {
    // Parse/validation errors and coercion errors of variables: already safe, give them a code.
    const code = (error.extensions?.code as string | undefined) ?? "BAD_USER_INPUT";
    if (PASSTHROUGH_CODES.has(code) || !error.extensions?.code) {
      return new GraphQLError(error.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        extensions: { ...error.extensions, code },
      });
    }
    return error;
  }
  if (
    error instanceof GraphQLError &&
    error.path === undefined &&
    error.originalError instanceof GraphQLError &&
    !error.originalError.extensions?.code
  ) {
    // A variable a scalar could not parse (an invalid DateTime or BigInt): the caller's input, before execution.
    return new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: "BAD_USER_INPUT" } });
  }
  if (
    error instanceof GraphQLError &&
    error.originalError instanceof GraphQLError &&
    error.originalError.extensions?.code
  ) {
    // Errors raised by scalars and libraries with their own stable code (e.g. BAD_USER_INPUT from BigInt parsing).
    const inner = error.originalError;
    if (inner.extensions.code === "BAD_USER_INPUT") {
      return new GraphQLError(inner.message, {
        nodes: error.nodes,
        path: error.path,
        extensions: { code: "BAD_USER_INPUT" },
      });
    }
  }
  log(original);
  return new GraphQLError(message || "Unexpected error.", {
    nodes: error instanceof GraphQLError ? error.nodes : undefined,
    path: error instanceof GraphQLError ? error.path : undefined,
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  });
}

/** A coded error as the client sees it: its message, its code and details in `extensions`, located where it arose. */
export function toGraphQLError(error: CodedError, located?: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
    extensions: { ...error.details, code: error.code },
  });
}
