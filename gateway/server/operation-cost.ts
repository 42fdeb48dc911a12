/**
 * The static cost of an operation, from its document and variables against the served schema, before anything runs:
 *
 * - **nodes**: how many field values the response will hold at most — every field counts once per parent it is
 *   resolved for; a connection's `edges` multiply by its page size (`first`/`last`, the default page when absent),
 *   an aggregate's `groups` by its `limit` (`cost.pageArgument`, when given), every other list of objects by its
 *   `cost.listSize` (default 10). The cyclic relations
 *   (`measurement → sample → measurements → …`) grow this geometrically, so the node limit stops them.
 * - **statements**: the lakehouse statements it will cost at most. A field with `extensions.cost.statements` costs
 *   that many per distinct argument set (identical ones run once per operation); a batched relation
 *   (`cost.batched`) once per level it appears at, whatever the number of parents (dataloaders batch them).
 */
import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isUnionType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  typeFromAST,
} from "graphql";
import { getArgumentValues } from "graphql/execution/values.js";

/** Cost hints a field carries in `extensions.cost`. */
export interface FieldCost {
  /** Statements one resolution with these arguments costs. */
  readonly statements?: number;
  /** The statements are batched across parents (a dataloader): counted once per level, not per parent. */
  readonly batched?: boolean;
  /** For a list field: how many items to expect per parent. */
  readonly listSize?: number;
  /** For a list field: the list argument whose length is its size (`_entities(representations:)`). */
  readonly listSizeArgument?: string;
  /** A number argument that sizes the lists below this field when given (`limit` of an aggregate's `groups`). */
  readonly pageArgument?: string;
}

export interface OperationCost {
  readonly nodes: number;
  readonly statements: number;
  readonly rootFields: number;
}

export interface CostOptions {
  readonly defaultPageSize: number;
  readonly defaultListSize?: number;
}

const PAGE_ARGS = ["first", "last"] as const;

export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>>,
  options: CostOptions,
): OperationCost {
  const root =
    operation.operation === "query"
      ? schema.getQueryType()
      : operation.operation === "mutation"
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  const statementKeys = new Set<string>();
  let statements = 0;
  let nodes = 0;
  const defaultList = options.defaultListSize ?? 10;

  const fieldsOf = (
    set: SelectionSetNode,
    type: GraphQLCompositeType,
    out: [FieldNode, GraphQLCompositeType][],
  ) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) out.push([selection, type]);
      else {
        const fragment =
          selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
        if (!fragment) continue;
        const condition = fragment.typeCondition ? typeFromAST(schema, fragment.typeCondition) : type;
        fieldsOf(fragment.selectionSet, isCompositeType(condition) ? condition : type, out);
      }
    }
    return out;
  };

  const walk = (
    set: SelectionSetNode,
    type: GraphQLCompositeType,
    multiplier: number,
    level: number,
    page: number | null,
  ) => {
    for (const [node, parent] of fieldsOf(set, type, [])) {
      const name = node.name.value;
      if (name.startsWith("__")) {
        nodes += multiplier;
        continue;
      }
      const def = fieldOf(parent, name);
      if (!def) continue;
      nodes += multiplier;
      const cost = (def.extensions as { cost?: FieldCost } | undefined)?.cost;
      let args: Record<string, unknown> = {};
      try {
        args = getArgumentValues(def, node, variables as Record<string, unknown>);
      } catch {
        // Invalid arguments fail validation or execution with their own error; cost them with defaults.
      }
      if (cost?.statements) {
        const key = cost.batched
          ? `${parent.name}.${name}@${level}`
          : `${parent.name}.${name}(${stableJson(args)})`;
        if (!statementKeys.has(key)) {
          statementKeys.add(key);
          statements += cost.statements;
        }
      }
      if (!node.selectionSet) continue;
      const nullable = getNullableType(def.type);
      let childMultiplier = multiplier;
      let childPage: number | null = null;
      const pageArg = PAGE_ARGS.map((a) => args[a]).find((v) => typeof v === "number") as number | undefined;
      if (def.args.some((a) => a.name === "first" || a.name === "last")) {
        childPage = pageArg ?? options.defaultPageSize;
      }
      const pageSize = cost?.pageArgument ? args[cost.pageArgument] : undefined;
      if (typeof pageSize === "number") childPage = pageSize;
      const sizeArgument = cost?.listSizeArgument ? args[cost.listSizeArgument] : undefined;
      const listSize = Array.isArray(sizeArgument) ? sizeArgument.length : cost?.listSize;
      if (isListType(nullable)) childMultiplier *= page ?? listSize ?? defaultList;
      const named = getNamedType(def.type);
      if (isCompositeType(named)) walk(node.selectionSet, named, childMultiplier, level + 1, childPage);
    }
  };

  if (root) walk(operation.selectionSet, root, 1, 0, null);
  return { nodes, statements, rootFields: operation.selectionSet.selections.length };
}

/** A field of an object or interface type (a union has no fields of its own; validation allows only `__typename`). */
function fieldOf(type: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isUnionType(type) ? undefined : type.getFields()[name];
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    typeof v === "bigint"
      ? v.toString()
      : v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
  );
}
