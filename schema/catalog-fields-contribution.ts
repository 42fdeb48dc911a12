/** The fields that depend on the catalog as a whole: `Query.macros`, `Query.schemaVersion`, `MacroInfo.fields`. */
import { GraphQLList, GraphQLNonNull, GraphQLString } from "graphql";
import type { MacroInfoRow } from "../resolvers/loaders/request-loaders.js";
import type { SchemaContribution } from "./schema-contribution.js";

export function catalogFieldsContribution(): SchemaContribution {
  return {
    name: "catalog fields",
    extends: ["Query", "MacroInfo"],
    addCatalog(assembly, { version, models }) {
      const byFilename = new Map(models.map((m) => [m.macroFilename, m]));
      const MacroField = assembly.objectType("MacroField");
      const MacroType = assembly.objectType("MacroType");
      assembly.addFields("MacroInfo", {
        fieldName: {
          type: GraphQLString,
          description:
            "The connection field of this macro on Experiment (null when its schema could not be typed).",
          resolve: (m: MacroInfoRow) => byFilename.get(m.macro_filename)?.fieldName ?? null,
        },
        fields: {
          type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(MacroField))),
          description: "Typed fields of this macro (merged over every experiment that runs it).",
          resolve: (m: MacroInfoRow) => byFilename.get(m.macro_filename)?.fields ?? [],
        },
      });
      assembly.addFields("Query", {
        macros: {
          type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(MacroType))),
          description: "Every macro in the catalog with its generated GraphQL type.",
          resolve: () => models,
        },
        schemaVersion: {
          type: new GraphQLNonNull(GraphQLString),
          description: "Fingerprint of the macro catalog this schema was generated from.",
          resolve: () => version,
        },
      });
      return undefined;
    },
  };
}
