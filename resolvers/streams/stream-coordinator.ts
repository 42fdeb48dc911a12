/**
 * What the stream poller shares with the other gateway processes, behind one interface: whether this process is the
 * one that polls (a lease), what every process's subscribers need (their demand), and the poll's watermarks (so a
 * new poller continues where the last one stopped). In one process (`LocalStreamCoordinator`) all three are local;
 * `gateway/streams/redis-stream-coordinator.ts` keeps them in Redis. Everything here is plain JSON.
 */

import type { LeafRequirement } from "./stream-statements.js";

/** A position as JSON: `[pos, file, id]` with bigints as strings. */
export type EncodedPosition = readonly [string, string | null, string | null];

export interface MacroDemand {
  /** Where a new watch starts (the earliest start of the subscribers that asked). */
  readonly from: EncodedPosition;
  readonly leaves: readonly LeafRequirement[];
  readonly output: boolean;
}

export interface ExperimentDemand {
  readonly macros: Readonly<Record<string, MacroDemand>>;
  readonly samples: { readonly from: EncodedPosition } | null;
}

/** Experiment id → what its subscribers follow. */
export type StreamDemand = Readonly<Record<string, ExperimentDemand>>;

/** The poll's state: `experiment\u0000file` (file "" for samples) → last position polled; experiment → access fingerprint. */
export interface StreamWatermarks {
  readonly positions: Readonly<Record<string, EncodedPosition>>;
  readonly meta: Readonly<Record<string, string>>;
}

export interface StreamCoordinator {
  /** Shares this process's demand and returns every live process's demand (this one's included). */
  exchangeDemand(local: StreamDemand): Promise<StreamDemand>;
  /** Whether this process should poll now (holds or just took the lease). */
  isPoller(): Promise<boolean>;
  loadWatermarks(): Promise<StreamWatermarks>;
  saveWatermarks(watermarks: StreamWatermarks): Promise<void>;
  close(): Promise<void>;
}

export class LocalStreamCoordinator implements StreamCoordinator {
  #watermarks: StreamWatermarks = { positions: {}, meta: {} };

  async exchangeDemand(local: StreamDemand): Promise<StreamDemand> {
    return local;
  }

  async isPoller(): Promise<boolean> {
    return true;
  }

  async loadWatermarks(): Promise<StreamWatermarks> {
    return this.#watermarks;
  }

  async saveWatermarks(watermarks: StreamWatermarks): Promise<void> {
    this.#watermarks = watermarks;
  }

  async close(): Promise<void> {}
}

/** Merges the demands of several processes: earliest start, union of paths. */
export function mergeDemands(
  demands: readonly StreamDemand[],
  earlier: (a: EncodedPosition, b: EncodedPosition) => EncodedPosition,
): StreamDemand {
  const out: Record<
    string,
    { macros: Record<string, MacroDemand>; samples: { from: EncodedPosition } | null }
  > = {};
  for (const demand of demands) {
    for (const [experimentId, e] of Object.entries(demand)) {
      out[experimentId] ??= { macros: {}, samples: null };
      const target = out[experimentId];
      for (const [file, m] of Object.entries(e.macros)) {
        const prior = target.macros[file];
        if (!prior) {
          target.macros[file] = m;
          continue;
        }
        const leaves = new Map(prior.leaves.map((l) => [l.key, l]));
        for (const l of m.leaves) leaves.set(l.key, l);
        target.macros[file] = {
          from: earlier(prior.from, m.from),
          leaves: [...leaves.values()],
          output: prior.output || m.output,
        };
      }
      if (e.samples)
        target.samples = target.samples ? { from: earlier(target.samples.from, e.samples.from) } : e.samples;
    }
  }
  return out;
}
