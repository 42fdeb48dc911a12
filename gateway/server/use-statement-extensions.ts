/**
 * Development aid: the response `extensions.statements` lists what an operation cost in lakehouse statements
 * (text, parameter count, rows, milliseconds), so notebook users and frontend developers see it next to the data.
 */
import type { Plugin } from "graphql-yoga";
import { type StatementLog, StatementScope } from "../../lakehouse/statement-log.js";

export function useStatementExtensions(log: StatementLog, options: { includeText: boolean }): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      const scope = new StatementScope();
      setExecuteFn((args) => log.runInScope(scope, () => executeFn(args)));
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in (result as object)) return;
          const r = result as { extensions?: Record<string, unknown> };
          setResult({
            ...(result as object),
            extensions: {
              ...r.extensions,
              statements: {
                count: scope.records.length,
                ...(options.includeText
                  ? {
                      list: scope.records.map((s) => ({
                        text: s.text,
                        paramCount: s.paramCount,
                        rows: s.rows,
                        ms: Math.round(s.ms * 10) / 10,
                      })),
                    }
                  : {}),
              },
            },
          } as typeof result);
        },
      };
    },
  };
}
