/**
 * Everything in the schema that does not depend on the catalog, built once per process with Pothos: scalars,
 * experiments and their relations, samples, `interface Measurement`, the query language's shared inputs and enums,
 * `MacroType`/`MacroField`. A catalog build (`schema/build-schema.ts`) copies its object types and adds the
 * per-macro fields and types; it never builds these again.
 */
import type { GraphQLSchema } from "graphql";
import { createBuilder } from "../builder.js";
import { addCatalogTypes } from "./catalog-types.js";
import { addCoreTypes } from "./core-types.js";
import { addMeasurementInterface } from "./measurement-interface.js";
import { queryLanguageTypes } from "./query-language-types.js";
import { addScalars } from "./scalars.js";

let STATIC_SCHEMA: GraphQLSchema | undefined;

/** The static schema (its types and fields in lexicographic order, as Pothos sorts them). */
export function staticSchema(): GraphQLSchema {
  if (!STATIC_SCHEMA) {
    const builder = createBuilder();
    addScalars(builder);
    const core = addCoreTypes(builder);
    queryLanguageTypes(builder);
    addMeasurementInterface(builder, core);
    addCatalogTypes(builder);
    STATIC_SCHEMA = builder.toSchema();
  }
  return STATIC_SCHEMA;
}
