/**
 * The operator's endpoints beside `/graphql`, served to loopback clients only unless `ADMIN_ENDPOINTS=any`:
 *
 * - `POST /admin/import[?experiment=<id>][&createExperiment=true]` — the body is an NDJSON or Parquet file of
 *   macro rows or samples (what `npm run import` sends when a gateway runs on its file). Streamed to a temp file,
 *   validated all or nothing, written through the lakehouse's ingest queue; the new rows and typed fields are
 *   served by the next request. Allowed to the operator (the run file's token) and to users who administer every
 *   experiment the rows name; only the operator creates experiments.
 * - `GET /admin/schema` — the SDL of the whole catalog (`npm run schema:print`), operator only.
 *
 * Answers are JSON (`{ "imported": … }` or `{ "error": { "code", "message", "problems"? } }`), with the same codes
 * as GraphQL errors.
 */
import { timingSafeEqual } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { GraphQLSchema } from "graphql";
import { lexicographicSortSchema, printSchema } from "graphql";
import { isCodedError } from "../../lakehouse/errors.js";
import {
  type ImportOptions,
  type ImportResult,
  ImportValidationError,
  UnknownExperimentError,
} from "../../lakehouse/import/import-file.js";
import { ExperimentAccess } from "../../resolvers/access/experiment-access.js";
import type { Viewer } from "../../resolvers/access/viewer.js";
import { ForbiddenError } from "../../resolvers/errors.js";
import type { TokenVerifier } from "../auth/jwt.js";

export interface AdminEndpointsOptions {
  /** The operator token of the run file (null: no operator, only experiment admins may import). */
  readonly operatorToken: string | null;
  readonly verifier: TokenVerifier;
  readonly imports: { run(path: string, options: ImportOptions): Promise<ImportResult> } | null;
  readonly operatorSchema: () => Promise<GraphQLSchema>;
  /** `loopback` (default), `any`, or `off`. */
  readonly access: "loopback" | "any" | "off";
  readonly maxImportBytes: number;
  readonly log: (message: string) => void;
}

type Caller = { readonly operator: true } | { readonly operator: false; readonly viewer: Viewer };

class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** A request handler for `/admin/*`: returns false for any other path (the caller serves it). */
export function adminEndpoints(options: AdminEndpointsOptions) {
  const operator = options.operatorToken ? Buffer.from(options.operatorToken) : null;

  async function callerOf(req: IncomingMessage): Promise<Caller> {
    const header = req.headers.authorization;
    const token = /^Bearer (.+)$/i.exec(header ?? "")?.[1];
    if (!token)
      throw new AdminError(401, "UNAUTHENTICATED", "Send a bearer token: the operator's or an admin's.");
    const given = Buffer.from(token);
    if (operator && given.length === operator.length && timingSafeEqual(given, operator))
      return { operator: true };
    try {
      const viewer = await options.verifier.viewerFromHeader(header);
      if (viewer.userId === null) throw new Error("anonymous");
      return { operator: false, viewer };
    } catch {
      throw new AdminError(401, "UNAUTHENTICATED", "The token is not valid.");
    }
  }

  async function importBody(req: IncomingMessage, url: URL, caller: Caller) {
    if (!options.imports) {
      throw new AdminError(
        404,
        "NOT_FOUND",
        "Imports while serving exist on the embedded lakehouse in the centrum table shape only.",
      );
    }
    const dir = mkdtempSync(join(tmpdir(), "centrum-import-"));
    const path = join(dir, "upload");
    try {
      let bytes = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          if (bytes > options.maxImportBytes) {
            done(
              new AdminError(
                413,
                "PAYLOAD_TOO_LARGE",
                `Imports are limited to ${options.maxImportBytes} bytes.`,
              ),
            );
          } else done(null, chunk);
        },
      });
      const declared = Number(req.headers["content-length"]);
      if (Number.isFinite(declared) && declared > options.maxImportBytes) {
        throw new AdminError(
          413,
          "PAYLOAD_TOO_LARGE",
          `Imports are limited to ${options.maxImportBytes} bytes.`,
        );
      }
      await pipeline(req, limit, createWriteStream(path));
      const format = url.searchParams.get("format");
      const experimentId = url.searchParams.get("experiment") ?? undefined;
      const createExperiments = url.searchParams.get("createExperiment") === "true";
      if (format !== null && format !== "ndjson" && format !== "parquet") {
        throw new AdminError(400, "BAD_USER_INPUT", "format is ndjson or parquet.");
      }
      return await options.imports.run(path, {
        experimentId,
        createExperiments,
        format: format ?? undefined,
        beforeWrite: async (experimentIds, _created, read) => {
          if (caller.operator) return;
          // On the import's own connection (a pool of one would wait for itself). A missing experiment is one the
          // caller does not administer: the same answer as a private one, so the refusal reveals nothing.
          const access = new ExperimentAccess(caller.viewer);
          const rows = await read(access.administeredStatement(experimentIds));
          const administered = new Set(rows.map((r) => String(r.experiment_id)));
          const others = experimentIds.filter((id) => !administered.has(id));
          if (others.length > 0) {
            throw new ForbiddenError(
              `Only admins of an experiment may import into it; you do not administer ${others.join(", ")}.`,
            );
          }
        },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      if (options.access === "off") throw new AdminError(404, "NOT_FOUND", "The admin endpoints are off.");
      // Behind a reverse proxy on this host every client is loopback: a forwarded request is not.
      const forwarded = req.headers["x-forwarded-for"] !== undefined || req.headers.forwarded !== undefined;
      if (options.access === "loopback" && (forwarded || !LOOPBACK.has(req.socket.remoteAddress ?? ""))) {
        throw new AdminError(403, "FORBIDDEN", "The admin endpoints answer loopback clients only.");
      }
      const caller = await callerOf(req);
      if (url.pathname === "/admin/import" && req.method === "POST") {
        const result = await importBody(req, url, caller);
        send(res, 200, { imported: result });
        options.log(
          `import: ${result.rows} ${result.kind} row(s) into ${result.experimentIds.join(", ")} by ${caller.operator ? "the operator" : caller.viewer.userId}`,
        );
        return;
      }
      if (url.pathname === "/admin/schema" && req.method === "GET") {
        if (!caller.operator)
          throw new AdminError(403, "FORBIDDEN", "The whole catalog's schema is the operator's.");
        const sdl = printSchema(lexicographicSortSchema(await options.operatorSchema()));
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        res.end(sdl);
        return;
      }
      throw new AdminError(404, "NOT_FOUND", `No admin endpoint ${req.method} ${url.pathname}.`);
    } catch (error) {
      req.resume();
      if (error instanceof AdminError)
        return sendError(res, error.status, error.code, error.message, error.extra);
      if (error instanceof ImportValidationError) {
        return sendError(res, 400, "BAD_USER_INPUT", error.message, { problems: error.problems });
      }
      if (error instanceof UnknownExperimentError) {
        return sendError(res, 400, "BAD_USER_INPUT", error.message, { experimentIds: error.experimentIds });
      }
      if (isCodedError(error)) {
        const status = error.code === "FORBIDDEN" ? 403 : error.code === "UNAUTHENTICATED" ? 401 : 500;
        return sendError(res, status, error.code, error.message);
      }
      options.log(`admin: ${req.method} ${url.pathname} failed: ${String((error as Error)?.stack ?? error)}`);
      sendError(res, 500, "INTERNAL_SERVER_ERROR", "The import failed; nothing was written.");
    }
  }

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? "/", "http://gateway");
    if (!url.pathname.startsWith("/admin/")) return false;
    void serve(req, res, url);
    return true;
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  send(res, status, { error: { code, message, ...extra } });
}
