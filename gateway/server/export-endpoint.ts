/**
 * `GET /export/{experimentId}/{table}.{csv|ndjson|parquet}` — a table of one experiment as a file, for notebooks:
 * `table` is a macro filename or `sample`; `where` and `orderBy` are the connection's arguments as JSON (coerced by
 * the caller's own schema, so they mean exactly what they mean in GraphQL), `columns` a comma-separated list of
 * column names (a nested object's dotted path picks all its columns), `includeErrors=true` keeps failed macro runs.
 *
 * Same token and access as `/graphql`: `Authorization: Bearer <token>` or anonymous; a private experiment the caller
 * may not read is NOT_FOUND, like `experiment(id)`. Rows are read in keyset pages through the connection's
 * compilers (`resolvers/exports/export-pages.ts`) and written as they come, with backpressure, so a million rows
 * stream in constant memory. Each statement pours one point into the caller's cost bucket, as a GraphQL page would:
 * the first one is refused with 429 when the bucket is full; later pages wait until it has drained enough.
 *
 * Errors before the first byte are JSON `{ "error": { "code", "message" } }` with the GraphQL codes (400
 * BAD_USER_INPUT, 401 UNAUTHENTICATED, 404 NOT_FOUND, 429 RATE_LIMITED, 503/504 lakehouse). A failure after the
 * first byte aborts the response (no final chunk), so a client never mistakes a cut file for a complete one.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { coerceInputValue, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { CodedError, isCodedError } from "../../lakehouse/errors.js";
import type { Lakehouse } from "../../lakehouse/lakehouse.js";
import { ExperimentAccess } from "../../resolvers/access/experiment-access.js";
import type { Viewer } from "../../resolvers/access/viewer.js";
import { BadUserInputError, NotFoundError } from "../../resolvers/errors.js";
import { type ExportTable, SAMPLE_TABLE } from "../../resolvers/exports/export-columns.js";
import { type ExportRequest, openExport } from "../../resolvers/exports/export-pages.js";
import type { OrderByArgs } from "../../resolvers/measurements/compile-order-by.js";
import type { WhereArgs } from "../../resolvers/measurements/compile-where.js";
import { schemaCatalogOf } from "../../schema/schema-catalog.js";
import type { ScopedSchema } from "../../schema/schema-registry.js";
import type { TokenVerifier } from "../auth/jwt.js";
import { EXPORT_FORMAT_SPECS, type ExportFormat, isExportFormat } from "../exports/export-encoder.js";
import type { CostBucketStore } from "./cost-bucket.js";

export interface ExportEndpointOptions {
  readonly lakehouse: Lakehouse;
  readonly verifier: TokenVerifier;
  /** The schema of a viewer's access set: which macros they may name, and the types `where`/`orderBy` coerce to. */
  readonly schemaFor: (viewer: Viewer) => ScopedSchema | Promise<ScopedSchema>;
  /** The cost buckets GraphQL operations pour into (null: not rate limited). */
  readonly buckets: CostBucketStore | null;
  readonly log: (message: string) => void;
  /** Rows per page statement (default `EXPORT_PAGE_SIZE`). */
  readonly pageSize?: number;
}

const PATH = /^\/export\/([^/]+)\/([^/]+)\.([A-Za-z0-9]+)$/;

class RateLimitedError extends CodedError {
  constructor(readonly retryAfter: number) {
    super(`Rate limited: your statement points are used up; retry in ${retryAfter} s.`, "RATE_LIMITED", {
      retryAfter,
    });
  }
}

const STATUS: Readonly<Record<string, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  LAKEHOUSE_UNAVAILABLE: 503,
  LAKEHOUSE_TIMEOUT: 504,
  LAKEHOUSE_ERROR: 502,
};

/** A request handler for `/export/*`: returns false for any other path (the caller serves it). */
export function exportEndpoint(options: ExportEndpointOptions) {
  async function serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const aborted = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) aborted.abort();
    });
    try {
      if (req.method !== "GET") throw new CodedError("Exports are read with GET.", "BAD_USER_INPUT");
      const match = PATH.exec(url.pathname);
      if (!match) {
        throw new NotFoundError("Exports are at /export/{experimentId}/{table}.{csv|ndjson|parquet}.");
      }
      const [experimentId, tableName] = [decode(match[1]!), decode(match[2]!)];
      const format = match[3]!.toLowerCase();
      if (!isExportFormat(format)) {
        throw new BadUserInputError(
          `${JSON.stringify(format)} is not an export format: csv, ndjson or parquet.`,
        );
      }
      const viewer = await options.verifier.viewerFromHeader(req.headers.authorization);
      const { schema } = (await options.schemaFor(viewer)).built;
      const request = exportRequest(schema, experimentId, tableName, url.searchParams);
      const caller = viewer.userId !== null ? `user:${viewer.userId}` : `address:${req.socket.remoteAddress}`;
      let started = false;
      const opened = await openExport(options.lakehouse, new ExperimentAccess(viewer), request, {
        pageSize: options.pageSize,
        signal: aborted.signal,
        beforeStatement: () => pour(options.buckets, caller, () => started, aborted.signal),
      });
      const spec = EXPORT_FORMAT_SPECS[format];
      res.writeHead(200, {
        "content-type": spec.contentType,
        "content-disposition": `attachment; filename="${fileName(experimentId, tableName, format)}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      });
      started = true;
      const encoder = spec.create(opened.columns, opened.context);
      for await (const rows of opened.pages()) {
        await write(res, encoder.rows(rows));
      }
      await write(res, encoder.finish());
      res.end();
    } catch (error) {
      if (aborted.signal.aborted) return; // the client went away: nothing to answer
      if (res.headersSent) {
        // A cut file must not look complete: end the connection without the final chunk.
        options.log(
          `export: ${url.pathname} failed mid-stream: ${String((error as Error)?.message ?? error)}`,
        );
        res.destroy(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      req.resume();
      if (isCodedError(error)) {
        const headers =
          error instanceof RateLimitedError ? { "retry-after": String(error.retryAfter) } : undefined;
        return sendError(res, STATUS[error.code] ?? 500, error.code, error.message, error.details, headers);
      }
      options.log(`export: ${url.pathname} failed: ${String((error as Error)?.stack ?? error)}`);
      sendError(res, 500, "INTERNAL_SERVER_ERROR", "The export failed.");
    }
  }

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? "/", "http://gateway");
    if (!url.pathname.startsWith("/export/")) return false;
    void serve(req, res, url);
    return true;
  };
}

/** The export of `tableName` the query parameters ask for, validated against the caller's schema. */
function exportRequest(
  schema: GraphQLSchema,
  experimentId: string,
  tableName: string,
  params: URLSearchParams,
): ExportRequest {
  const models = schemaCatalogOf(schema).models;
  const model = models.get(tableName);
  if (tableName !== SAMPLE_TABLE && !model) {
    throw new BadUserInputError(
      `${JSON.stringify(tableName)} is not a table: use "sample" or a macro filename (\`macros { filename }\`).`,
      { argument: "table" },
    );
  }
  const table: ExportTable = model ? { kind: "measurements", model } : { kind: "samples" };
  const experiment = schema.getType("Experiment") as GraphQLObjectType;
  const field = experiment.getFields()[model ? model.fieldName : "samples"]!;
  const includeErrors = params.get("includeErrors");
  if (includeErrors !== null && includeErrors !== "true" && includeErrors !== "false") {
    throw new BadUserInputError("`includeErrors` is true or false.", { argument: "includeErrors" });
  }
  const columns = params.get("columns");
  return {
    experimentId,
    table,
    where: jsonArgument(field, "where", params.get("where")) as WhereArgs | null,
    orderBy: jsonArgument(field, "orderBy", params.get("orderBy")) as OrderByArgs[] | null,
    includeErrors: includeErrors === "true",
    columns: columns
      ? columns
          .split(",")
          .map((c) => c.trim())
          .filter((c) => c !== "")
      : null,
  };
}

/** A JSON query parameter coerced to the connection argument's GraphQL input type, as a variable would be. */
function jsonArgument(field: GraphQLField<unknown, unknown>, name: string, text: string | null): unknown {
  if (text === null || text === "") return null;
  const arg = field.args.find((a) => a.name === name);
  if (!arg) throw new BadUserInputError(`This table takes no \`${name}\`.`, { argument: name });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadUserInputError(`\`${name}\` is not JSON.`, { argument: name });
  }
  return coerceInputValue(value, arg.type, (path, _invalid, error) => {
    const at = path.length ? ` at ${name}.${path.join(".")}` : "";
    throw new BadUserInputError(`\`${name}\`${at}: ${error.message}`, { argument: name });
  });
}

/**
 * One statement's point for the caller. Before the response has started a full bucket refuses the export (429);
 * once rows are flowing the export waits until the point fits instead, so a long export is paced, never cut.
 */
async function pour(
  buckets: CostBucketStore | null,
  caller: string,
  started: () => boolean,
  signal: AbortSignal,
): Promise<void> {
  if (!buckets) return;
  for (;;) {
    const state = await buckets.take(caller, 1);
    if (state.allowed) return;
    if (!started()) throw new RateLimitedError(state.retryAfter);
    await abortableDelay(state.retryAfter * 1000, signal);
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Writes chunks, waiting for the socket to drain (or close) whenever its buffer is full. */
async function write(res: ServerResponse, chunks: readonly Uint8Array[]): Promise<void> {
  for (const chunk of chunks) {
    if (res.destroyed) throw new Error("The client went away.");
    if (chunk.length === 0 || res.write(chunk)) continue;
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.on("drain", done);
      res.on("close", done);
    });
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadUserInputError("The export path is not valid percent-encoding.");
  }
}

function fileName(experimentId: string, table: string, format: ExportFormat): string {
  return `${experimentId}-${table}.${format}`.replace(/[^A-Za-z0-9._-]/g, "_");
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ error: { code, message, ...details } }));
}
