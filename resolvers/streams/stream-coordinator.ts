/**
 * What the stream poller shares with the other gateway processes, behind one interface: whether this process is the
 * one that polls (a lease), what every process's subscribers need (their demand), and the poll's watermarks (so a
 * new poller continues where the last one stopped). In one process (`LocalStreamCoordinator`) all three are local;
 * `gateway/streams/redis-stream-coordinator.ts` keeps them in Redis. Everything here is plain JSON.
 */

import { type EncodedPosition, earlierEncoded } from "./stream-position.js";
import type { LeafRequirement } from "./stream-statements.js";

export interface MacroDemand {
  readonly leaves: readonly LeafRequirement[];
  readonly output: boolean;
}

/**
 * Where one stream of an experiment (its measurements, or its samples) must be read from: `from` is the earliest
 * coverage of its subscribers still catching up (the poll moves the watermark back to it), `live` the earliest of
 * those already following (used only when no watermark is stored).
 */
export interface StreamReach {
  readonly from: EncodedPosition | null;
  readonly live: EncodedPosition | null;
}

export interface ExperimentDemand {
  /** The macros followed, with the paths their subscribers select. */
  readonly macros: Readonly<Record<string, MacroDemand>>;
  readonly measurements: StreamReach | null;
  readonly samples: StreamReach | null;
}

/** Experiment id → what its subscribers follow. */
export type StreamDemand = Readonly<Record<string, ExperimentDemand>>;

/** The poll's state: `experiment\u0000m|s` → the position the stream is read completely up to; experiment → access fingerprint. */
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

function earliest(a: EncodedPosition | null, b: EncodedPosition | null): EncodedPosition | null {
  return a === null ? b : b === null ? a : earlierEncoded(a, b);
}

function mergeReach(a: StreamReach | null, b: StreamReach | null): StreamReach | null {
  if (!a || !b) return a ?? b;
  return { from: earliest(a.from, b.from), live: earliest(a.live, b.live) };
}

/** Merges demands (of several subscribers or processes): earliest reach, union of macros and paths. */
export function mergeDemands(demands: readonly StreamDemand[]): StreamDemand {
  const out: Record<
    string,
    { macros: Record<string, MacroDemand>; measurements: StreamReach | null; samples: StreamReach | null }
  > = {};
  for (const demand of demands) {
    for (const [experimentId, e] of Object.entries(demand)) {
      out[experimentId] ??= { macros: {}, measurements: null, samples: null };
      const target = out[experimentId];
      for (const [file, m] of Object.entries(e.macros)) {
        const prior = target.macros[file];
        if (!prior) {
          target.macros[file] = m;
          continue;
        }
        const leaves = new Map(prior.leaves.map((l) => [l.key, l]));
        for (const l of m.leaves) leaves.set(l.key, l);
        target.macros[file] = { leaves: [...leaves.values()], output: prior.output || m.output };
      }
      target.measurements = mergeReach(target.measurements, e.measurements);
      target.samples = mergeReach(target.samples, e.samples);
    }
  }
  return out;
}
