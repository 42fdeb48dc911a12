/**
 * `exportUrl(format, columns)` on every macro connection and on `Experiment.samples`: the URL of the export
 * (`gateway/server/export-endpoint.ts`) of the rows the connection's `where`/`orderBy`/`includeErrors` select, so
 * a GraphiQL user adds one field to the query they explored with and copies the URL into a notebook.
 *
 * The connection's resolver remembers its arguments with the connection it returns (`rememberExport`): the
 * arguments are serialized back to JSON by their own GraphQL input types, and the endpoint coerces that JSON with the
 * same types, so the URL means exactly what the connection's arguments mean. Costs no statement.
 */
import {
  type GraphQLEnumType,
  type GraphQLFieldConfig,
  type GraphQLInputType,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLResolveInfo,
  type GraphQLScalarType,
  GraphQLString,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
} from "graphql";
import { type ExportQuery, exportPath } from "../../resolvers/exports/export-url.js";

/** The export formats as the `ExportFormat` enum's values (GraphQL name → path extension). */
export const EXPORT_FORMAT_VALUES = { CSV: "csv", NDJSON: "ndjson", PARQUET: "parquet" } as const;

export const EXPORT_FORMAT_DOC = "A file format of `GET /export/{experimentId}/{table}.{format}`.";

export const EXPORT_URL_DOC =
  "The URL of an export of every row this connection's `where`/`orderBy` select (not just this page), as a file: " +
  "`GET` it with the same `Authorization` header. Null across several experiments (an export reads one).";

interface ExportTarget {
  readonly experimentId: string | null;
  readonly table: string;
  readonly query: ExportQuery;
}

const TARGETS = new WeakMap<object, ExportTarget>();

/** A value of a GraphQL input type as JSON (what a variable of that type would be). */
function inputJson(value: unknown, type: GraphQLInputType): unknown {
  if (value === null || value === undefined) return null;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    return (Array.isArray(value) ? value : [value]).map((v) => inputJson(v, nullable.ofType));
  }
  if (isInputObjectType(nullable)) {
    const fields = nullable.getFields();
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[key];
      if (field && v !== undefined) out[key] = inputJson(v, field.type);
    }
    return out;
  }
  if (isEnumType(nullable)) return nullable.serialize(value);
  return (nullable as GraphQLScalarType).serialize(value);
}

/**
 * Remembers, with the connection a resolver returns, what its export is: one experiment's `table` (a macro filename
 * or `sample`) under the field's arguments. Returns the connection.
 */
export function rememberExport<C extends object>(
  connection: C,
  info: GraphQLResolveInfo,
  args: Record<string, unknown>,
  experimentId: string | null,
  table: string,
): C {
  const field = info.parentType.getFields()[info.fieldName];
  const json = (name: string) => {
    const arg = field?.args.find((a) => a.name === name);
    return arg && args[name] != null ? inputJson(args[name], arg.type) : null;
  };
  TARGETS.set(connection, {
    experimentId,
    table,
    query: { where: json("where"), orderBy: json("orderBy"), includeErrors: args.includeErrors === true },
  });
  return connection;
}

/** The origin the request came to (yoga puts the Fetch `Request` in the context), for an absolute URL. */
function originOf(context: unknown): string {
  const url = (context as { request?: { url?: string } }).request?.url;
  try {
    return url ? new URL(url).origin : "";
  } catch {
    return "";
  }
}

export const exportUrlResolver = (
  connection: object,
  args: { format: string; columns?: readonly string[] | null },
  context: unknown,
): string | null => {
  const target = TARGETS.get(connection);
  if (!target || target.experimentId === null) return null;
  return (
    originOf(context) +
    exportPath(target.experimentId, target.table, args.format, { ...target.query, columns: args.columns })
  );
};

/** The field on a graphql-js connection type (the generated per-macro connections). */
export function exportUrlField(ExportFormat: GraphQLEnumType): GraphQLFieldConfig<object, unknown> {
  return {
    type: GraphQLString,
    description: EXPORT_URL_DOC,
    args: {
      columns: {
        type: new GraphQLList(new GraphQLNonNull(GraphQLString)),
        description:
          "Only these columns (names as in the file; a nested object's dotted path picks all its columns).",
      },
      format: { type: new GraphQLNonNull(ExportFormat), description: "The file format." },
    },
    resolve: (connection, args, context) =>
      exportUrlResolver(connection, args as { format: string; columns?: string[] }, context),
  };
}
