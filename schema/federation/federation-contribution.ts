/**
 * Federation v2 (`FEDERATION=true`): the schema becomes a subgraph a router composes with openJII's other services.
 *
 * - Entities: `Experiment @key(fields: "id")` (the backend owns its metadata — those fields are `@shareable` — the
 *   lakehouse contributes devices, contributors, macros and data), `Sample` and every `<Macro>Measurement`
 *   `@key(fields: "experimentId rowId")`, resolved in batches through the request's loaders with the usual access
 *   check (`resolvers/federation/entity-references.ts`).
 * - `User @key(fields: "id", resolvable: false)`: the user behind a contributor (`Contributor.user`) and an
 *   annotation's author (`Annotation.author`), resolved by the subgraph that owns users; absent (null) in
 *   experiments that anonymize contributors, so a router cannot join a pseudonym back to a person.
 * - The subgraph is the whole catalog (a router composes one schema for everyone); data access is enforced per
 *   request as on the plain endpoint.
 */
import type { GraphQLSchema } from "graphql";
import {
  experimentReference,
  measurementReference,
  sampleReference,
} from "../../resolvers/federation/entity-references.js";
import { schemaCatalogOf } from "../schema-catalog.js";
import type { SchemaContribution } from "../schema-contribution.js";
import { type EntityDefinition, toSubgraphSchema } from "./subgraph-schema.js";

/** Fields of `Experiment` the backend owns too: either subgraph may resolve them. */
export const SHAREABLE_EXPERIMENT_FIELDS = [
  "id",
  "name",
  "description",
  "visibility",
  "status",
  "anonymizeContributors",
  "createdAt",
] as const;

/** Value types other subgraphs commonly define as well. */
export const SHAREABLE_TYPES = ["PageInfo"] as const;

/** `_entities` reads through three loaders (experiments, samples, measurements): one statement each at most. */
const ENTITIES_COST = Object.freeze({ statements: 3, batched: true, listSizeArgument: "representations" });

export function federationContribution(): SchemaContribution {
  return {
    name: "federation",
    addStatic(builder, refs) {
      const core = refs.core;
      if (!core) throw new Error("The federation contribution needs the core types.");
      const User = builder.objectRef<{ id: string }>("User").implement({
        description: "An openJII user, resolved by the subgraph that owns users.",
        fields: (t) => ({ id: t.exposeID("id", { nullable: false }) }),
      });
      builder.objectField(core.Contributor, "user", (t) =>
        t.field({
          type: User,
          description: "The user behind this contributor; null in experiments that anonymize contributors.",
          resolve: (c) => (c.anonymized ? null : { id: c.user_id }),
        }),
      );
      builder.objectField(core.Annotation, "author", (t) =>
        t.field({
          type: User,
          description: "The user who wrote this annotation; null in experiments that anonymize contributors.",
          resolve: (a) => (a.anonymized ? null : { id: a.created_by }),
        }),
      );
    },
    finishSchema(schema: GraphQLSchema): GraphQLSchema {
      const entities = new Map<string, EntityDefinition>([
        ["Experiment", { fields: "id", resolveReference: experimentReference }],
        ["Sample", { fields: "experimentId rowId", resolveReference: sampleReference }],
        ["User", { fields: "id", resolvable: false }],
      ]);
      for (const model of schemaCatalogOf(schema).models.values()) {
        entities.set(model.typeName, {
          fields: "experimentId rowId",
          resolveReference: measurementReference(model.macroFilename, model.typeName),
        });
      }
      return toSubgraphSchema(schema, {
        entities,
        shareableTypes: SHAREABLE_TYPES,
        shareableFields: new Map([["Experiment", SHAREABLE_EXPERIMENT_FIELDS]]),
        entitiesExtensions: { cost: ENTITIES_COST },
      });
    },
  };
}
