/**
 * The one poller of a deployment (the process that holds the lease): merges every process's demand, reads the new
 * rows of every watched experiment in ONE statement, and publishes them as **parts** with their coverage — "every
 * row of these macros of this experiment in (after, upTo]" — so a subscriber advances only over ranges it has been
 * given completely:
 *
 * - each experiment's stream (its measurements, its samples) has one watermark: everything up to it was published;
 *   a subscriber still catching up pulls it back to its own coverage (`StreamReach.from`), never forward;
 * - a branch that hit its row bound cuts the parts of the experiments it read at its last row; the rest comes with
 *   the next poll, at once;
 * - parts are published even without rows (they still extend coverage), before the watermarks are saved: a poller
 *   that dies in between makes subscribers see rows again (dropped by position), never miss them.
 */
import type { Lakehouse, Row } from "../../lakehouse/lakehouse.js";
import type { Sql } from "../../lakehouse/sql.js";
import type { StatementOrigin } from "../../lakehouse/statement-log.js";
import type { GatewayPubSub } from "../events/gateway-events.js";
import { toJsonSafe } from "./json-codec.js";
import type { StreamCoordinator, StreamDemand, StreamReach } from "./stream-coordinator.js";
import {
  comparePositions,
  decodePosition,
  type EncodedPosition,
  encodePosition,
  maxPosition,
  minPosition,
  type StreamPosition,
} from "./stream-position.js";
import {
  type LeafRequirement as Leaf,
  type MacroBranch,
  type PollPlan,
  pollStatement,
  readPoll,
  type StreamRow,
} from "./stream-statements.js";

/** One experiment's stream in one poll: every row of `macros` (measurements) or of samples in (after, upTo]. */
export interface StreamPart {
  readonly experimentId: string;
  readonly kind: "measurements" | "samples";
  readonly after: StreamPosition;
  readonly upTo: StreamPosition;
  /** The macros the part is complete for (measurements). */
  readonly macros: readonly string[];
  /** Per macro, the leaf keys its rows carry values of, and whether they carry the whole output. */
  readonly leaves: Readonly<Record<string, readonly string[]>>;
  readonly outputs: readonly string[];
  /** In position order. */
  readonly rows: readonly StreamRow[];
}

/** What one poll publishes to every process. */
export interface PollMessage {
  readonly parts: readonly StreamPart[];
  /** Experiment → access fingerprint now. */
  readonly meta: Readonly<Record<string, string>>;
}

export interface PollOutcome {
  /** Rows published. */
  readonly rows: number;
  /** Whether a branch hit its bound (the next poll should follow at once). */
  readonly truncated: boolean;
  readonly statementMs: number;
}

const key = (experimentId: string, kind: "m" | "s") => `${experimentId}\u0000${kind}`;

/** Where a stream is read from this poll: the stored watermark, pulled back to subscribers still catching up. */
function startOf(stored: EncodedPosition | undefined, reach: StreamReach): StreamPosition | null {
  const base = stored ?? reach.live ?? reach.from;
  if (!base) return null;
  const at = decodePosition(base);
  return reach.from ? minPosition(at, decodePosition(reach.from)) : at;
}

export class StreamPoller {
  constructor(
    private readonly lakehouse: Lakehouse,
    private readonly pubsub: GatewayPubSub,
    private readonly coordinator: StreamCoordinator,
    private readonly pollLimit: number,
  ) {}

  /** One poll; null when this process is not the poller or nobody anywhere listens (then no statement runs). */
  async poll(local: StreamDemand): Promise<PollOutcome | null> {
    const demand = await this.coordinator.exchangeDemand(local);
    if (!(await this.coordinator.isPoller())) return null;
    const experiments = Object.keys(demand);
    const previous = await this.coordinator.loadWatermarks();
    if (experiments.length === 0) {
      if (Object.keys(previous.positions).length || Object.keys(previous.meta).length)
        await this.coordinator.saveWatermarks({ positions: {}, meta: {} });
      return null;
    }

    const starts = new Map<string, StreamPosition>();
    const byMacro = new Map<
      string,
      {
        leaves: Map<string, Leaf>;
        output: boolean;
        experiments: { experimentId: string; after: StreamPosition }[];
      }
    >();
    const samples: { experimentId: string; after: StreamPosition }[] = [];
    for (const experimentId of experiments) {
      const e = demand[experimentId]!;
      const measurementsAt =
        e.measurements && startOf(previous.positions[key(experimentId, "m")], e.measurements);
      if (measurementsAt) {
        starts.set(key(experimentId, "m"), measurementsAt);
        for (const [file, m] of Object.entries(e.macros)) {
          let branch = byMacro.get(file);
          if (!branch) {
            branch = { leaves: new Map(), output: false, experiments: [] };
            byMacro.set(file, branch);
          }
          for (const l of m.leaves) branch.leaves.set(l.key, l);
          branch.output ||= m.output;
          branch.experiments.push({ experimentId, after: measurementsAt });
        }
      }
      const samplesAt = e.samples && startOf(previous.positions[key(experimentId, "s")], e.samples);
      if (samplesAt) {
        starts.set(key(experimentId, "s"), samplesAt);
        samples.push({ experimentId, after: samplesAt });
      }
    }
    const plan: PollPlan = {
      measurements: [...byMacro.entries()].map(
        ([macroFilename, b]): MacroBranch => ({
          macroFilename,
          leaves: [...b.leaves.values()],
          output: b.output,
          experiments: b.experiments,
        }),
      ),
      samples,
      meta: experiments,
      limit: this.pollLimit,
    };
    const { statement, columns } = pollStatement(plan);
    const started = performance.now();
    const result = readPoll(plan, columns, await readAs<Row>(this.lakehouse, "stream-poll", statement));
    const statementMs = performance.now() - started;

    // Group rows by experiment stream, and cut each stream where a bounded branch it was read by stopped.
    const grouped = new Map<string, StreamRow[]>();
    for (const r of result.rows) {
      const k = key(r.experimentId, r.kind === "sample" ? "s" : "m");
      const list = grouped.get(k) ?? [];
      list.push(r);
      grouped.set(k, list);
    }
    const parts: StreamPart[] = [];
    const positions: Record<string, EncodedPosition> = {};
    let rows = 0;
    for (const [k, after] of starts) {
      const [experimentId, kindTag] = k.split("\u0000") as [string, "m" | "s"];
      const macros = kindTag === "m" ? Object.keys(demand[experimentId]!.macros) : [""];
      let cut: StreamPosition | null = null;
      for (const file of macros) {
        const at = result.truncated.get(file);
        if (at) cut = cut ? minPosition(cut, at) : at;
      }
      const list = (grouped.get(k) ?? [])
        .filter((r) => !cut || comparePositions(r.position, cut) <= 0)
        .sort((a, b) => comparePositions(a.position, b.position));
      const upTo = cut ?? list.reduce((p, r) => maxPosition(p, r.position), after);
      rows += list.length;
      positions[k] = encodePosition(upTo);
      parts.push({
        experimentId,
        kind: kindTag === "m" ? "measurements" : "samples",
        after,
        upTo,
        macros: kindTag === "m" ? macros : [],
        leaves:
          kindTag === "m"
            ? Object.fromEntries(macros.map((f) => [f, [...(byMacro.get(f)?.leaves.keys() ?? [])]]))
            : {},
        outputs: kindTag === "m" ? macros.filter((f) => byMacro.get(f)?.output) : [],
        rows: list,
      });
    }
    const message: PollMessage = { parts, meta: Object.fromEntries(result.meta) };
    await this.pubsub.publish("stream.rows", { poll: toJsonSafe(message) });
    await this.coordinator.saveWatermarks({
      positions,
      meta: Object.fromEntries(
        experiments.flatMap((id) => (result.meta.has(id) ? [[id, result.meta.get(id)!]] : [])),
      ),
    });
    return { rows, truncated: result.truncated.size > 0, statementMs };
  }
}

/** A read of the streams, recorded with its origin (`/metrics` tells the poller's statements from requests'). */
export function readAs<R extends object>(
  lakehouse: Lakehouse,
  origin: StatementOrigin,
  statement: Sql,
): Promise<R[]> {
  return lakehouse.statements.withOrigin(origin, () => lakehouse.query<R>(statement));
}
