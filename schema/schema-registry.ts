/**
 * Keeps the served GraphQL schemas in step with the macro catalog. It polls the catalog, fingerprints it, and when
 * the fingerprint changes builds the new schemas off the request path and swaps one reference. Yoga asks for the
 * schema once per request, so an in-flight request finishes on the schema it started with. `build` may be async
 * (`GatewaySchemaBuilder.buildAsync`), so requests keep being served while a large catalog builds.
 *
 * With `scoping`, each access set (a `scoping.keyOf` key) is served the schema of the part of the catalog it may
 * read (`scoping.restrict`), as Hasura serves one schema per role: a macro seen only in private experiments is not
 * in an anonymous caller's schema, and `schemaVersion`/`macros` describe what the caller may read. Schemas are
 * cached by their version (two sets that see the same catalog share one schema); the last `maxScopes` sets used,
 * and those `retain`ed, are rebuilt before every swap, so a request after `refresh()` sees the new catalog. A set
 * not seen since builds on its first request (per-macro types are shared across sets, so that costs the assembly).
 *
 * Every swap is published as `schema.changed` (with the macros added, changed and removed) on the pub/sub seam,
 * once per access set whose schema changed (`scope` names the set when there is scoping).
 */
import type { GraphQLSchema } from "graphql";
import type { SchemaScope } from "../resolvers/access/catalog-access.js";
import type { Viewer } from "../resolvers/access/viewer.js";
import { FreshRun } from "../resolvers/events/fresh-run.js";
import type { GatewayPubSub, SchemaChanged } from "../resolvers/events/gateway-events.js";

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

/** The schema a request is served, and the access set it belongs to. */
export interface ScopedSchema {
  readonly built: BuiltSchema;
  readonly scope: SchemaScope;
}

export interface SchemaScoping<Catalog> {
  /** The key of the access set a viewer belongs to under a catalog (runs per request: keep it a lookup). */
  keyOf(catalog: Catalog, viewer: Viewer): string;
  /** The part of the catalog an access set may read, and its version (`Query.schemaVersion`). */
  restrict(catalog: Catalog, key: string): { readonly catalog: Catalog; readonly version: string };
  /** The set every process builds first and always keeps (anonymous callers). */
  readonly defaultKey: string;
}

export interface SchemaRegistryOptions<Catalog> {
  readonly loadCatalog: () => Promise<Catalog>;
  /** Of everything loaded (with scoping: what access depends on too): a change triggers a swap. */
  readonly fingerprint: (catalog: Catalog) => string;
  readonly build: (
    catalog: Catalog,
    version: string,
  ) => Omit<BuiltSchema, "builtAt" | "version"> | Promise<Omit<BuiltSchema, "builtAt" | "version">>;
  readonly pollMs: number;
  readonly log?: (message: string) => void;
  /** Where swaps are published (`schema.changed`). */
  readonly pubsub?: GatewayPubSub;
  /** One schema per access set; without it every caller is served the whole catalog's schema. */
  readonly scoping?: SchemaScoping<Catalog>;
  /** Access sets whose schemas are kept and rebuilt on every swap (most recently used); default 64. */
  readonly maxScopes?: number;
}

interface RegistryState<Catalog> {
  readonly catalog: Catalog;
  readonly fingerprint: string;
  /** Access set key → its schema under this catalog (built, or building). */
  readonly scopes: Map<string, BuiltSchema | Promise<BuiltSchema>>;
}

export class SchemaRegistry<Catalog> {
  readonly #scoping: SchemaScoping<Catalog>;
  readonly #maxScopes: number;
  #state: RegistryState<Catalog> | null = null;
  /** Built schemas by version, shared by every set (and catalog) with that version. */
  #byVersion = new Map<string, BuiltSchema>();
  /** Builds run one at a time (the builder remembers its last builds; the CPU is one). */
  #builds: Promise<unknown> = Promise.resolve();
  /** Access set keys, least recently used first. */
  readonly #recent = new Map<string, true>();
  readonly #pins = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  readonly #refreshes = new FreshRun(() => this.#refresh());
  #lastError: unknown = null;

  constructor(private readonly options: SchemaRegistryOptions<Catalog>) {
    this.#scoping = options.scoping ?? {
      keyOf: () => "",
      restrict: (catalog) => ({ catalog, version: options.fingerprint(catalog) }),
      defaultKey: "",
    };
    this.#maxScopes = Math.max(1, options.maxScopes ?? 64);
  }

  /** The default access set's schema (with scoping: what anonymous callers are served). */
  get current(): BuiltSchema {
    const built = this.#state?.scopes.get(this.#scoping.defaultKey);
    if (!built || built instanceof Promise)
      throw new Error("The schema registry has not loaded a schema yet.");
    return built;
  }

  get ready(): boolean {
    return this.#state !== null;
  }

  get lastError(): unknown {
    return this.#lastError;
  }

  /** How many access sets have a schema now. */
  get scopeCount(): number {
    return this.#state?.scopes.size ?? 0;
  }

  /**
   * The schema to serve a viewer: at once when their access set's schema is built (every request but a set's first
   * after a swap that did not rebuild it), else once it is.
   */
  schemaFor(viewer: Viewer): ScopedSchema | Promise<ScopedSchema> {
    return this.schemaForKey((catalog) => this.#scoping.keyOf(catalog, viewer));
  }

  /** The schema of the access set `keyOf` names under the current catalog. */
  schemaForKey(keyOf: (catalog: Catalog) => string): ScopedSchema | Promise<ScopedSchema> {
    const state = this.#state;
    if (!state) throw new Error("The schema registry has not loaded a schema yet.");
    const key = keyOf(state.catalog);
    this.#touch(key);
    const scope = this.#handle(key);
    const built = this.#scope(state, key);
    return built instanceof Promise ? built.then((b) => ({ built: b, scope })) : { built, scope };
  }

  /**
   * Loads the catalog and swaps the schemas if it changed; returns whether it swapped. The load starts after the
   * call (a call during a refresh shares the next one), so a catalog written before the call is seen.
   */
  refresh(): Promise<boolean> {
    return this.#refreshes.request();
  }

  async #refresh(): Promise<boolean> {
    const catalog = await this.options.loadCatalog();
    const fingerprint = this.options.fingerprint(catalog);
    const previous = this.#state;
    if (previous?.fingerprint === fingerprint) return false;
    const next: RegistryState<Catalog> = { catalog, fingerprint, scopes: new Map() };
    // The default set first, then the sets in use, most recent first.
    const keys = new Set([
      this.#scoping.defaultKey,
      ...[...this.#recent.keys()].reverse(),
      ...this.#pins.keys(),
    ]);
    const changes: { key: string; before: BuiltSchema | undefined; after: BuiltSchema }[] = [];
    const logged = new Set<string>();
    for (const key of keys) {
      const before = previous?.scopes.get(key);
      const after = await this.#scope(next, key);
      next.scopes.set(key, after);
      const settled = before instanceof Promise ? undefined : before;
      if (settled?.version === after.version) continue;
      changes.push({ key, before: settled, after });
      for (const warning of after.warnings) {
        if (logged.has(warning)) continue;
        logged.add(warning);
        this.options.log?.(`schema: ${warning}`);
      }
    }
    this.#state = next;
    this.#prune();
    this.options.log?.(
      `schema: now at version ${this.current.version}` +
        (this.options.scoping ? ` (${next.scopes.size} access set(s) built)` : ""),
    );
    for (const { key, before, after } of changes) {
      const change: SchemaChanged = {
        version: after.version,
        previousVersion: before?.version ?? null,
        ...macroChanges(before?.macros, after.macros),
        ...(this.options.scoping ? { scope: key } : {}),
      };
      await this.options.pubsub?.publish("schema.changed", change);
    }
    return true;
  }

  /** A set's schema under a state: held, or built from the set's part of the catalog (reusing its version's). */
  #scope(state: RegistryState<Catalog>, key: string): BuiltSchema | Promise<BuiltSchema> {
    const held = state.scopes.get(key);
    if (held) return held;
    const { catalog, version } = this.#scoping.restrict(state.catalog, key);
    const existing = this.#byVersion.get(version);
    if (existing) {
      state.scopes.set(key, existing);
      return existing;
    }
    const building = this.#enqueue(async () => {
      const again = this.#byVersion.get(version);
      if (again) return again;
      const built: BuiltSchema = {
        ...(await this.options.build(catalog, version)),
        version,
        builtAt: new Date(),
      };
      this.#byVersion.set(version, built);
      return built;
    });
    state.scopes.set(key, building);
    building.then(
      (built) => {
        if (state.scopes.get(key) === building) state.scopes.set(key, built);
      },
      () => {
        if (state.scopes.get(key) === building) state.scopes.delete(key);
      },
    );
    return building;
  }

  #enqueue<T>(run: () => Promise<T>): Promise<T> {
    const result = this.#builds.then(run, run);
    this.#builds = result.catch(() => undefined);
    return result;
  }

  /** Marks a set used; past `maxScopes`, the least recently used set no one retains is let go. */
  #touch(key: string): void {
    // The default set is always kept and rebuilt: it takes no slot.
    if (key === this.#scoping.defaultKey) return;
    if (this.#recent.has(key)) this.#recent.delete(key);
    this.#recent.set(key, true);
    if (this.#recent.size <= this.#maxScopes) return;
    for (const old of this.#recent.keys()) {
      if (this.#recent.size <= this.#maxScopes) break;
      if (old === this.#scoping.defaultKey || this.#pins.has(old)) continue;
      this.#recent.delete(old);
      this.#state?.scopes.delete(old);
    }
    this.#prune();
  }

  /** Drops built schemas no set of the current state holds. */
  #prune(): void {
    const held = new Set<string>();
    for (const built of this.#state?.scopes.values() ?? [])
      if (!(built instanceof Promise)) held.add(built.version);
    for (const version of this.#byVersion.keys()) if (!held.has(version)) this.#byVersion.delete(version);
  }

  #handle(key: string): SchemaScope {
    return {
      key,
      retain: () => {
        this.#pins.set(key, (this.#pins.get(key) ?? 0) + 1);
        let released = false;
        return () => {
          if (released) return;
          released = true;
          const left = (this.#pins.get(key) ?? 1) - 1;
          if (left > 0) this.#pins.set(key, left);
          else this.#pins.delete(key);
        };
      },
    };
  }

  /** First load (throws if it fails), then poll in the background; poll failures keep the current schemas. */
  async start(): Promise<void> {
    await this.refresh();
    const tick = async () => {
      try {
        await this.refresh();
        this.#lastError = null;
      } catch (error) {
        this.#lastError = error;
        this.options.log?.(
          `schema: catalog poll failed, keeping version ${this.#state ? this.current.version : "none"}: ${String(error)}`,
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
