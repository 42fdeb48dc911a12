/**
 * Compiled execution of repeated queries (graphql-jit): a query document that runs again against the same schema
 * is compiled once into a function that resolves and completes that selection without graphql-js's generic walk
 * (issue 13: a 1000-row dashboard spends most of its JavaScript time completing values).
 *
 * Why not `@envelop/graphql-jit` as it is: it caches compiled queries by document only, and this gateway serves
 * many schemas — one per access set, and a new one at every catalog change — so a document compiled against one
 * schema must never run against another. Here the cache is per schema object (a swapped schema's entries go with
 * it) and per document object (Yoga's parse cache hands the same object for the same text).
 *
 * - Queries only: mutations keep graphql-js's serial execution, subscriptions their own path.
 * - A document is compiled on its second execution against a schema (a one-off query pays no compile time).
 * - A document graphql-jit cannot compile runs with graphql-js, and is not tried again for that schema.
 */

import { type DocumentNode, type ExecutionArgs, type GraphQLSchema, getOperationAST } from "graphql";
import { type CompiledQuery, compileQuery, isCompiledQuery } from "graphql-jit";
import type { Plugin } from "graphql-yoga";

/** Per document and operation name: how often it ran, then its compiled form (null: not compilable). */
type Entry = { runs: number; compiled?: CompiledQuery | null };

export function useCompiledExecution(options: { readonly afterRuns?: number } = {}): Plugin {
  const afterRuns = options.afterRuns ?? 1;
  const bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, Entry>>>();

  const entryOf = (schema: GraphQLSchema, document: DocumentNode, operationName: string): Entry => {
    let byDocument = bySchema.get(schema);
    if (!byDocument) {
      byDocument = new WeakMap();
      bySchema.set(schema, byDocument);
    }
    let byName = byDocument.get(document);
    if (!byName) {
      byName = new Map();
      byDocument.set(document, byName);
    }
    let entry = byName.get(operationName);
    if (!entry) {
      entry = { runs: 0 };
      byName.set(operationName, entry);
    }
    return entry;
  };

  return {
    onExecute({ args, setExecuteFn }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== "query") return;
      const entry = entryOf(args.schema, args.document, args.operationName ?? "");
      if (entry.compiled === undefined) {
        if (entry.runs++ < afterRuns) return;
        const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
        entry.compiled = isCompiledQuery(result) ? result : null;
      }
      const compiled = entry.compiled;
      if (!compiled) return;
      setExecuteFn(((a: ExecutionArgs) =>
        compiled.query(a.rootValue, a.contextValue, a.variableValues ?? {})) as never);
    },
  };
}
