/**
 * A built gateway schema as an Apollo Federation v2 subgraph, through `@apollo/subgraph`'s `buildSubgraphSchema`:
 * the schema is printed, its entity types get `@key` (and value types `@shareable`), and it is rebuilt from that SDL
 * with the original schema's resolvers — so `_service { sdl }`, `_entities`, `_Any` and the `@link` machinery are
 * the library's, not ours. What SDL cannot carry is copied back from the original: field and argument `extensions`
 * (the static cost hints), default values (enum defaults hold internal values), type and schema `extensions`.
 */
import { buildSubgraphSchema, type GraphQLResolverMap } from "@apollo/subgraph";
import {
  type ConstArgumentNode,
  type ConstDirectiveNode,
  type DefinitionNode,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  Kind,
  type ObjectTypeDefinitionNode,
  parse,
  printSchema,
} from "graphql";

export const FEDERATION_SPEC_URL = "https://specs.apollo.dev/federation/v2.6";

export interface EntityDefinition {
  /** The `@key` field set, e.g. `"experimentId id"`. */
  readonly fields: string;
  /** False for a reference to an entity another subgraph resolves (`@key(resolvable: false)`). */
  readonly resolvable?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: a reference resolver receives the router's representation
  readonly resolveReference?: (representation: any, context: any, info: any) => unknown;
}

export interface SubgraphOptions {
  /** Entity types by name. */
  readonly entities: ReadonlyMap<string, EntityDefinition>;
  /** Value types other subgraphs may define as well (`@shareable` on the type). */
  readonly shareableTypes?: readonly string[];
  /** Fields other subgraphs may resolve as well (`@shareable` on the field), by type. */
  readonly shareableFields?: ReadonlyMap<string, readonly string[]>;
  /** `extensions` of `Query._entities` (the static cost hints of a batch of references). */
  readonly entitiesExtensions?: Readonly<Record<string, unknown>>;
}

export function toSubgraphSchema(schema: GraphQLSchema, options: SubgraphOptions): GraphQLSchema {
  const typeDefs = subgraphTypeDefs(schema, options);
  const subgraph = buildSubgraphSchema([{ typeDefs, resolvers: resolverMap(schema, options) }]);
  carryOver(schema, subgraph);
  const entities = subgraph.getQueryType()?.getFields()._entities;
  if (entities && options.entitiesExtensions) setExtensions(entities, options.entitiesExtensions);
  return new GraphQLSchema({
    ...subgraph.toConfig(),
    extensions: { ...subgraph.extensions, ...schema.extensions },
  });
}

/** The schema's SDL with `@link`, `@key` and `@shareable` applied. */
export function subgraphTypeDefs(schema: GraphQLSchema, options: SubgraphOptions) {
  for (const [name, entity] of options.entities) {
    const type = schema.getType(name);
    if (!isObjectType(type)) throw new Error(`Entity ${name} is not an object type of the schema.`);
    for (const field of entity.fields.split(/\s+/)) {
      if (!type.getFields()[field]) throw new Error(`Entity ${name} has no key field ${field}.`);
    }
  }
  const shareableTypes = new Set(options.shareableTypes ?? []);
  const shareableFields = options.shareableFields ?? new Map<string, readonly string[]>();
  const document = parse(printSchema(schema), { noLocation: true });
  const definitions: DefinitionNode[] = [
    ...parse(
      `extend schema @link(url: ${JSON.stringify(FEDERATION_SPEC_URL)}, import: ["@key", "@shareable"])`,
      { noLocation: true },
    ).definitions,
  ];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) {
      definitions.push(definition);
      continue;
    }
    const name = definition.name.value;
    const entity = options.entities.get(name);
    const directives: ConstDirectiveNode[] = [...(definition.directives ?? [])];
    if (entity) {
      directives.push(
        directive("key", {
          fields: entity.fields,
          ...(entity.resolvable === false ? { resolvable: false } : {}),
        }),
      );
    }
    if (shareableTypes.has(name)) directives.push(directive("shareable", {}));
    const shared = new Set(shareableFields.get(name) ?? []);
    const fields = definition.fields?.map((f) =>
      shared.has(f.name.value)
        ? { ...f, directives: [...(f.directives ?? []), directive("shareable", {})] }
        : f,
    );
    definitions.push({ ...definition, directives, fields } satisfies ObjectTypeDefinitionNode);
  }
  return { kind: Kind.DOCUMENT, definitions } as const;
}

function directive(name: string, args: Readonly<Record<string, string | boolean>>): ConstDirectiveNode {
  return {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: name },
    arguments: Object.entries(args).map(
      ([arg, value]): ConstArgumentNode => ({
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: arg },
        value:
          typeof value === "boolean"
            ? { kind: Kind.BOOLEAN, value }
            : { kind: Kind.STRING, value, block: false },
      }),
    ),
  };
}

/** The original schema's resolvers as a resolver map: fields, type resolution, scalars, enum values. */
function resolverMap(schema: GraphQLSchema, options: SubgraphOptions): GraphQLResolverMap<unknown> {
  const map: Record<string, Record<string, unknown>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || (isScalarType(type) && isSpecifiedScalarType(type))) continue;
    if (isObjectType(type)) {
      const resolvers: Record<string, unknown> = {};
      for (const [name, field] of Object.entries(type.getFields())) {
        if (field.resolve || field.subscribe)
          resolvers[name] = { resolve: field.resolve, subscribe: field.subscribe };
      }
      if (type.isTypeOf) resolvers.__isTypeOf = type.isTypeOf;
      const resolveReference = options.entities.get(type.name)?.resolveReference;
      if (resolveReference) resolvers.__resolveReference = resolveReference;
      map[type.name] = resolvers;
    } else if (isInterfaceType(type) || isUnionType(type)) {
      if (type.resolveType) map[type.name] = { __resolveType: type.resolveType };
    } else if (isScalarType(type)) {
      map[type.name] = {
        serialize: type.serialize,
        parseValue: type.parseValue,
        parseLiteral: type.parseLiteral,
      };
    } else if (isEnumType(type)) {
      map[type.name] = Object.fromEntries(type.getValues().map((v) => [v.name, v.value]));
    }
  }
  return map as GraphQLResolverMap<unknown>;
}

/** What the SDL does not carry, copied from the original schema's types onto the subgraph's. */
function carryOver(original: GraphQLSchema, subgraph: GraphQLSchema): void {
  for (const type of Object.values(subgraph.getTypeMap())) {
    const from = original.getType(type.name);
    if (!from || isIntrospectionType(type)) continue;
    mergeExtensions(type, from);
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(from) || isInterfaceType(from))) {
      const fields = from.getFields();
      for (const [name, field] of Object.entries(type.getFields())) {
        const source = fields[name];
        if (source) copyField(field, source);
      }
    } else if (isInputObjectType(type) && isInputObjectType(from)) {
      const fields = from.getFields();
      for (const [name, field] of Object.entries(type.getFields())) {
        const source = fields[name];
        if (source) copyInputField(field, source);
      }
    }
  }
}

function copyField(to: GraphQLField<unknown, unknown>, from: GraphQLField<unknown, unknown>): void {
  setExtensions(to, from.extensions);
  for (const arg of to.args) {
    const source = from.args.find((a) => a.name === arg.name);
    if (!source) continue;
    (arg as { defaultValue: unknown }).defaultValue = source.defaultValue;
    setExtensions(arg, source.extensions);
  }
}

function copyInputField(to: GraphQLInputField, from: GraphQLInputField): void {
  (to as { defaultValue: unknown }).defaultValue = from.defaultValue;
  setExtensions(to, from.extensions);
}

function mergeExtensions(to: GraphQLNamedType, from: GraphQLNamedType): void {
  setExtensions(to, { ...from.extensions, ...to.extensions });
}

function setExtensions(
  target: { readonly extensions: unknown },
  extensions: Readonly<Record<string, unknown>>,
) {
  (target as { extensions: unknown }).extensions = extensions;
}
