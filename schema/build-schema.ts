/**
 * Builds the whole GraphQL schema for one catalog snapshot from a list of contributions (`schema-contribution.ts`):
 * their static parts built once per builder with Pothos, their per-catalog parts assembled in schema order for
 * every catalog. A builder is owned by whoever serves the schemas (the runtime): it remembers the last catalog, so a
 * catalog change re-models and regenerates only the macros it touches. See README.md for why it is built this way.
 */
import { assertValidSchema, type GraphQLSchema } from "graphql";
import {
  type CatalogSchemaEntry,
  type MacroTypeModel,
  MacroTypeModelBuilder,
  macroCatalogFingerprint,
  sameMacroTypeModel,
} from "../codegen/macro-type-model.js";
import { RecentVariants } from "../codegen/recent-variants.js";
import { createBuilder } from "./builder.js";
import { catalogFieldsContribution } from "./catalog-fields-contribution.js";
import { exportsContribution } from "./exports/exports-contribution.js";
import { federationContribution } from "./federation/federation-contribution.js";
import { macroTypesContribution } from "./macro-types-contribution.js";
import { annotationMutationsContribution } from "./mutations/annotation-mutations.js";
import { SchemaAssembly } from "./schema-assembly.js";
import { schemaCatalogExtensions } from "./schema-catalog.js";
import type { SchemaContribution } from "./schema-contribution.js";
import { coreTypesContribution } from "./static/core-contribution.js";
import { subscriptionsContribution } from "./subscriptions/subscription-contribution.js";

export interface CatalogInputEntry {
  readonly experimentId: string;
  readonly macroName: string;
  readonly macroFilename: string;
  readonly outputSchema: string | null;
  /** The questions schema (`experiment_table_metadata.questions_schema`); null or absent: no typed answers. */
  readonly questionsSchema?: string | null;
}

export interface SchemaInput {
  readonly version: string;
  readonly catalog: readonly CatalogInputEntry[];
}

export interface BuiltGatewaySchema {
  readonly schema: GraphQLSchema;
  readonly models: readonly MacroTypeModel[];
  readonly warnings: readonly string[];
}

/** Root type names: reserved even before a contribution adds the root. */
const ROOT_TYPE_NAMES = ["Query", "Mutation", "Subscription"];

export interface GatewaySchemaOptions {
  /** Serve the schema as an Apollo Federation v2 subgraph (`schema/federation/`). */
  readonly federation?: boolean;
}

/** The contributions of the gateway schema, in build order. */
export function gatewayContributions(options: GatewaySchemaOptions = {}): SchemaContribution[] {
  return [
    coreTypesContribution(),
    exportsContribution(),
    annotationMutationsContribution(),
    subscriptionsContribution(),
    macroTypesContribution(),
    catalogFieldsContribution(),
    ...(options.federation ? [federationContribution()] : []),
  ];
}

function typedEntries(catalog: readonly CatalogInputEntry[]): CatalogSchemaEntry[] {
  return catalog.flatMap((e) =>
    e.outputSchema == null
      ? []
      : [
          {
            experimentId: e.experimentId,
            macroName: e.macroName,
            macroFilename: e.macroFilename,
            outputSchema: e.outputSchema,
            questionsSchema: e.questionsSchema ?? null,
          },
        ],
  );
}

/** The schema version: a fingerprint of everything in the catalog that shapes the schema. */
export function catalogFingerprint(catalog: readonly CatalogInputEntry[]): string {
  return macroCatalogFingerprint(typedEntries(catalog));
}

export class GatewaySchemaBuilder {
  readonly #contributions: readonly SchemaContribution[];
  /** The static part every schema of this builder shares. */
  readonly staticSchema: GraphQLSchema;
  /** Type names of the static part (and the roots): generated types never take them. */
  readonly fixedTypeNames: readonly string[];
  readonly #extended: readonly string[];
  readonly #models: MacroTypeModelBuilder;
  readonly #previousModels = new RecentVariants<MacroTypeModel>();

  constructor(contributions: readonly SchemaContribution[] = gatewayContributions()) {
    this.#contributions = contributions;
    const builder = createBuilder();
    const refs = {};
    for (const c of contributions) c.addStatic?.(builder, refs);
    this.staticSchema = builder.toSchema();
    const names = new Set(ROOT_TYPE_NAMES);
    for (const name of Object.keys(this.staticSchema.getTypeMap()))
      if (!name.startsWith("__")) names.add(name);
    this.fixedTypeNames = [...names];
    this.#extended = [...new Set(contributions.flatMap((c) => c.extends ?? []))];
    const derived = contributions.flatMap((c) => (c.derivedTypeNames ? [c.derivedTypeNames.bind(c)] : []));
    this.#models = new MacroTypeModelBuilder({
      reservedTypeNames: this.fixedTypeNames,
      derivedTypeNames: (t) => derived.flatMap((d) => d(t)),
    });
  }

  /**
   * Builds and validates the schema of one catalog (graphql-js caches the validation in the schema, so serving it
   * does not validate again; an invalid schema throws here instead of failing every request).
   */
  build(input: SchemaInput): BuiltGatewaySchema {
    const steps = this.#steps(input);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * `build` that lets the event loop run between steps (after the type models, after every batch of macros whose
   * types it generates, before validating), so requests on the current schema are not held up for the whole build.
   */
  async buildAsync(input: SchemaInput): Promise<BuiltGatewaySchema> {
    const steps = this.#steps(input);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  *#steps(input: SchemaInput): Generator<void, BuiltGatewaySchema> {
    const built = this.#models.build(typedEntries(input.catalog));
    const models = built.macros.map((model) => {
      return this.#previousModels.find(model.macroFilename, (p) => sameMacroTypeModel(p, model)) ?? model;
    });
    this.#previousModels.commit(new Map(models.map((m) => [m.macroFilename, m])), (a, b) => a === b);
    yield;
    const assembly = new SchemaAssembly(this.staticSchema, this.#extended);
    const catalog = { version: input.version, models };
    for (const c of this.#contributions) {
      const steps = c.addCatalog?.(assembly, catalog);
      if (steps) yield* steps;
    }
    const schema = assembly.toSchema(
      schemaCatalogExtensions({
        macroFilenames: new Set(models.map((m) => m.macroFilename)),
        models: new Map(models.map((m) => [m.macroFilename, m])),
      }),
    );
    yield;
    assertValidSchema(schema);
    let served = schema;
    for (const c of this.#contributions) {
      if (!c.finishSchema) continue;
      served = c.finishSchema(served);
      assertValidSchema(served);
    }
    return { schema: served, models, warnings: built.warnings };
  }
}
