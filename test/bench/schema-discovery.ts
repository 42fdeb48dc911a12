/**
 * What the running schema offers, asked over HTTP like any client would: the macro catalog (`Query.macros`),
 * the experiments the admin can read, and the full introspection (so operations that may not exist yet —
 * `where`/`orderBy`, `…Aggregate`, `…Distinct` — are detected, not assumed).
 */
import {
  buildClientSchema,
  type GraphQLField,
  type GraphQLSchema,
  getIntrospectionQuery,
  type IntrospectionQuery,
  isObjectType,
} from "graphql";
import type { GatewayProcess } from "../support/gateway-process.js";

export interface CatalogField {
  readonly name: string;
  readonly key: string;
  readonly path: readonly string[];
  /** GraphQL type as printed by the catalog (`Float`, `[Float]`, `PhotosynthesisMessages`, …). */
  readonly type: string;
}

export interface CatalogMacro {
  readonly filename: string;
  readonly fieldName: string;
  readonly typeName: string;
  readonly fields: readonly CatalogField[];
}

export interface BenchExperiment {
  readonly id: string;
  readonly name: string;
  readonly visibility: string;
  /** Samples of the photosynthesis macro in the catalog (`experiment_macros.sample_count`). */
  readonly photosynthesisSamples: number;
}

export interface Discovery {
  readonly schema: GraphQLSchema;
  readonly macro: CatalogMacro;
  /** The largest public experiment with photosynthesis data. */
  readonly main: BenchExperiment;
  /** Every readable experiment with photosynthesis data, main first (for cache-free rotation). */
  readonly rotation: readonly BenchExperiment[];
  /** Ten typed scalar fields of the macro to select (and to project in the floor). */
  readonly typedFields: readonly CatalogField[];
}

const PHOTOSYNTHESIS = "macro_photosynthesis";
/** Preferred keys (what a photosynthesis table shows first); topped up with other scalar fields if missing. */
const PREFERRED_KEYS = [
  "Phi2",
  "PhiNPQ",
  "PhiNO",
  "NPQt",
  "qL",
  "LEF",
  "FvP/FmP",
  "Light Intensity (PAR)",
  "Leaf Temperature",
  "Relative Chlorophyll",
];
const SCALARS = new Set(["Float", "Int", "String", "Boolean"]);

export class DiscoveryError extends Error {}

async function data<T>(gateway: GatewayProcess, query: string, token: string): Promise<T> {
  const res = await gateway.gql<T>(query, {}, { token });
  if (res.errors?.length || !res.data) {
    throw new DiscoveryError(`${query.slice(0, 60)}… failed: ${JSON.stringify(res.errors)}`);
  }
  return res.data;
}

export async function discover(gateway: GatewayProcess, token: string): Promise<Discovery> {
  const introspection = await data<IntrospectionQuery>(gateway, getIntrospectionQuery(), token);
  const schema = buildClientSchema(introspection);

  const { macros } = await data<{ macros: CatalogMacro[] }>(
    gateway,
    `{ macros { filename fieldName typeName fields { name key path type } } }`,
    token,
  );
  const macro = macros.find((m) => m.filename === PHOTOSYNTHESIS);
  if (!macro) throw new DiscoveryError(`no ${PHOTOSYNTHESIS} in the catalog`);

  const { experiments } = await data<{
    experiments: {
      edges: {
        node: {
          id: string;
          name: string;
          visibility: string;
          macros: { filename: string; sampleCount: number }[];
        };
      }[];
    };
  }>(
    gateway,
    `{ experiments(first: 1000) { edges { node { id name visibility macros { filename sampleCount } } } } }`,
    token,
  );
  const withData: BenchExperiment[] = experiments.edges
    .map(({ node }) => ({
      id: node.id,
      name: node.name,
      visibility: node.visibility,
      photosynthesisSamples: node.macros.find((m) => m.filename === PHOTOSYNTHESIS)?.sampleCount ?? 0,
    }))
    .filter((e) => e.photosynthesisSamples > 0)
    .sort((a, b) => b.photosynthesisSamples - a.photosynthesisSamples || a.id.localeCompare(b.id));
  const main = withData.find((e) => e.visibility === "PUBLIC");
  if (!main) throw new DiscoveryError("no public experiment with photosynthesis data");

  const scalars = macro.fields.filter((f) => f.path.length === 1 && SCALARS.has(f.type));
  const byKey = new Map(scalars.map((f) => [f.key, f]));
  const preferred = PREFERRED_KEYS.flatMap((k) => byKey.get(k) ?? []);
  const typedFields = [...preferred, ...scalars.filter((f) => !preferred.includes(f))].slice(0, 10);
  if (typedFields.length < 10)
    throw new DiscoveryError(`only ${typedFields.length} scalar fields on ${macro.typeName}`);

  return {
    schema,
    macro,
    main,
    rotation: [main, ...withData.filter((e) => e !== main)],
    typedFields,
  };
}

/** A field of `Experiment` (per-macro connection, aggregate, distinct), or undefined when the schema lacks it. */
export function experimentField(
  schema: GraphQLSchema,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  const experiment = schema.getType("Experiment");
  return isObjectType(experiment) ? experiment.getFields()[name] : undefined;
}
