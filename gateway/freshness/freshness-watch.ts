/**
 * Watches every experiment's watermark — latest processed time from `experiment_status`, the newest annotation
 * change, and a fingerprint of its metadata (visibility, anonymization, …) and members — in ONE statement per
 * interval, off the request path, and publishes `experiment.changed` for the experiments whose watermark moved.
 * The result cache subscribes and drops their entries, so a revoked membership or a visibility change also ends
 * cached reads; subscriptions use the same signal.
 */
import type { Lakehouse } from "../../lakehouse/lakehouse.js";
import { sql, table } from "../../lakehouse/sql.js";
import { FreshRun } from "../../resolvers/events/fresh-run.js";
import type { GatewayPubSub } from "../../resolvers/events/gateway-events.js";

interface WatermarkRow {
  experiment_id: string;
  meta: bigint | number | null;
  processed: string | null;
  annotations_updated: string | null;
  annotation_count: bigint | null;
  members: bigint | null;
  members_hash: bigint | number | null;
}

export class FreshnessWatch {
  #marks = new Map<string, string>();
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly lakehouse: Lakehouse,
    private readonly pubsub: GatewayPubSub,
    private readonly intervalMs: number,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  readonly #polls = new FreshRun(() => this.#poll());

  /** One poll that starts after this call: returns (and publishes) the experiments whose watermark moved. */
  poll(): Promise<string[]> {
    return this.#polls.request();
  }

  async #poll(): Promise<string[]> {
    const rows = await this.lakehouse.statements.withOrigin("freshness", () =>
      this.lakehouse.query<WatermarkRow>(
        sql`SELECT e.experiment_id,
          hash(e.visibility, e.anonymize_contributors, e.status, e.name, e.description) AS meta,
          s.latest_processed_timestamp AS processed, a.annotations_updated, a.annotation_count,
          m.members, m.members_hash
        FROM ${table("experiments")} e
        LEFT JOIN ${table("experiment_status")} s ON s.experiment_id = e.experiment_id
        LEFT JOIN (SELECT experiment_id, max(updated_at) AS annotations_updated, count(*) AS annotation_count
          FROM ${table("experiment_annotations")} GROUP BY experiment_id) a ON a.experiment_id = e.experiment_id
        LEFT JOIN (SELECT experiment_id, count(*) AS members, sum(hash(user_id, role)) AS members_hash
          FROM ${table("experiment_members")} GROUP BY experiment_id) m ON m.experiment_id = e.experiment_id`,
      ),
    );
    const next = new Map<string, string>();
    for (const r of rows) {
      next.set(
        r.experiment_id,
        [r.meta, r.processed, r.annotations_updated, r.annotation_count, r.members, r.members_hash].join("|"),
      );
    }
    const first = this.#marks.size === 0;
    const changed = first
      ? []
      : [...new Set([...next.keys(), ...this.#marks.keys()])].filter(
          (id) => next.get(id) !== this.#marks.get(id),
        );
    this.#marks = next;
    if (changed.length)
      await this.pubsub.publish("experiment.changed", { experimentIds: changed, source: "watermark" });
    return changed;
  }

  start(): void {
    const tick = async () => {
      try {
        await this.poll();
      } catch (error) {
        this.log(`freshness: poll failed: ${String(error)}`);
      }
      if (this.#timer) this.#timer = setTimeout(tick, this.intervalMs).unref();
    };
    this.#timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
