/**
 * The path of an export (`GET /export/{experimentId}/{table}.{format}`) for a connection's filter, so a GraphiQL user
 * can copy it into a notebook: `where` and `orderBy` as JSON query parameters (as a GraphQL variable would spell
 * them), `includeErrors` and `columns` when given. Pure.
 */
export interface ExportQuery {
  /** JSON-ready values (the arguments serialized by their GraphQL input types). */
  readonly where?: unknown;
  readonly orderBy?: unknown;
  readonly includeErrors?: boolean | null;
  readonly columns?: readonly string[] | null;
}

export function exportPath(experimentId: string, table: string, format: string, query: ExportQuery): string {
  const params = new URLSearchParams();
  if (query.where != null) params.set("where", JSON.stringify(query.where));
  if (query.orderBy != null && !(Array.isArray(query.orderBy) && query.orderBy.length === 0)) {
    params.set("orderBy", JSON.stringify(query.orderBy));
  }
  if (query.includeErrors) params.set("includeErrors", "true");
  if (query.columns && query.columns.length > 0) params.set("columns", query.columns.join(","));
  const search = params.toString();
  const path = `/export/${encodeURIComponent(experimentId)}/${encodeURIComponent(table)}.${format}`;
  return search ? `${path}?${search}` : path;
}
