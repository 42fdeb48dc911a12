/**
 * Turns driver failures into the gateway's lakehouse errors, and says which ones a read may retry and which ones
 * mean the client or session must be rebuilt. Messages are safe to show: no SQL, no host secrets, no tokens; the
 * driver error stays in `detail` for the server log.
 */
import {
  type LakehouseError,
  LakehouseStatementError,
  LakehouseTimeoutError,
  LakehouseUnavailableError,
} from "../errors.js";

export type DatabricksFailureKind =
  /** The session handle expired or was closed on the server: open a new session. */
  | "session"
  /** 401/403 or an OAuth token failure. */
  | "credentials"
  /** Host not resolvable, connection refused, TLS failure, network unreachable, wrong HTTP path. */
  | "unreachable"
  /** Connection reset, 429/502/503/504, warehouse starting: worth another try. */
  | "transient"
  | "timeout"
  | "canceled"
  | "statement";

export interface DatabricksFailure {
  readonly kind: DatabricksFailureKind;
  /** A read may be retried after backoff. */
  readonly retryable: boolean;
  /** The client (and its sessions) should be dropped and rebuilt before the next statement. */
  readonly resetClient: boolean;
  /** Spark error class such as `INVALID_VARIANT_CAST`, when the server named one. */
  readonly errorClass?: string;
  readonly httpStatus?: number;
}

const TRANSIENT_NET_CODES = new Set(["ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ECONNABORTED"]);
const UNREACHABLE_NET_CODES = new Set(["ENOTFOUND", "ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH"]);

interface Facts {
  messages: string[];
  codes: string[];
  httpStatus?: number;
  operationState?: string;
  authError: boolean;
  /** node-fetch reports socket, DNS and TLS failures as `type: "system"`. */
  systemError: boolean;
}

/** Collects messages, errno codes and HTTP status from a driver error and whatever it wraps. */
function facts(error: unknown): Facts {
  const out: Facts = { messages: [], codes: [], authError: false, systemError: false };
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number): void => {
    if (!e || typeof e !== "object" || seen.has(e) || depth > 5) {
      if (typeof e === "string") out.messages.push(e);
      return;
    }
    seen.add(e);
    const o = e as Record<string, unknown>;
    if (typeof o.message === "string") out.messages.push(o.message);
    if (typeof o.code === "string") out.codes.push(o.code);
    if (typeof o.errno === "string") out.codes.push(o.errno);
    if (o.type === "system") out.systemError = true;
    if (typeof o.statusCode === "number") out.httpStatus ??= o.statusCode;
    if (typeof o.status === "number" && o.status >= 100) out.httpStatus ??= o.status;
    if (o.name === "AuthenticationError" || e.constructor?.name === "AuthenticationError")
      out.authError = true;
    // OperationStateError: errorCode is the final operation state, response carries the server's message.
    if (typeof o.errorCode === "string" && /^(CANCELED|CLOSED|ERROR|TIMEOUT|UNKNOWN)$/.test(o.errorCode)) {
      out.operationState ??= o.errorCode;
    }
    const response = o.response as Record<string, unknown> | undefined;
    if (response && typeof response === "object") {
      for (const key of ["errorMessage", "displayMessage", "diagnosticInfo", "sqlState"]) {
        if (typeof response[key] === "string") out.messages.push(response[key] as string);
      }
    }
    visit(o.payload, depth + 1); // RetryError
    visit(o.cause, depth + 1);
    visit(o.response, depth + 1);
  };
  visit(error, 0);
  return out;
}

const ERROR_CLASS = /\[([A-Z][A-Z0-9_]{2,})(?:\.[A-Z0-9_]+)?\]/;

export function classifyDatabricksError(error: unknown): DatabricksFailure {
  const f = facts(error);
  const text = f.messages.join("\n");
  const errorClass = ERROR_CLASS.exec(text)?.[1];
  const httpStatus = f.httpStatus;
  const base = { errorClass, httpStatus };

  if (
    /Invalid (Session|Operation)Handle|session\b.*\b(is closed|has been closed|expired|not found|does not exist)/i.test(
      text,
    )
  ) {
    return { kind: "session", retryable: true, resetClient: false, ...base };
  }
  if (
    f.authError ||
    httpStatus === 401 ||
    httpStatus === 403 ||
    /\b(401|403)\b.*(Unauthorized|Forbidden)/i.test(text)
  ) {
    return { kind: "credentials", retryable: false, resetClient: true, ...base };
  }
  if (
    f.operationState === "TIMEOUT" ||
    /timed? ?out|STATEMENT_TIMEOUT|QUERY_EXECUTION_TIMEOUT|DEADLINE_EXCEEDED/i.test(text)
  ) {
    // A socket-level timeout is a network blip, not the statement timeout.
    if (f.codes.includes("ETIMEDOUT") || /Request timed out/i.test(text))
      return { kind: "transient", retryable: true, resetClient: true, ...base };
    return { kind: "timeout", retryable: false, resetClient: false, ...base };
  }
  if (f.operationState === "CANCELED" || /\bcancell?ed\b/i.test(text)) {
    return { kind: "canceled", retryable: false, resetClient: false, ...base };
  }
  if (
    (httpStatus !== undefined && [429, 502, 503, 504].includes(httpStatus)) ||
    f.codes.some((c) => TRANSIENT_NET_CODES.has(c)) ||
    /socket hang up|premature close|TEMPORARILY_UNAVAILABLE|warehouse.*(starting|is not running|stopped)|cluster.*(starting|pending)|Service Unavailable|Too Many Requests/i.test(
      text,
    )
  ) {
    return { kind: "transient", retryable: true, resetClient: true, ...base };
  }
  if (httpStatus === 404 || f.systemError || f.codes.some((c) => UNREACHABLE_NET_CODES.has(c))) {
    return { kind: "unreachable", retryable: false, resetClient: true, ...base };
  }
  return { kind: "statement", retryable: false, resetClient: false, ...base };
}

export function toLakehouseError(
  error: unknown,
  failure: DatabricksFailure,
  timeoutSeconds: number,
): LakehouseError {
  switch (failure.kind) {
    case "credentials":
      return new LakehouseUnavailableError(
        "The Databricks workspace rejected the gateway's credentials; check the access token or the service principal's OAuth secret and permissions.",
        error,
      );
    case "unreachable":
      return new LakehouseUnavailableError(
        failure.httpStatus === 404
          ? "The Databricks SQL warehouse was not found; check the warehouse HTTP path."
          : "The Databricks workspace cannot be reached; check the host and the network.",
        error,
      );
    case "transient":
      return new LakehouseUnavailableError(
        "The Databricks SQL warehouse is starting, busy or briefly unreachable; try again shortly.",
        error,
      );
    case "session":
      return new LakehouseUnavailableError("The Databricks session expired; try again.", error);
    case "timeout":
      return new LakehouseTimeoutError(
        `The Databricks statement exceeded the statement timeout (${timeoutSeconds} s).`,
        error,
      );
    case "canceled":
      return new LakehouseTimeoutError("The Databricks statement was cancelled.", error);
    case "statement":
      return new LakehouseStatementError(
        failure.errorClass
          ? `The lakehouse could not run a statement for this request (${failure.errorClass}).`
          : undefined,
        error,
      );
  }
}
