/**
 * Development aid: the response `extensions.statements` lists what an operation cost in lakehouse statements
 * (text, parameter count, rows, milliseconds), so notebook users and frontend developers see it next to the data.
 * A streamed result (a subscription, incremental delivery) reports on each event the statements run since the last.
 */
import type { ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import { type StatementRecord, StatementScope } from "../../lakehouse/statement-log.js";
import type { GatewayContext } from "../../resolvers/context.js";

export function useStatementExtensions(options: { includeText: boolean }): Plugin {
  const withStatements = (result: ExecutionResult, records: readonly StatementRecord[]): ExecutionResult => ({
    ...result,
    extensions: {
      ...result.extensions,
      statements: {
        count: records.length,
        ...(options.includeText
          ? {
              list: records.map((s) => ({
                text: s.text,
                paramCount: s.paramCount,
                rows: s.rows,
                ms: Math.round(s.ms * 10) / 10,
              })),
            }
          : {}),
      },
    },
  });
  return {
    onExecute({ args }) {
      const scope = new StatementScope();
      (args.contextValue as unknown as GatewayContext).statementScopes.push(scope);
      return {
        onExecuteDone({ result, setResult }) {
          if (!(Symbol.asyncIterator in (result as object))) {
            setResult(withStatements(result as ExecutionResult, scope.records));
            return;
          }
          let reported = 0;
          return {
            onNext({ result: event, setResult: setEvent }) {
              const records = scope.records.slice(reported);
              reported = scope.records.length;
              setEvent(withStatements(event as ExecutionResult, records));
            },
          };
        },
      };
    },
  };
}
