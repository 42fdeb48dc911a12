/**
 * What a built schema knows about its catalog, for the static resolvers that depend on it (the static types are
 * shared by every schema the process builds, so they cannot close over one catalog). Kept in the schema's
 * `extensions`, which survive schema transforms that copy the schema.
 */
import type { GraphQLSchema } from "graphql";
import type { MacroTypeModel } from "../codegen/macro-type-model.js";

export interface SchemaCatalog {
  /** The macros that have a type in this schema. */
  readonly macroFilenames: ReadonlySet<string>;
  /** Their type models, by macro filename (subscriptions project what a subscriber selects of them). */
  readonly models: ReadonlyMap<string, MacroTypeModel>;
}

const EXTENSION = "centrumCatalog";

export function schemaCatalogExtensions(catalog: SchemaCatalog): Record<string, unknown> {
  return { [EXTENSION]: catalog };
}

export function schemaCatalogOf(schema: GraphQLSchema): SchemaCatalog {
  const catalog = schema.extensions[EXTENSION] as SchemaCatalog | undefined;
  if (!catalog) throw new Error("This schema was not built by buildGatewaySchema.");
  return catalog;
}
