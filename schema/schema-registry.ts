/**
 * Keeps the current GraphQL schema in step with the macro catalog. It polls the catalog, fingerprints it, and when
 * the fingerprint changes builds the new schema off the request path and swaps one reference. Yoga asks for the
 * schema once per request, so an in-flight request finishes on the schema it started with. `build` may be async
 * (`GatewaySchemaBuilder.buildAsync`), so requests keep being served while a large catalog builds. Every swap is
 * published as `schema.changed` (with the macros added, changed and removed) on the pub/sub seam.
 */
import type { GraphQLSchema } from "graphql";
import { FreshRun } from "../resolvers/events/fresh-run.js";
import type { GatewayPubSub } from "../resolvers/events/gateway-events.js";

export interface BuiltSchema {
  readonly schema: GraphQLSchema;
  readonly version: string;
  readonly warnings: readonly string[];
  /**
   * The schema's macros by filename, each with a value that stays the same object while the macro's generated types
   * stay the same (its type model), so a swap can say which macros it added, changed and removed.
   */
  readonly macros?: ReadonlyMap<string, object>;
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
  /** Where swaps are published (`schema.changed`). */
  readonly pubsub?: GatewayPubSub;
}

export class SchemaRegistry<Catalog> {
  #current: BuiltSchema | null = null;
  #timer: NodeJS.Timeout | null = null;
  readonly #refreshes = new FreshRun(() => this.#refresh());
  #lastError: unknown = null;

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

  /**
   * Loads the catalog and swaps the schema if it changed; returns whether it swapped. The load starts after the call
   * (a call during a refresh shares the next one), so a catalog written before the call is seen.
   */
  refresh(): Promise<boolean> {
    return this.#refreshes.request();
  }

  async #refresh(): Promise<boolean> {
    const catalog = await this.options.loadCatalog();
    const version = this.options.fingerprint(catalog);
    if (this.#current?.version === version) return false;
    const built = { ...(await this.options.build(catalog, version)), version, builtAt: new Date() };
    for (const warning of built.warnings) this.options.log?.(`schema: ${warning}`);
    const previous = this.#current;
    this.#current = built;
    this.options.log?.(`schema: now at version ${version}`);
    await this.options.pubsub?.publish("schema.changed", {
      version,
      previousVersion: previous?.version ?? null,
      ...macroChanges(previous?.macros, built.macros),
    });
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

function macroChanges(
  before: ReadonlyMap<string, object> | undefined,
  after: ReadonlyMap<string, object> | undefined,
): { added: string[]; changed: string[]; removed: string[] } {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [name, model] of after ?? []) {
    const old = before?.get(name);
    if (old === undefined) added.push(name);
    else if (old !== model) changed.push(name);
  }
  for (const name of before?.keys() ?? []) if (!after?.has(name)) removed.push(name);
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}
