/**
 * Everything in the schema that does not depend on the catalog, built with Pothos: scalars, experiments and their
 * relations, samples, `interface Measurement`, the query language's shared inputs and enums, `MacroType`/`MacroField`.
 * A catalog build copies the object types that gain per-catalog fields and never builds these again.
 */
import type { SchemaContribution } from "../schema-contribution.js";
import { addCatalogTypes } from "./catalog-types.js";
import { addCoreTypes } from "./core-types.js";
import { addMeasurementInterface } from "./measurement-interface.js";
import { queryLanguageTypes } from "./query-language-types.js";
import { addScalars } from "./scalars.js";

export function coreTypesContribution(): SchemaContribution {
  return {
    name: "core types",
    addStatic(builder, refs) {
      addScalars(builder);
      const core = addCoreTypes(builder);
      refs.core = core;
      queryLanguageTypes(builder);
      refs.measurement = addMeasurementInterface(builder, core);
      addCatalogTypes(builder);
    },
  };
}
