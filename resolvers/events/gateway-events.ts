/**
 * The one pub/sub seam of the gateway, in Hive Gateway's shape (`@graphql-hive/pubsub`: `publish`, `subscribe` →
 * AsyncIterable or listener, `dispose`). In-memory (`MemPubSub`) in one process; a Redis implementation of the
 * same interface plugs in when several processes share the load. Producers and consumers know only the topics.
 */
import { MemPubSub, type PubSub } from "@graphql-hive/pubsub";
import type { AnnotationRow } from "../loaders/request-loaders.js";

/** An experiment's data, annotations, metadata or membership changed: cached reads of it are stale. */
export interface ExperimentChanged {
  readonly experimentIds: readonly string[];
  /** `watermark`: the freshness watch saw it move; `write`: the gateway wrote it itself. */
  readonly source: "watermark" | "write";
}

/** The served schema was swapped for one built from a changed catalog. */
export interface SchemaChanged {
  readonly version: string;
  readonly previousVersion: string | null;
  /** Macro filenames whose generated types appeared, changed shape, or went away. */
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  /** The access set whose schema this is (`SchemaScope.key`), when each set has its own schema. */
  readonly scope?: string;
}

/** An annotation was added, updated or deleted through the gateway. */
export interface AnnotationChanged {
  readonly kind: "ADDED" | "UPDATED" | "DELETED";
  readonly experimentId: string;
  /** The annotation as written (for DELETED: as it was). */
  readonly annotation: AnnotationRow;
  /** `sample` or a macro filename. */
  readonly table: string;
  readonly rowId: string;
}

/** New rows of watched experiments with their coverage, and access fingerprints, from the one stream poller (JSON-safe `PollMessage`). */
export interface StreamRowsPublished {
  readonly poll: unknown;
}

export type GatewayTopics = {
  "stream.rows": StreamRowsPublished;
  "experiment.changed": ExperimentChanged;
  "schema.changed": SchemaChanged;
  "annotation.changed": AnnotationChanged;
};

export type GatewayPubSub = PubSub<GatewayTopics>;

export function createMemoryPubSub(): GatewayPubSub {
  return new MemPubSub<GatewayTopics>();
}
