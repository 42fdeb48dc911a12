/**
 * Subscriptions to fresh data, one hub per gateway process:
 *
 * - **One poller**: every interval (and at once after a write through the gateway) the process holding the lease
 *   reads, in ONE statement, the rows committed after each watched experiment's watermark — only experiments with
 *   subscribers in some process, only the VARIANT paths they select — and publishes them on the pub/sub seam
 *   (`stream.rows`). Nobody subscribed: no statement. The same statement reads each experiment's access
 *   fingerprint; a change ends the streams of viewers who lost access (`FORBIDDEN`).
 * - **Fan-out**: every process delivers published rows to its own subscribers, each strictly after its own
 *   position, so a row arrives once even when a replay and a poll both read it.
 * - **Resume**: a subscriber with `after` is registered (buffering live rows) *before* its replay statement runs,
 *   replays up to `replayLimit` rows, then continues from the buffer — no gap, no duplicate. Positions are in
 *   commit order (`stream-position.ts`), so rows of concurrent writers are never skipped.
 * - **Bounds**: a per-subscription queue (a slow consumer's stream ends with `SLOW_CONSUMER` and the last cursor
 *   it received), and a cap of subscriptions per caller.
 */

import { EventEmitter } from "node:events";
import type { MacroTypeModel } from "../../codegen/macro-type-model.js";
import { CodedError } from "../../lakehouse/errors.js";
import type { Lakehouse, Row } from "../../lakehouse/lakehouse.js";
import type { Sql } from "../../lakehouse/sql.js";
import type { StatementOrigin } from "../../lakehouse/statement-log.js";
import { variantCastOf } from "../../lakehouse/variant-casts.js";
import type { ExperimentAccess } from "../access/experiment-access.js";
import { NotFoundError } from "../errors.js";
import { FreshRun } from "../events/fresh-run.js";
import type { AnnotationChanged, GatewayPubSub, SchemaChanged } from "../events/gateway-events.js";
import { modelLeaves } from "../measurements/measurement-selection.js";
import type { MeasurementRow, SampleRow } from "../rows.js";
import { EventQueue } from "./event-queue.js";
import { fromJsonSafe, toJsonSafe } from "./json-codec.js";
import {
  type EncodedPosition,
  type ExperimentDemand,
  LocalStreamCoordinator,
  type MacroDemand,
  type StreamCoordinator,
  type StreamDemand,
} from "./stream-coordinator.js";
import {
  comparePositions,
  decodeStreamCursor,
  encodeStreamCursor,
  headPosition,
  maxPosition,
  type StreamKind,
  type StreamPosition,
} from "./stream-position.js";
import {
  type LeafRequirement,
  leafKey,
  type MacroBranch,
  type PollPlan,
  pollStatement,
  readPoll,
  type StreamRow,
  type StreamStart,
  startStatement,
} from "./stream-statements.js";

export interface StreamHubOptions {
  /** The lakehouse itself (never the result cache). */
  readonly lakehouse: Lakehouse;
  readonly pubsub: GatewayPubSub;
  readonly coordinator?: StreamCoordinator;
  readonly intervalMs: number;
  /** Rows per macro per poll; a full branch is continued at once by the next poll. */
  readonly pollLimit?: number;
  /** Rows a resuming subscriber may replay; older cursors get `CURSOR_TOO_OLD`. */
  readonly replayLimit?: number;
  /** Events waiting per subscription before it ends with `SLOW_CONSUMER`. */
  readonly bufferSize?: number;
  /** Open subscriptions per caller (user, or address when anonymous). */
  readonly maxPerCaller?: number;
  readonly log?: (message: string) => void;
}

/** What a macro subscription follows of one macro: its type model and the paths its selection reads. */
export interface MacroFollow {
  readonly model: MacroTypeModel;
  readonly leaves: readonly LeafRequirement[];
  readonly output: boolean;
}

export type StreamEvent =
  | {
      readonly kind: "measurement";
      readonly cursor: string;
      readonly position: StreamPosition;
      readonly measurement: MeasurementRow;
    }
  | {
      readonly kind: "sample";
      readonly cursor: string;
      readonly position: StreamPosition;
      readonly sample: SampleRow;
    }
  | { readonly kind: "annotation"; readonly change: AnnotationChanged }
  | { readonly kind: "schema"; readonly change: SchemaChanged }
  /** The stream's last event: the client sees this error, then the stream completes. */
  | { readonly kind: "end"; readonly error: CodedError };

export interface OpenStream {
  readonly kind: StreamKind | "annotations" | "schema";
  /** The experiment followed ("" for schema changes). */
  readonly experimentId: string;
  readonly access: ExperimentAccess;
  readonly caller: string;
  /** The client's resume cursor (data streams). */
  readonly after?: string | null;
  /** Macro filename → what to read (measurement streams). */
  readonly macros?: ReadonlyMap<string, MacroFollow>;
  /** Runs before each event is handed to GraphQL execution (fresh per-event loaders). */
  readonly beforeEvent?: () => void;
}

export interface StreamHubStats {
  readonly subscriptions: number;
  readonly watchedExperiments: number;
  readonly polls: number;
  readonly pollStatements: number;
  readonly rowsPublished: number;
  readonly eventsQueued: number;
  readonly slowConsumers: number;
}

/** The published rows of one poll (JSON-safe: they may cross processes through Redis). */
interface RowsMessage {
  readonly rows: unknown;
}

interface Subscription {
  readonly kind: StreamKind | "annotations" | "schema";
  readonly experimentId: string;
  readonly access: ExperimentAccess;
  readonly caller: string;
  readonly macros: ReadonlyMap<string, MacroFollow> | null;
  readonly queue: EventQueue<StreamEvent>;
  /** Where the stream started (for a new watch); null while starting. */
  start: StreamPosition | null;
  /** The last row queued; rows at or before it are never queued again. */
  position: StreamPosition | null;
  /** The last row handed to the client (the resume point after an overflow). */
  delivered: StreamPosition | null;
  /** Live rows that arrived while the subscription was starting. */
  pending: StreamRow[];
  overflowed: boolean;
}

const DEFAULTS = { pollLimit: 5_000, replayLimit: 10_000, bufferSize: 1_000, maxPerCaller: 500 };

function encodePosition(p: StreamPosition): EncodedPosition {
  return [p.pos.toString(), p.file, p.id === null ? null : p.id.toString()];
}

function decodePosition(p: EncodedPosition): StreamPosition {
  return { pos: BigInt(p[0]), file: p[1], id: p[2] === null ? null : BigInt(p[2]) };
}

export function earlierEncoded(a: EncodedPosition, b: EncodedPosition): EncodedPosition {
  return comparePositions(decodePosition(a), decodePosition(b)) <= 0 ? a : b;
}

const watermarkKey = (experimentId: string, file: string) => `${experimentId}\u0000${file}`;

export class StreamHub {
  readonly #options: Required<Omit<StreamHubOptions, "coordinator" | "log">>;
  readonly #coordinator: StreamCoordinator;
  readonly #log: (message: string) => void;
  /** Experiment id → its local subscriptions. */
  readonly #byExperiment = new Map<string, Set<Subscription>>();
  readonly #byCaller = new Map<string, number>();
  #demand: StreamDemand | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  readonly #unsubscribe: (() => void)[] = [];
  readonly #polls = new FreshRun(() => this.#poll());
  #stats = { polls: 0, pollStatements: 0, rowsPublished: 0, eventsQueued: 0, slowConsumers: 0 };
  /** Rows mapped for one model, shared by every subscriber of that model. */
  readonly #mapped = new WeakMap<StreamRow, Map<MacroTypeModel, MeasurementRow>>();
  /** `started` and `ended` (a subscription, with its kind), `polled` (rows published), for logs and tests. */
  readonly events = new EventEmitter();

  constructor(options: StreamHubOptions) {
    this.#options = {
      lakehouse: options.lakehouse,
      pubsub: options.pubsub,
      intervalMs: options.intervalMs,
      pollLimit: options.pollLimit ?? DEFAULTS.pollLimit,
      replayLimit: options.replayLimit ?? DEFAULTS.replayLimit,
      bufferSize: options.bufferSize ?? DEFAULTS.bufferSize,
      maxPerCaller: options.maxPerCaller ?? DEFAULTS.maxPerCaller,
    };
    this.#coordinator = options.coordinator ?? new LocalStreamCoordinator();
    this.#log = options.log ?? (() => undefined);
  }

  /** Listens to the pub/sub seam and starts the poll timer. */
  async start(): Promise<void> {
    const { pubsub } = this.#options;
    this.#unsubscribe.push(
      await unsubscriber(pubsub.subscribe("stream.rows", (message) => this.#fanOut(message))),
      await unsubscriber(pubsub.subscribe("annotation.changed", (change) => this.#annotation(change))),
      await unsubscriber(pubsub.subscribe("schema.changed", (change) => this.#schema(change))),
      await unsubscriber(
        pubsub.subscribe("experiment.changed", (change) => {
          if (change.source === "access") void this.#recheck(change.experimentIds);
        }),
      ),
    );
    // Polls start every interval (a slow poll shortens the wait before the next, never lengthens the period).
    const tick = async () => {
      if (this.#stopped) return;
      const started = performance.now();
      try {
        await this.poll();
      } catch (error) {
        this.#log(`streams: poll failed: ${String((error as Error)?.message ?? error)}`);
      }
      const wait = Math.max(0, this.#options.intervalMs - (performance.now() - started));
      if (!this.#stopped) this.#timer = setTimeout(tick, wait).unref();
    };
    this.#timer = setTimeout(tick, this.#options.intervalMs).unref();
  }

  /** Ends every stream (clients resume elsewhere) and stops polling. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const u of this.#unsubscribe.splice(0)) await u();
    for (const subs of this.#byExperiment.values()) for (const s of subs) s.queue.end();
    await this.#coordinator.close();
  }

  /**
   * One poll that starts after this call (writes through the gateway call it so subscribers hear at once);
   * resolves with the rows it published (0 when this process is not the poller or nobody listens).
   */
  poll(): Promise<number> {
    return this.#polls.request();
  }

  stats(): StreamHubStats {
    let subscriptions = 0;
    for (const set of this.#byExperiment.values())
      for (const s of set) if (s.position !== null) subscriptions++;
    return { ...this.#stats, subscriptions, watchedExperiments: this.#byExperiment.size };
  }

  /**
   * Opens a stream: checks the cursor and access, registers (so live rows buffer), replays after the cursor,
   * and returns the subscriber's events. Throws a coded error (nothing registered) when it cannot start.
   */
  async open(input: OpenStream): Promise<AsyncIterableIterator<StreamEvent>> {
    const dataKind: StreamKind | null =
      input.kind === "measurements" || input.kind === "samples" ? input.kind : null;
    const after =
      dataKind && input.after ? decodeStreamCursor(dataKind, input.experimentId, input.after) : null;
    const count = this.#byCaller.get(input.caller) ?? 0;
    if (count >= this.#options.maxPerCaller) {
      throw new CodedError(
        `At most ${this.#options.maxPerCaller} subscriptions may be open at once per caller; end one first.`,
        "TOO_MANY_SUBSCRIPTIONS",
        { limit: this.#options.maxPerCaller },
      );
    }
    const sub: Subscription = {
      kind: input.kind,
      experimentId: input.experimentId,
      access: input.access,
      caller: input.caller,
      macros: input.macros ?? null,
      queue: new EventQueue<StreamEvent>(
        this.#options.bufferSize,
        () => this.#remove(sub),
        (event) => {
          if (event.kind === "measurement" || event.kind === "sample") sub.delivered = event.position;
          input.beforeEvent?.();
        },
      ),
      start: null,
      position: null,
      delivered: null,
      pending: [],
      overflowed: false,
    };
    this.#add(sub);
    if (input.kind === "schema") {
      sub.start = headPosition(null);
      sub.position = sub.start;
      this.events.emit("started", sub.kind);
      return sub.queue;
    }
    try {
      const [standing] = await this.#query<StreamStart>(
        "stream-start",
        startStatement(input.access, input.experimentId),
      );
      if (!standing || !input.access.mayRead(standing)) {
        throw new NotFoundError(`No experiment with id ${JSON.stringify(input.experimentId)}.`);
      }
      if (dataKind) {
        const head = headPosition(
          dataKind === "measurements" ? standing.head_measurements : standing.head_samples,
        );
        let position = after ?? head;
        if (after) {
          const replayed = await this.#replay(sub, dataKind, after);
          for (const row of replayed) {
            sub.queue.push(this.#event(sub, row), { force: true });
            position = row.position;
          }
        }
        sub.start = after ?? head;
        sub.position = position;
        sub.delivered = after ?? head;
        const pending = sub.pending;
        sub.pending = [];
        if (sub.overflowed) this.#overflow(sub);
        else for (const row of pending) this.#offer(sub, row);
      } else {
        sub.start = headPosition(null);
        sub.position = sub.start;
      }
      this.#demand = null;
      this.events.emit("started", sub.kind);
      return sub.queue;
    } catch (error) {
      sub.queue.return();
      throw error;
    }
  }

  async #replay(sub: Subscription, kind: StreamKind, after: StreamPosition): Promise<StreamRow[]> {
    const limit = this.#options.replayLimit;
    const experiments = [{ experimentId: sub.experimentId, after }];
    const plan: PollPlan = {
      measurements:
        kind === "measurements"
          ? [...(sub.macros ?? new Map()).entries()].map(([macroFilename, f]) => ({
              macroFilename,
              leaves: f.leaves,
              output: f.output,
              experiments,
            }))
          : [],
      samples: kind === "samples" ? experiments : [],
      meta: [],
      limit: limit + 1,
    };
    if (plan.measurements.length === 0 && plan.samples.length === 0) return [];
    const { statement, columns } = pollStatement(plan);
    const rows = readPoll(plan, columns, await this.#query<Row>("stream-start", statement)).rows;
    if (rows.length > limit) {
      throw new CodedError(
        `More than ${limit} rows arrived after this cursor: query the data first, then subscribe with the stream head as \`after\`.`,
        "CURSOR_TOO_OLD",
        { limit },
      );
    }
    return [...rows].sort((a, b) => comparePositions(a.position, b.position));
  }

  /** A read, recorded as the hub's (`/metrics` tells the poller's statements from requests'). */
  #query<R extends object>(origin: StatementOrigin, statement: Sql): Promise<R[]> {
    const lakehouse = this.#options.lakehouse;
    return lakehouse.statements.withOrigin(origin, () => lakehouse.query<R>(statement));
  }

  #add(sub: Subscription): void {
    let set = this.#byExperiment.get(sub.experimentId);
    if (!set) {
      set = new Set();
      this.#byExperiment.set(sub.experimentId, set);
    }
    set.add(sub);
    this.#byCaller.set(sub.caller, (this.#byCaller.get(sub.caller) ?? 0) + 1);
  }

  #remove(sub: Subscription): void {
    const set = this.#byExperiment.get(sub.experimentId);
    if (!set?.delete(sub)) return;
    if (set.size === 0) this.#byExperiment.delete(sub.experimentId);
    const count = (this.#byCaller.get(sub.caller) ?? 1) - 1;
    if (count <= 0) this.#byCaller.delete(sub.caller);
    else this.#byCaller.set(sub.caller, count);
    this.#demand = null;
    this.events.emit("ended", sub.kind);
  }

  /** This process's demand: what its started subscriptions follow, and from where a new watch starts. */
  #localDemand(): StreamDemand {
    if (this.#demand) return this.#demand;
    const demands: StreamDemand[] = [];
    for (const [experimentId, subs] of this.#byExperiment) {
      if (experimentId === "") continue; // schema changes: nothing to poll
      const macros: Record<string, MacroDemand> = {};
      let samples: ExperimentDemand["samples"] = null;
      for (const sub of subs) {
        if (!sub.start) continue;
        const from = encodePosition(sub.start);
        if (sub.kind === "samples") {
          samples = samples ? { from: earlierEncoded(samples.from, from) } : { from };
        }
        for (const [file, follow] of sub.macros ?? []) {
          const prior = macros[file];
          const leaves = new Map((prior?.leaves ?? []).map((l) => [l.key, l]));
          for (const l of follow.leaves) leaves.set(l.key, l);
          macros[file] = {
            from: prior ? earlierEncoded(prior.from, from) : from,
            leaves: [...leaves.values()],
            output: (prior?.output ?? false) || follow.output,
          };
        }
      }
      demands.push({ [experimentId]: { macros, samples } });
    }
    this.#demand = Object.assign({}, ...demands) as StreamDemand;
    return this.#demand;
  }

  async #poll(): Promise<number> {
    if (this.#stopped) return 0;
    const demand = await this.#coordinator.exchangeDemand(this.#localDemand());
    if (!(await this.#coordinator.isPoller())) return 0;
    const experiments = Object.keys(demand);
    const previous = await this.#coordinator.loadWatermarks();
    if (experiments.length === 0) {
      if (Object.keys(previous.positions).length || Object.keys(previous.meta).length)
        await this.#coordinator.saveWatermarks({ positions: {}, meta: {} });
      return 0;
    }
    // Watermarks of what is still watched: the stored one, or where the earliest subscriber started.
    const positions = new Map<string, StreamPosition>();
    const byMacro = new Map<
      string,
      {
        leaves: Map<string, LeafRequirement>;
        output: boolean;
        experiments: { experimentId: string; after: StreamPosition }[];
      }
    >();
    const samples: { experimentId: string; after: StreamPosition }[] = [];
    for (const experimentId of experiments) {
      const e = demand[experimentId]!;
      for (const [file, m] of Object.entries(e.macros)) {
        const key = watermarkKey(experimentId, file);
        const after = decodePosition(previous.positions[key] ?? m.from);
        positions.set(key, after);
        let branch = byMacro.get(file);
        if (!branch) {
          branch = { leaves: new Map(), output: false, experiments: [] };
          byMacro.set(file, branch);
        }
        for (const l of m.leaves) branch.leaves.set(l.key, l);
        branch.output ||= m.output;
        branch.experiments.push({ experimentId, after });
      }
      if (e.samples) {
        const key = watermarkKey(experimentId, "");
        const after = decodePosition(previous.positions[key] ?? e.samples.from);
        positions.set(key, after);
        samples.push({ experimentId, after });
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
      limit: this.#options.pollLimit,
    };
    const { statement, columns } = pollStatement(plan);
    const started = performance.now();
    const result = readPoll(plan, columns, await this.#query<Row>("stream-poll", statement));
    const statementMs = performance.now() - started;
    this.#stats.polls++;
    this.#stats.pollStatements++;

    // A full branch stops where it stopped; nothing after that point (in its stream) is published this time.
    let cutMeasurements: StreamPosition | null = null;
    for (const [file, at] of result.truncated) {
      if (file === "") continue;
      cutMeasurements = cutMeasurements && comparePositions(cutMeasurements, at) <= 0 ? cutMeasurements : at;
    }
    const cutSamples = result.truncated.get("") ?? null;
    const rows = result.rows
      .filter((r) => {
        const cut = r.kind === "sample" ? cutSamples : cutMeasurements;
        return !cut || comparePositions(r.position, cut) <= 0;
      })
      .sort((a, b) => comparePositions(a.position, b.position));
    for (const r of rows) {
      const key = watermarkKey(r.experimentId, r.kind === "sample" ? "" : r.position.file!);
      positions.set(key, maxPosition(positions.get(key)!, r.position));
    }
    const accessChanged = experiments.filter((id) => {
      const now = result.meta.get(id);
      const before = previous.meta[id];
      return before !== undefined && now !== before;
    });
    // Publish before saving: a poller that dies in between repeats rows (dropped by positions), never loses them.
    if (rows.length) {
      this.#stats.rowsPublished += rows.length;
      await this.#options.pubsub.publish("stream.rows", { rows: toJsonSafe(rows) } as RowsMessage);
    }
    await this.#coordinator.saveWatermarks({
      positions: Object.fromEntries([...positions].map(([k, p]) => [k, encodePosition(p)])),
      meta: Object.fromEntries(
        experiments.flatMap((id) => (result.meta.has(id) ? [[id, result.meta.get(id)!]] : [])),
      ),
    });
    if (accessChanged.length)
      await this.#options.pubsub.publish("experiment.changed", {
        experimentIds: accessChanged,
        source: "access",
      });
    if (result.truncated.size) setImmediate(() => void this.poll().catch(() => undefined));
    this.events.emit("polled", { rows: rows.length, statementMs, ms: performance.now() - started });
    return rows.length;
  }

  #fanOut(message: RowsMessage): void {
    const rows = fromJsonSafe(message.rows) as StreamRow[];
    for (const row of rows) {
      const subs = this.#byExperiment.get(row.experimentId);
      if (!subs) continue;
      const kind: StreamKind = row.kind === "sample" ? "samples" : "measurements";
      for (const sub of subs) if (sub.kind === kind) this.#offer(sub, row);
    }
  }

  #offer(sub: Subscription, row: StreamRow): void {
    if (sub.queue.closed) return;
    if (sub.position === null) {
      if (sub.pending.length >= this.#options.bufferSize) sub.overflowed = true;
      else sub.pending.push(row);
      return;
    }
    if (comparePositions(row.position, sub.position) <= 0) return;
    if (row.kind === "measurement" && !sub.macros?.has(row.position.file!)) return;
    sub.position = row.position;
    this.#stats.eventsQueued++;
    if (!sub.queue.push(this.#event(sub, row))) this.#overflow(sub);
  }

  #overflow(sub: Subscription): void {
    this.#stats.slowConsumers++;
    const kind = sub.kind as StreamKind;
    const cursor = encodeStreamCursor(kind, sub.experimentId, sub.delivered ?? sub.start!);
    sub.queue.end(
      {
        kind: "end",
        error: new CodedError(
          "The subscription fell too far behind and was ended; resubscribe with `after` set to `cursor`.",
          "SLOW_CONSUMER",
          { cursor },
        ),
      },
      { dropQueued: true },
    );
  }

  #event(sub: Subscription, row: StreamRow): StreamEvent {
    const cursor = encodeStreamCursor(sub.kind as StreamKind, sub.experimentId, row.position);
    if (row.kind === "sample") return { kind: "sample", cursor, position: row.position, sample: row.row };
    const model = sub.macros!.get(row.position.file!)!.model;
    let byModel = this.#mapped.get(row);
    if (!byModel) {
      byModel = new Map();
      this.#mapped.set(row, byModel);
    }
    let mapped = byModel.get(model);
    if (!mapped) {
      mapped = mapToModel(row, model);
      byModel.set(model, mapped);
    }
    return { kind: "measurement", cursor, position: row.position, measurement: mapped };
  }

  #annotation(change: AnnotationChanged): void {
    this.#push(change.experimentId, "annotations", { kind: "annotation", change });
  }

  #schema(change: SchemaChanged): void {
    this.#push("", "schema", { kind: "schema", change });
  }

  /** Queues an event without a cursor (annotations, schema changes) for the started subscriptions of a kind. */
  #push(experimentId: string, kind: Subscription["kind"], event: StreamEvent): void {
    for (const sub of this.#byExperiment.get(experimentId) ?? []) {
      if (sub.kind !== kind || sub.position === null) continue;
      this.#stats.eventsQueued++;
      if (!sub.queue.push(event)) {
        this.#stats.slowConsumers++;
        sub.queue.end(
          {
            kind: "end",
            error: new CodedError("The subscription fell too far behind and was ended.", "SLOW_CONSUMER"),
          },
          { dropQueued: true },
        );
      }
    }
  }

  /** Access to these experiments changed: each viewer's standing is read again (one statement per viewer). */
  async #recheck(experimentIds: readonly string[]): Promise<void> {
    for (const experimentId of experimentIds) {
      const subs = [...(this.#byExperiment.get(experimentId) ?? [])];
      const byViewer = new Map<string | null, Subscription[]>();
      for (const s of subs) {
        const list = byViewer.get(s.access.viewer.userId) ?? [];
        list.push(s);
        byViewer.set(s.access.viewer.userId, list);
      }
      for (const group of byViewer.values()) {
        const access = group[0]!.access;
        try {
          const [standing] = await this.#query<StreamStart>(
            "stream-start",
            startStatement(access, experimentId),
          );
          if (standing && access.mayRead(standing)) continue;
        } catch (error) {
          this.#log(`streams: access check failed: ${String((error as Error)?.message ?? error)}`);
          continue;
        }
        for (const s of group) {
          s.queue.end(
            {
              kind: "end",
              error: new CodedError("You may no longer read this experiment.", "FORBIDDEN"),
            },
            { dropQueued: true },
          );
        }
      }
    }
  }
}

/** A poll row as a row of `model`'s page statements: leaf values under the model's column aliases. */
function mapToModel(row: Extract<StreamRow, { kind: "measurement" }>, model: MacroTypeModel): MeasurementRow {
  const out: MeasurementRow = { ...row.row };
  for (const [key, alias] of modelLeafKeys(model)) {
    if (key in row.values) out[alias] = row.values[key]!;
  }
  if (row.output !== null) out.__output = row.output;
  return out;
}

/** A model's leaves as (leaf key, column alias) pairs, once per model. */
function modelLeafKeys(model: MacroTypeModel): readonly (readonly [string, string])[] {
  let keys = LEAF_KEYS.get(model);
  if (!keys) {
    keys = [...modelLeaves(model)].map(
      ([field, alias]) => [leafKey(field.path, variantCastOf(field.type)), alias] as const,
    );
    LEAF_KEYS.set(model, keys);
  }
  return keys;
}
const LEAF_KEYS = new WeakMap<MacroTypeModel, readonly (readonly [string, string])[]>();

async function unsubscriber(
  result: (() => unknown) | Promise<() => unknown> | AsyncIterable<unknown>,
): Promise<() => Promise<void>> {
  const u = await result;
  return async () => {
    await (u as () => unknown)();
  };
}
