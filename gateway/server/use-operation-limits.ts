/**
 * Guards the endpoint before anything runs. The document limits are graphql-armor's (depth, aliases, tokens,
 * directives), each rejection stamped with its own code; the warehouse-aware part is ours: root fields, and the
 * static cost (`operation-cost.ts`) — the response nodes the operation may produce and the lakehouse statements it
 * may cost — against their limits. Over a limit: one error naming the limit and the value, no statement run.
 *
 * Every response carries `extensions.cost { requested, statements, actual, limit }`: the nodes requested, the
 * statements estimated, the statements actually run (recorded by the request's statement scope), and the node limit.
 */

import { type Store, useRateLimiter } from "@envelop/rate-limiter";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import type { GraphQLArmorRejectCallback } from "@escape.tech/graphql-armor-types";
import {
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { StatementScope } from "../../lakehouse/statement-log.js";
import type { GatewayContext } from "../../resolvers/context.js";
import type { GatewayConfig } from "../config.js";
import { type BucketState, type CostBucketStore, CostBuckets } from "./cost-bucket.js";
import type { GatewayMetrics } from "./gateway-metrics.js";
import { type OperationCost, operationCost } from "./operation-cost.js";

export interface OperationLimits extends Readonly<GatewayConfig["limits"]> {
  readonly defaultPageSize: number;
  readonly rateLimits: GatewayConfig["rateLimits"];
}

/** Where rate limits are counted: this process by default; Redis, shared by every process, with `REDIS_URL`. */
export interface RateLimitStores {
  readonly buckets?: CostBucketStore;
  /** @envelop/rate-limiter's store for the per-field mutation limits. */
  readonly fields?: Store;
}

/** The mutations, each limited in calls per caller per minute (envelop's rate limiter, configured by field). */
const MUTATIONS = [
  "addAnnotation",
  "addAnnotations",
  "updateAnnotation",
  "deleteAnnotation",
  "deleteAnnotations",
];

/** Marks an armor rejection with a stable code and the limit it names. */
function stamp(
  code: string,
  limit: string,
  max: number,
  metrics?: GatewayMetrics,
): GraphQLArmorRejectCallback[] {
  return [
    (_ctx, error) => {
      metrics?.refused.inc({ limit });
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

export function useOperationLimits(
  limits: OperationLimits,
  metrics?: GatewayMetrics,
  stores: RateLimitStores = {},
  /** Whether an operation is answered from the response cache (registered before these plugins): it costs nothing. */
  answeredFromCache?: (context: unknown) => boolean,
): Plugin[] {
  const armor = { exposeLimits: true, propagateOnRejection: true };
  return [
    maxTokensPlugin({
      ...armor,
      n: limits.tokens,
      onReject: stamp("TOO_MANY_TOKENS", "tokens", limits.tokens, metrics),
    }),
    maxDepthPlugin({
      ...armor,
      n: limits.depth,
      flattenFragments: true,
      onReject: stamp("QUERY_TOO_DEEP", "depth", limits.depth, metrics),
    }),
    maxAliasesPlugin({
      ...armor,
      n: limits.aliases,
      onReject: stamp("TOO_MANY_ALIASES", "aliases", limits.aliases, metrics),
    }),
    maxDirectivesPlugin({
      ...armor,
      n: limits.directives,
      onReject: stamp("TOO_MANY_DIRECTIVES", "directives", limits.directives, metrics),
    }),
    useWarehouseCost(
      limits,
      stores.buckets ??
        new CostBuckets({
          capacity: limits.rateLimits.points,
          drainPerSecond: limits.rateLimits.drainPerSecond,
        }),
      metrics,
      answeredFromCache,
    ),
    onMutationsOnly(
      useRateLimiter({
        identifyFn: (context) => (context as unknown as GatewayContext).caller,
        ...(stores.fields ? { store: stores.fields } : {}),
        configByField: MUTATIONS.map((field) => ({
          type: "Mutation",
          field,
          max: limits.rateLimits.mutationsPerMinute,
          window: "1m",
        })),
        transformError: (message) =>
          new GraphQLError(message, {
            extensions: {
              code: "RATE_LIMITED",
              retryAfter: 60,
              http: { status: 429, headers: { "Retry-After": "60" } },
            },
          }),
      }) as unknown as Plugin,
    ),
  ];
}

/**
 * The per-field limiter visits the whole document with type info on every execution; only mutations have limited
 * fields, so queries (the hot path) skip it. Its context extension (the limiter it adds) is its own business.
 */
function onMutationsOnly(limiter: Plugin): Plugin {
  return {
    onContextBuilding: limiter.onContextBuilding,
    onExecute(payload) {
      const operation = getOperationAST(payload.args.document, payload.args.operationName);
      if (operation?.operation === "mutation") return limiter.onExecute?.(payload);
    },
  };
}

function useWarehouseCost(
  limits: OperationLimits,
  buckets: CostBucketStore,
  metrics: GatewayMetrics | undefined,
  answeredFromCache?: (context: unknown) => boolean,
): Plugin {
  /**
   * The static cost of an operation and the caller's bucket: a refusal (the result to answer with), or the cost
   * report to attach. A subscription is checked per event (its selection's nodes and statements) and charged its
   * start (the standing, and a replay) once.
   */
  // The cost of a document depends only on it, the schema and the variables: a repeated operation (the same
  // document object, from Yoga's parse cache) is costed once per schema and variable set.
  const costs = new WeakMap<DocumentNode, WeakMap<GraphQLSchema, Map<string, OperationCost>>>();
  const costOf = (
    document: DocumentNode,
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    operationName: string | null | undefined,
    variableValues: unknown,
  ): OperationCost => {
    const compute = () => {
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const d of document.definitions)
        if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
      return operationCost(schema, operation, fragments, (variableValues ?? {}) as Record<string, unknown>, {
        defaultPageSize: limits.defaultPageSize,
      });
    };
    let key: string;
    try {
      key = `${operationName ?? ""}\u0000${JSON.stringify(variableValues ?? {})}`;
    } catch {
      return compute(); // variables that are not JSON (never from a client): not cached
    }
    let bySchema = costs.get(document);
    if (!bySchema) {
      bySchema = new WeakMap();
      costs.set(document, bySchema);
    }
    let byVariables = bySchema.get(schema);
    if (!byVariables) {
      byVariables = new Map();
      bySchema.set(schema, byVariables);
    }
    let cost = byVariables.get(key);
    if (!cost) {
      cost = compute();
      // A document sent with ever-new variables keeps only its latest variable sets.
      if (byVariables.size >= 32) byVariables.delete(byVariables.keys().next().value as string);
      byVariables.set(key, cost);
    }
    return cost;
  };
  type Checked =
    | { refused: ExecutionResult }
    | { report: (actual: number) => Record<string, unknown> }
    | null;
  const check = (args: {
    document: DocumentNode;
    operationName?: string | null;
    schema: GraphQLSchema;
    variableValues?: unknown;
    contextValue: unknown;
  }): Checked | Promise<Checked> => {
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) return null;
    const cost = costOf(args.document, args.schema, operation, args.operationName, args.variableValues);
    // A cached answer runs no statement: it reports none and pours the least any operation pours.
    const cached = answeredFromCache?.(args.contextValue) ?? false;
    let bucket: BucketState | null = null;
    const report = (actual: number) => ({
      requested: cost.nodes,
      statements: cached ? 0 : cost.statements,
      actual,
      limit: limits.nodes,
      ...(bucket ? { remaining: bucket.remaining, resetAt: bucket.resetAt.toISOString() } : {}),
    });
    const refuse = (error: GraphQLError) => {
      if (error.extensions.code === "RATE_LIMITED") metrics?.rateLimited.inc();
      else metrics?.refused.inc({ limit: String(error.extensions.limit) });
      return { refused: { errors: [error], extensions: { cost: report(0) } } };
    };
    if (cost.rootFields > limits.rootFields) {
      return refuse(
        limitError("TOO_MANY_ROOT_FIELDS", "rootFields", cost.rootFields, limits.rootFields, "Root fields:"),
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
    const subscription = operation.operation === "subscription";
    const caller = (args.contextValue as GatewayContext).caller;
    // A subscription's start: its standing and a replay.
    // At least one point per operation (a flood of free answers is still a flood); a cached answer pours only that.
    const points = subscription ? 2 : cached ? 1 : Math.max(1, cost.statements);
    // The bucket is this process's (answers at once) or Redis' (answers later).
    const poured = (state: BucketState): Checked => {
      bucket = state;
      if (state.allowed) return { report };
      const retryAfter = state.retryAfter;
      return refuse(
        new GraphQLError(
          `Rate limited: this operation costs ${points} of your ${buckets.capacity} statement points, ${state.remaining} are left; retry in ${retryAfter} s.`,
          {
            extensions: {
              code: "RATE_LIMITED",
              retryAfter,
              http: { status: 429, headers: { "Retry-After": String(retryAfter) } },
            },
          },
        ),
      );
    };
    const state = buckets.take(caller, points);
    return state instanceof Promise ? state.then(poured) : poured(state);
  };

  type OnExecute = Parameters<NonNullable<Plugin["onExecute"]>>[0];
  const apply = (checked: Checked, hook: OnExecute) => {
    if (!checked) return;
    if ("refused" in checked) return hook.setResultAndStopExecution(checked.refused);
    const scope = new StatementScope();
    (hook.args.contextValue as unknown as GatewayContext).statementScopes.push(scope);
    return {
      onExecuteDone({ result, setResult }: { result: unknown; setResult: (r: ExecutionResult) => void }) {
        if (Symbol.asyncIterator in (result as object)) return;
        const r = result as ExecutionResult;
        setResult({ ...r, extensions: { ...r.extensions, cost: checked.report(scope.records.length) } });
      },
    };
  };

  return {
    onExecute(hook) {
      const checked = check(hook.args);
      return checked instanceof Promise ? checked.then((c) => apply(c, hook)) : apply(checked, hook);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const stop = (checked: Checked) => {
        if (checked && "refused" in checked) setResultAndStopExecution(checked.refused);
      };
      const checked = check(args);
      return checked instanceof Promise ? checked.then(stop) : stop(checked);
    },
  };
}
