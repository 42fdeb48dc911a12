/**
 * An export reads a table the way its GraphQL connection pages it: the same compilers (`compile-where.ts`,
 * `compile-order-by.ts`, `compileMeasurementPage` / `compileSamplePage`), the same access predicate in every
 * statement, and keyset pages that continue after the last row's cursor — so an export of a filter holds exactly the
 * rows the connection returns for it, in the same order, and any number of rows streams in constant memory (one page
 * held while the next is read). Statements are not cached: a file is read once, and a million rows would only
 * evict what dashboards share.
 *
 * Before anything is read the experiment is looked up with the viewer's standing: one the viewer may not read is
 * NOT_FOUND, worded as `experiment(id)` words it.
 */
import type { Lakehouse, Row } from "../../lakehouse/lakehouse.js";
import type { Sql } from "../../lakehouse/sql.js";
import type { ExperimentAccess, ExperimentStanding } from "../access/experiment-access.js";
import { NotFoundError } from "../errors.js";
import { compileMeasurementPage } from "../measurements/compile-measurement-page.js";
import type { OrderByArgs } from "../measurements/compile-order-by.js";
import type { WhereArgs } from "../measurements/compile-where.js";
import { queryParts } from "../measurements/measurement-connection.js";
import { rowCursor } from "../pagination/connection.js";
import type { SortKey } from "../pagination/keyset.js";
import { compileSamplePage } from "../samples/sample-page.js";
import { type ExportColumn, type ExportTable, exportColumns, type ReadContext } from "./export-columns.js";

/** Rows per page statement: one Parquet row group, one cost point. */
export const EXPORT_PAGE_SIZE = 10_000;

export interface ExportRequest {
  readonly experimentId: string;
  readonly table: ExportTable;
  readonly where?: WhereArgs | null;
  readonly orderBy?: readonly OrderByArgs[] | null;
  /** Macro tables: include failed runs (`macro_error` set), as the connection's `includeErrors`. */
  readonly includeErrors?: boolean | null;
  readonly columns?: readonly string[] | null;
}

export interface ExportOptions {
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
  /** Runs before every statement the export sends (the standing, then each page): rate limits pour here. */
  readonly beforeStatement?: () => Promise<void>;
}

export interface OpenExport {
  readonly columns: readonly ExportColumn[];
  readonly context: ReadContext;
  /** The pages in order; the first is read before `openExport` resolves, so a failing statement fails it. */
  pages(): AsyncGenerator<readonly Row[]>;
}

interface CompiledPage {
  readonly statement: Sql;
  readonly signature: string;
  readonly keys: readonly SortKey[];
}

/** The page statement after `after` (a cursor of the previous page's last row), validating the request. */
type PageCompiler = (after: string | null) => CompiledPage;

function pageCompiler(request: ExportRequest, access: ExperimentAccess, pageSize: number): PageCompiler {
  const limits = { maxPageSize: pageSize, defaultPageSize: pageSize };
  const { table } = request;
  if (table.kind === "measurements") {
    const parts = queryParts(table.model, { where: request.where, orderBy: request.orderBy });
    const { selection } = exportColumns(table, request.columns);
    return (after) => {
      const compiled = compileMeasurementPage({
        model: table.model,
        scope: [request.experimentId],
        access,
        selection,
        includeErrors: request.includeErrors ?? false,
        filter: parts.filter,
        sort: parts.sort,
        signatureParts: parts.signatureParts,
        args: { first: pageSize, after },
        withTotal: false,
        limits,
      });
      return { statement: compiled.statement, signature: compiled.plan.signature, keys: compiled.keys };
    };
  }
  return (after) => {
    const compiled = compileSamplePage(
      access,
      request.experimentId,
      { where: request.where, orderBy: request.orderBy, first: pageSize, after },
      { withTotal: false, limits },
    );
    return { statement: compiled.statement, signature: compiled.plan.signature, keys: compiled.keys };
  };
}

/**
 * Validates the request (BAD_USER_INPUT before any statement), checks the viewer may read the experiment
 * (NOT_FOUND otherwise) and reads the first page.
 */
export async function openExport(
  lakehouse: Lakehouse,
  access: ExperimentAccess,
  request: ExportRequest,
  options: ExportOptions = {},
): Promise<OpenExport> {
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
  const { columns } = exportColumns(request.table, request.columns);
  const compile = pageCompiler(request, access, pageSize);
  // Compiled once up front: a bad `where` or `orderBy` is refused before anything runs.
  let next: CompiledPage | null = compile(null);
  const charge = options.beforeStatement ?? (async () => undefined);
  const read = async (statement: Sql) => {
    await charge();
    return lakehouse.query<Row>(statement, { signal: options.signal });
  };

  const [standing] = await read(access.standingStatement(request.experimentId));
  if (!standing || !access.mayRead(standing as unknown as ExperimentStanding)) {
    throw new NotFoundError(`No experiment with id "${request.experimentId}".`);
  }
  const context: ReadContext = { anonymized: standing.anonymize_contributors === true };

  /** The rows of one page statement, and the statement of the page after it (null after the last). */
  const fetchPage = async (page: CompiledPage): Promise<{ rows: Row[]; next: CompiledPage | null }> => {
    const rows = await read(page.statement);
    if (rows.length <= pageSize) return { rows, next: null };
    const shown = rows.slice(0, pageSize);
    return { rows: shown, next: compile(rowCursor(page.signature, page.keys, shown.at(-1)!)) };
  };
  let pending = fetchPage(next);
  await pending;

  return {
    columns,
    context,
    async *pages() {
      while (next) {
        const page = await pending;
        next = page.next;
        // One page ahead: the next statement runs while this page is written.
        if (next) {
          pending = fetchPage(next);
          // Awaited on the next turn; until then a failure must not count as unhandled.
          pending.catch(() => undefined);
        }
        yield page.rows;
      }
    },
  };
}
