/**
 * Keeps the current GraphQL schema in step with the macro catalog. It polls the catalog, fingerprints it, and when
 * the fingerprint changes builds the new schema off the request path and swaps one reference. Yoga asks for the
 * schema once per request, so an in-flight request finishes on the schema it started with. `build` may be async
 * (`buildGatewaySchemaAsync`), so requests keep being served while a large catalog builds.
 */
import type { GraphQLSchema } from "graphql";

export interface BuiltSchema {
  readonly schema: GraphQLSchema;
  readonly version: string;
  readonly warnings: readonly string[];
  readonly builtAt: Date;
}

export interface SchemaRegistryOptions<Catalog> {
  readonly loadCatalog: () => Promise<Catalog>;
  readonly fingerprint: (catalog: Catalog) => string;
  readonly build: (
    catalog: Catalog,
    version: string,
  ) => Omit<BuiltSchema, "builtAt" | "version"> | Promise<Omit<BuiltSchema, "builtAt" | "version">>;
  readonly pollMs: number;
  readonly log?: (message: string) => void;
}

export class SchemaRegistry<Catalog> {
  #current: BuiltSchema | null = null;
  #timer: NodeJS.Timeout | null = null;
  #refreshing: Promise<boolean> | null = null;
  #lastError: unknown = null;
  readonly #listeners = new Set<(built: BuiltSchema) => void>();

  constructor(private readonly options: SchemaRegistryOptions<Catalog>) {}

  get current(): BuiltSchema {
    if (!this.#current) throw new Error("The schema registry has not loaded a schema yet.");
    return this.#current;
  }

  get ready(): boolean {
    return this.#current !== null;
  }

  get lastError(): unknown {
    return this.#lastError;
  }

  onChange(listener: (built: BuiltSchema) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Loads the catalog and swaps the schema if it changed. Returns whether it swapped. Concurrent calls share one run. */
  refresh(): Promise<boolean> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<boolean> {
    const catalog = await this.options.loadCatalog();
    const version = this.options.fingerprint(catalog);
    if (this.#current?.version === version) return false;
    const built = { ...(await this.options.build(catalog, version)), version, builtAt: new Date() };
    for (const warning of built.warnings) this.options.log?.(`schema: ${warning}`);
    this.#current = built;
    this.options.log?.(`schema: now at version ${version}`);
    for (const listener of this.#listeners) listener(built);
    return true;
  }

  /** First load (throws if it fails), then poll in the background; poll failures keep the current schema. */
  async start(): Promise<void> {
    await this.refresh();
    const tick = async () => {
      try {
        await this.refresh();
        this.#lastError = null;
      } catch (error) {
        this.#lastError = error;
        this.options.log?.(
          `schema: catalog poll failed, keeping version ${this.#current?.version}: ${String(error)}`,
        );
      }
      if (this.#timer) this.#timer = setTimeout(tick, this.options.pollMs).unref();
    };
    this.#timer = setTimeout(tick, this.options.pollMs).unref();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
