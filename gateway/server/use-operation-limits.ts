/**
 * Guards the endpoint before anything runs. The document limits are graphql-armor's (depth, aliases, tokens,
 * directives), each rejection stamped with its own code; the warehouse-aware part is ours: root fields, and the
 * static cost (`operation-cost.ts`) — the response nodes the operation may produce and the lakehouse statements it
 * may cost — against their limits. Over a limit: one error naming the limit and the value, no statement run.
 *
 * Every response carries `extensions.cost { requested, statements, actual, limit }`: the nodes requested, the
 * statements estimated, the statements actually run (from the statement log), and the node limit.
 */
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import type { GraphQLArmorRejectCallback } from "@escape.tech/graphql-armor-types";
import {
  type ExecutionResult,
  type FragmentDefinitionNode,
  GraphQLError,
  getOperationAST,
  Kind,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { type StatementLog, StatementScope } from "../../lakehouse/statement-log.js";
import type { GatewayConfig } from "../config.js";
import { type OperationCost, operationCost } from "./operation-cost.js";

export interface OperationLimits extends Readonly<GatewayConfig["limits"]> {
  readonly defaultPageSize: number;
}

/** Marks an armor rejection with a stable code and the limit it names. */
function stamp(code: string, limit: string, max: number): GraphQLArmorRejectCallback[] {
  return [
    (_ctx, error) => {
      const extensions = error.extensions as Record<string, unknown>;
      extensions.code = code;
      extensions.limit = limit;
      extensions.max = max;
    },
  ];
}

function limitError(code: string, limit: string, value: number, max: number, what: string): GraphQLError {
  return new GraphQLError(
    `${what} ${value} is over the limit of ${max} (${limit}); ask for less per request.`,
    {
      extensions: { code, limit, value, max },
    },
  );
}

export function useOperationLimits(limits: OperationLimits, statements: StatementLog): Plugin[] {
  const armor = { exposeLimits: true, propagateOnRejection: true };
  return [
    maxTokensPlugin({
      ...armor,
      n: limits.tokens,
      onReject: stamp("TOO_MANY_TOKENS", "tokens", limits.tokens),
    }),
    maxDepthPlugin({
      ...armor,
      n: limits.depth,
      flattenFragments: true,
      onReject: stamp("QUERY_TOO_DEEP", "depth", limits.depth),
    }),
    maxAliasesPlugin({
      ...armor,
      n: limits.aliases,
      onReject: stamp("TOO_MANY_ALIASES", "aliases", limits.aliases),
    }),
    maxDirectivesPlugin({
      ...armor,
      n: limits.directives,
      onReject: stamp("TOO_MANY_DIRECTIVES", "directives", limits.directives),
    }),
    useWarehouseCost(limits, statements),
  ];
}

function useWarehouseCost(limits: OperationLimits, statements: StatementLog): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return;
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const d of args.document.definitions)
        if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
      const cost: OperationCost = operationCost(
        args.schema,
        operation,
        fragments,
        (args.variableValues ?? {}) as Record<string, unknown>,
        { defaultPageSize: limits.defaultPageSize },
      );
      const report = (actual: number) => ({
        requested: cost.nodes,
        statements: cost.statements,
        actual,
        limit: limits.nodes,
      });
      const refuse = (error: GraphQLError) =>
        setResultAndStopExecution({ errors: [error], extensions: { cost: report(0) } });
      if (cost.rootFields > limits.rootFields) {
        return refuse(
          limitError(
            "TOO_MANY_ROOT_FIELDS",
            "rootFields",
            cost.rootFields,
            limits.rootFields,
            "Root fields:",
          ),
        );
      }
      if (cost.nodes > limits.nodes) {
        return refuse(limitError("COST_LIMIT", "nodes", cost.nodes, limits.nodes, "The response may hold"));
      }
      if (cost.statements > limits.statements) {
        return refuse(
          limitError("COST_LIMIT", "statements", cost.statements, limits.statements, "Lakehouse statements:"),
        );
      }
      const scope = new StatementScope();
      setExecuteFn((a) => statements.runInScope(scope, () => executeFn(a)));
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in (result as object)) return;
          const r = result as ExecutionResult;
          setResult({ ...r, extensions: { ...r.extensions, cost: report(scope.records.length) } });
        },
      };
    },
  };
}
