/**
 * The schema is built from a list of contributions, each one concern: the core types, the per-macro types, the
 * catalog fields, and later mutations, subscriptions and federation. A contribution adds its catalog-independent
 * part to the Pothos builder once per `GatewaySchemaBuilder`, and its per-catalog part to every catalog's assembly.
 */
import type { GraphQLSchema } from "graphql";
import type { MacroTypeModel } from "../codegen/macro-type-model.js";
import type { GatewayBuilder } from "./builder.js";
import type { SchemaAssembly } from "./schema-assembly.js";
import type { CoreTypes } from "./static/core-types.js";
import type { MeasurementInterface } from "./static/measurement-interface.js";

/** One catalog snapshot as the contributions see it. */
export interface CatalogBuild {
  readonly version: string;
  /** The catalog's models; an unchanged macro keeps the model object of the previous build (resolvers hold it). */
  readonly models: readonly MacroTypeModel[];
}

/** The Pothos refs contributions share while the static part is built (set by earlier contributions). */
export interface StaticRefs {
  core?: CoreTypes;
  /** `interface Measurement`. */
  measurement?: MeasurementInterface;
}

export interface SchemaContribution {
  readonly name: string;
  /** Types and fields that do not depend on the catalog, added once per schema builder. */
  addStatic?(builder: GatewayBuilder, refs: StaticRefs): void;
  /** Static object types this contribution gives per-catalog fields (they are copied per schema). */
  readonly extends?: readonly string[];
  /** Type names this contribution derives from every generated type name (reserved when naming macros). */
  derivedTypeNames?(typeName: string): readonly string[];
  /**
   * What this contribution adds for one catalog. A generator may yield between steps so a large catalog builds
   * without holding up requests on the current schema.
   */
  addCatalog?(assembly: SchemaAssembly, catalog: CatalogBuild): Generator<void, void> | undefined;
  /** Turns the assembled (valid) schema into the one served, e.g. a federation subgraph. */
  finishSchema?(schema: GraphQLSchema): GraphQLSchema;
}
