/**
 * One catalog's schema, assembled from the static schema (built once per process) and the generated per-macro types.
 *
 * The static types are shared by every schema the process builds, except the few that gain per-catalog fields
 * (`extended`, e.g. `Query` and `Experiment`) and the object types that reach them (`ExperimentEdge`, …): those are
 * copied per schema, keeping their resolvers. Generated types may reference any static type except the copied ones,
 * which is what lets unchanged generated types serve the next schema too. Field lists of copies are resolved lazily,
 * so the per-catalog fields can reference generated types and the other way round.
 */
import {
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  GraphQLList,
  type GraphQLNamedType,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  type GraphQLType,
  getNamedType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
} from "graphql";
import { schemaNameOf, sortBySchemaName, sortedByKey } from "./schema-order.js";

// biome-ignore lint/suspicious/noExplicitAny: resolvers of every type meet here
type AnyFieldConfig = GraphQLFieldConfig<any, any>;
// biome-ignore lint/suspicious/noExplicitAny: see AnyFieldConfig
type AnyFieldConfigMap = GraphQLFieldConfigMap<any, any>;

export class SchemaAssembly {
  readonly #base: GraphQLSchema;
  readonly #types = new Map<string, GraphQLNamedType>();
  readonly #extended: ReadonlySet<string>;
  readonly #copied: ReadonlySet<string>;
  readonly #extraFields = new Map<string, AnyFieldConfigMap[]>();
  readonly #generated: GraphQLNamedType[] = [];
  #built = false;

  /** `extended`: the static object types that will get per-catalog fields. */
  constructor(base: GraphQLSchema, extended: readonly string[]) {
    this.#base = base;
    this.#extended = new Set(extended);
    this.#copied = reaching(base, extended);
    for (const type of Object.values(base.getTypeMap())) {
      this.#types.set(type.name, this.#copied.has(type.name) ? this.#copy(type as GraphQLObjectType) : type);
    }
  }

  /** This schema's instance of a static type. */
  type(name: string): GraphQLNamedType {
    const type = this.#types.get(name);
    if (!type) throw new Error(`The static schema has no type ${name}.`);
    return type;
  }

  objectType(name: string): GraphQLObjectType {
    const type = this.type(name);
    if (!isObjectType(type)) throw new Error(`${name} is not an object type.`);
    return type;
  }

  /** Static types every schema of this process shares (what generated types may reference). */
  isShared(name: string): boolean {
    return this.#types.has(name) && !this.#copied.has(name);
  }

  /** Adds fields to an extended type (before the schema is built). */
  addFields(typeName: string, fields: AnyFieldConfigMap): void {
    if (this.#built) throw new Error("The schema is already built.");
    if (!this.#extended.has(typeName)) throw new Error(`${typeName} was not declared as extended.`);
    const list = this.#extraFields.get(typeName);
    if (list) list.push(fields);
    else this.#extraFields.set(typeName, [fields]);
  }

  addTypes(types: readonly GraphQLNamedType[]): void {
    if (this.#built) throw new Error("The schema is already built.");
    for (const type of types) this.#generated.push(type);
  }

  /** The schema, every list in schema order (`schema-order.ts`). Not validated here. */
  toSchema(extensions: Record<string, unknown> = {}): GraphQLSchema {
    this.#built = true;
    const types = sortBySchemaName([...this.#types.values(), ...this.#generated], schemaNameOf);
    const root = (type: GraphQLObjectType | null | undefined) =>
      type ? this.objectType(type.name) : undefined;
    return new GraphQLSchema({
      query: root(this.#base.getQueryType()),
      mutation: root(this.#base.getMutationType()),
      subscription: root(this.#base.getSubscriptionType()),
      types,
      directives: this.#base.getDirectives(),
      extensions: { ...this.#base.extensions, ...extensions },
    });
  }

  #copy(type: GraphQLObjectType): GraphQLObjectType {
    const config = type.toConfig();
    return new GraphQLObjectType({ ...config, fields: () => this.#fields(type.name, config.fields) });
  }

  #fields(typeName: string, fields: AnyFieldConfigMap): AnyFieldConfigMap {
    const out: AnyFieldConfigMap = {};
    for (const [name, field] of Object.entries(fields)) out[name] = this.#field(field);
    const extra = this.#extraFields.get(typeName);
    if (!extra) return out;
    for (const more of extra) {
      for (const [name, field] of Object.entries(more)) {
        if (name in out) throw new Error(`${typeName}.${name} is defined twice.`);
        out[name] = field;
      }
    }
    return sortedByKey(out);
  }

  #field(field: AnyFieldConfig): AnyFieldConfig {
    let args: GraphQLFieldConfigArgumentMap | undefined;
    if (field.args) {
      args = {};
      for (const [name, arg] of Object.entries(field.args))
        args[name] = { ...arg, type: this.#retype(arg.type) };
    }
    return { ...field, type: this.#retype(field.type), args };
  }

  /** The same type with every named type replaced by this schema's instance. */
  // biome-ignore lint/suspicious/noExplicitAny: input and output types alike
  #retype(type: GraphQLType): any {
    if (isListType(type)) return new GraphQLList(this.#retype(type.ofType));
    if (isNonNullType(type)) return new GraphQLNonNull(this.#retype(type.ofType));
    return this.type(type.name);
  }
}

/** `extended` and every object type of `schema` whose fields reach one of them (those must be copied too). */
function reaching(schema: GraphQLSchema, extended: readonly string[]): ReadonlySet<string> {
  const objects = Object.values(schema.getTypeMap()).filter(isObjectType);
  for (const name of extended) {
    if (!isObjectType(schema.getType(name))) throw new Error(`${name} is not an object type of the schema.`);
  }
  const reached = new Set(extended);
  for (let grew = true; grew; ) {
    grew = false;
    for (const type of objects) {
      if (reached.has(type.name)) continue;
      if (Object.values(type.getFields()).some((f) => reached.has(getNamedType(f.type).name))) {
        reached.add(type.name);
        grew = true;
      }
    }
  }
  for (const type of Object.values(schema.getTypeMap())) {
    // Interfaces are shared, so they must not reach a copied type.
    if (
      isInterfaceType(type) &&
      Object.values(type.getFields()).some((f) => reached.has(getNamedType(f.type).name))
    ) {
      throw new Error(`Interface ${type.name} reaches a type that gets per-catalog fields.`);
    }
  }
  return reached;
}
