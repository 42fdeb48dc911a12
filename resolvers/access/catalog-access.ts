/**
 * Who may read which experiments of the macro catalog, held in memory so that every request can be served the
 * schema of what it may read without a statement (Hasura builds a schema per role; the gateway builds one per
 * *access set*). The rule is `ExperimentAccess.readableIds`' (public, or a member of any role), read in one
 * statement beside the catalog and refreshed with it; the data itself stays behind the per-statement check, so a
 * stale snapshot can only show or hide field names for one catalog poll, never rows.
 *
 * An access set is named by its key: the sorted private catalog experiments it adds to the public ones, so two
 * callers who may read the same experiments share one key (and one schema), and a key says what it may read.
 */
import { createHash } from "node:crypto";
import { type Sql, sql, table } from "../../lakehouse/sql.js";
import type { Viewer } from "./viewer.js";

/** A membership of a non-public experiment, or (user_id null) a public experiment. */
export interface AccessRow {
  readonly experiment_id: string;
  readonly user_id: string | null;
}

/** The key of callers who may read only the public experiments (anonymous callers, outsiders). */
export const PUBLIC_ACCESS_KEY = "[]";

/** One statement: every public experiment, and every membership of the others. */
export function accessSnapshotStatement(): Sql {
  return sql`SELECT m.experiment_id, m.user_id FROM ${table("experiment_members")} m
    WHERE m.experiment_id NOT IN (SELECT experiment_id FROM ${table("experiments")} WHERE visibility = 'public')
    UNION ALL
    SELECT experiment_id, NULL FROM ${table("experiments")} WHERE visibility = 'public'`;
}

/** A schema's access set as a request holds it: its key, and a way to keep its schema current while in use. */
export interface SchemaScope {
  readonly key: string;
  /** Keeps the set's schema rebuilt on every catalog change (a `schemaChanged` subscriber does); call to release. */
  retain(): () => void;
}

export class CatalogAccess {
  /** Public experiments of the catalog. */
  readonly #public: ReadonlySet<string>;
  /** User id → the key of what they may read. */
  readonly #keys: ReadonlyMap<string, string>;
  /** Changes whenever a catalog experiment's readers do. */
  readonly fingerprint: string;
  /** The key of the whole catalog (operators: `npm run schema:print`). */
  readonly everythingKey: string;

  /** Only experiments in `catalogExperiments` matter: the others have nothing to show in a schema. */
  constructor(rows: readonly AccessRow[], catalogExperiments: Iterable<string>) {
    const catalog = new Set(catalogExperiments);
    const open = new Set<string>();
    const byUser = new Map<string, string[]>();
    const relevant: string[] = [];
    for (const row of rows) {
      if (!catalog.has(row.experiment_id)) continue;
      relevant.push(JSON.stringify([row.experiment_id, row.user_id]));
      if (row.user_id === null) {
        open.add(row.experiment_id);
        continue;
      }
      const list = byUser.get(row.user_id);
      if (list) list.push(row.experiment_id);
      else byUser.set(row.user_id, [row.experiment_id]);
    }
    this.#public = open;
    this.everythingKey = JSON.stringify([...catalog].filter((id) => !open.has(id)).sort());
    const keys = new Map<string, string>();
    for (const [user, ids] of byUser) {
      const own = [...new Set(ids.filter((id) => !open.has(id)))].sort();
      if (own.length) keys.set(user, JSON.stringify(own));
    }
    this.#keys = keys;
    this.fingerprint = createHash("sha256").update(relevant.sort().join("\n")).digest("hex").slice(0, 16);
  }

  /** The key of what the viewer may read (cheap: one lookup per request). */
  keyOf(viewer: Viewer): string {
    return viewer.userId === null ? PUBLIC_ACCESS_KEY : (this.#keys.get(viewer.userId) ?? PUBLIC_ACCESS_KEY);
  }

  /** Whether an access set may read an experiment: it is public now, or the set's key names it. */
  readerOf(key: string): (experimentId: string) => boolean {
    const named = new Set(parseKey(key));
    return (id) => this.#public.has(id) || named.has(id);
  }
}

function parseKey(key: string): string[] {
  const ids = JSON.parse(key) as unknown;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string"))
    throw new Error(`Not an access key: ${key}`);
  return ids as string[];
}
