/**
 * Subscriptions to fresh data, one hub per gateway process:
 *
 * - **One poller** (`stream-poller.ts`, in the process holding the lease) reads, in ONE statement per interval, the
 *   rows committed to every watched experiment — only experiments with subscribers in some process, only the VARIANT
 *   paths they select — and publishes them as parts with their coverage ("every row of these macros in (after,
 *   upTo]") on the pub/sub seam. Nobody subscribed: no statement. A write through the gateway polls at once.
 * - **Fan-out**: every process hands published rows to its own subscribers. A subscriber advances only over parts
 *   that cover it (start at or before what it was given, for all its macros), strictly after its own position: a row
 *   arrives once even when a replay and a poll both read it, and a part it cannot use (it just joined, a message was
 *   lost) makes it "catching": its demand pulls the watermark back to its coverage and the next part covers it.
 * - **Resume**: a subscriber with `after` is registered (buffering parts) *before* its start and replay statements
 *   run, replays up to `replayLimit` rows, then continues from the buffer. Positions are in commit order
 *   (`stream-position.ts`), so rows of concurrent writers are never skipped.
 * - **Bounds and access**: a per-subscription queue (a slow consumer's stream ends with `SLOW_CONSUMER` and the last
 *   cursor it received), a cap per caller; each poll reads every watched experiment's access fingerprint, and a
 *   subscriber whose fingerprint changed is checked again (ended with `FORBIDDEN` when it may no longer read).
 */
import { EventEmitter } from "node:events";
import type { MacroTypeModel } from "../../codegen/macro-type-model.js";
import { CodedError } from "../../lakehouse/errors.js";
import type { Lakehouse, Row } from "../../lakehouse/lakehouse.js";
import { variantCastOf } from "../../lakehouse/variant-casts.js";
import type { SchemaScope } from "../access/catalog-access.js";
import type { ExperimentAccess } from "../access/experiment-access.js";
import { BadUserInputError, NotFoundError } from "../errors.js";
import { FreshRun } from "../events/fresh-run.js";
import type { AnnotationChanged, GatewayPubSub, SchemaChanged } from "../events/gateway-events.js";
import { modelLeaves } from "../measurements/measurement-selection.js";
import type { MeasurementRow, SampleRow } from "../rows.js";
import { EventQueue } from "./event-queue.js";
import { fromJsonSafe } from "./json-codec.js";
import {
  type ExperimentDemand,
  LocalStreamCoordinator,
  type MacroDemand,
  mergeDemands,
  type StreamCoordinator,
  type StreamDemand,
  type StreamReach,
} from "./stream-coordinator.js";
import { type PollMessage, readAs, type StreamPart, StreamPoller } from "./stream-poller.js";
import {
  comparePositions,
  decodeStreamCursor,
  encodePosition,
  encodeStreamCursor,
  headPosition,
  maxPosition,
  type StreamKind,
  type StreamPosition,
} from "./stream-position.js";
import {
  type LeafRequirement,
  leafKey,
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
  /** Also rows whose macro failed (measurement streams; left out by default, as on connections). */
  readonly includeErrors?: boolean;
  /** Runs before each event is handed to GraphQL execution (fresh per-event loaders). */
  readonly beforeEvent?: () => void;
  /** The access set of the caller's schema (schema streams hear only its changes, and keep it rebuilt). */
  readonly schemaScope?: SchemaScope;
}

export interface StreamHubStats {
  readonly subscriptions: number;
  readonly watchedExperiments: number;
  readonly polls: number;
  readonly rowsPublished: number;
  readonly eventsQueued: number;
  readonly slowConsumers: number;
}

interface Subscription {
  readonly kind: StreamKind | "annotations" | "schema";
  readonly experimentId: string;
  readonly access: ExperimentAccess;
  readonly caller: string;
  readonly macros: ReadonlyMap<string, MacroFollow> | null;
  readonly includeErrors: boolean;
  readonly queue: EventQueue<StreamEvent>;
  /** `starting` (parts buffer), `catching` (waits for a part that covers it), `live`. */
  state: "starting" | "catching" | "live";
  /** Where the stream started (the resume point if nothing was delivered). */
  start: StreamPosition | null;
  /** The last row queued; rows at or before it are never queued again. */
  position: StreamPosition | null;
  /** Every row of its macros up to here has been given to it. */
  covered: StreamPosition | null;
  /** The last row handed to the client (the resume point after an overflow). */
  delivered: StreamPosition | null;
  /** Parts published while the subscription was starting. */
  pending: StreamPart[];
  pendingRows: number;
  overflowed: boolean;
  /** The experiment's access fingerprint when this viewer's access was last checked. */
  meta: string | null;
  /** Schema streams: the access set whose changes they hear, and how to let go of it. */
  readonly scopeKey: string | null;
  release: (() => void) | null;
}

const DEFAULTS = { pollLimit: 5_000, replayLimit: 10_000, bufferSize: 1_000, maxPerCaller: 500 };

export class StreamHub {
  readonly #options: Required<Omit<StreamHubOptions, "coordinator" | "log">>;
  readonly #coordinator: StreamCoordinator;
  readonly #poller: StreamPoller;
  readonly #log: (message: string) => void;
  /** Experiment id ("" for schema changes) → its local subscriptions. */
  readonly #byExperiment = new Map<string, Set<Subscription>>();
  readonly #byCaller = new Map<string, number>();
  #demand: StreamDemand | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  readonly #unsubscribe: (() => Promise<void>)[] = [];
  readonly #polls = new FreshRun(() => this.#poll());
  #stats = { polls: 0, rowsPublished: 0, eventsQueued: 0, slowConsumers: 0 };
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
    this.#poller = new StreamPoller(
      options.lakehouse,
      options.pubsub,
      this.#coordinator,
      this.#options.pollLimit,
    );
    this.#log = options.log ?? (() => undefined);
  }

  /** Listens to the pub/sub seam and starts the poll timer. */
  async start(): Promise<void> {
    const { pubsub } = this.#options;
    this.#unsubscribe.push(
      await unsubscriber(pubsub.subscribe("stream.rows", (message) => this.#fanOut(message.poll))),
      await unsubscriber(pubsub.subscribe("annotation.changed", (change) => this.#annotation(change))),
      await unsubscriber(pubsub.subscribe("schema.changed", (change) => this.#schema(change))),
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
      for (const s of set) if (s.state !== "starting") subscriptions++;
    return { ...this.#stats, subscriptions, watchedExperiments: this.#byExperiment.size };
  }

  /**
   * Opens a stream: checks the cursor and access, registers (so live parts buffer), replays after the cursor,
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
      includeErrors: input.includeErrors ?? false,
      queue: new EventQueue<StreamEvent>(
        this.#options.bufferSize,
        () => this.#remove(sub),
        (event) => {
          if (event.kind === "measurement" || event.kind === "sample") sub.delivered = event.position;
          input.beforeEvent?.();
        },
      ),
      state: "starting",
      start: null,
      position: null,
      covered: null,
      delivered: null,
      pending: [],
      pendingRows: 0,
      overflowed: false,
      meta: null,
      scopeKey: input.schemaScope?.key ?? null,
      release: null,
    };
    this.#add(sub);
    if (input.kind === "schema") {
      sub.release = input.schemaScope?.retain() ?? null;
      return this.#started(sub, "live");
    }
    try {
      const [standing] = await readAs<StreamStart>(
        this.#options.lakehouse,
        "stream-start",
        startStatement(input.access, input.experimentId),
      );
      if (!standing || !input.access.mayRead(standing)) {
        throw new NotFoundError(`No experiment with id ${JSON.stringify(input.experimentId)}.`);
      }
      sub.meta = standing.meta;
      if (!dataKind) return this.#started(sub, "live");
      const head = headPosition(
        dataKind === "measurements" ? standing.head_measurements : standing.head_samples,
      );
      if (after && comparePositions(after, head) > 0) {
        throw new BadUserInputError(
          "The cursor is ahead of this experiment's stream: resume with a cursor this subscription delivered.",
          { argument: "after" },
        );
      }
      const start = after ?? head;
      let position = start;
      if (after) {
        for (const row of await this.#replay(sub, dataKind, after)) {
          position = row.position;
          if (wants(sub, row)) sub.queue.push(this.#event(sub, row), { force: true });
        }
      }
      sub.start = start;
      sub.position = position;
      // The replay read at or after the start statement's snapshot: every row up to that head is given.
      sub.covered = maxPosition(position, head);
      sub.delivered = start;
      const pending = sub.pending;
      sub.pending = [];
      sub.state = "catching";
      if (sub.overflowed) this.#overflow(sub);
      else for (const part of pending) this.#apply(sub, part);
      return this.#started(sub, sub.state);
    } catch (error) {
      sub.queue.return();
      throw error;
    }
  }

  #started(sub: Subscription, state: Subscription["state"]): AsyncIterableIterator<StreamEvent> {
    sub.state = state;
    this.#demand = null;
    this.events.emit("started", sub.kind);
    return sub.queue;
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
      total: limit + 1,
    };
    if (plan.measurements.length === 0 && plan.samples.length === 0) return [];
    const { statement, columns } = pollStatement(plan);
    const rows = readPoll(
      plan,
      columns,
      await readAs<Row>(this.#options.lakehouse, "stream-start", statement),
    ).rows;
    if (rows.length > limit) {
      throw new CodedError(
        `More than ${limit} rows arrived after this cursor: query the data first, then subscribe with the stream head as \`after\`.`,
        "CURSOR_TOO_OLD",
        { limit },
      );
    }
    return [...rows].sort((a, b) => comparePositions(a.position, b.position));
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
    sub.release?.();
    const count = (this.#byCaller.get(sub.caller) ?? 1) - 1;
    if (count <= 0) this.#byCaller.delete(sub.caller);
    else this.#byCaller.set(sub.caller, count);
    this.#demand = null;
    this.events.emit("ended", sub.kind);
  }

  /** This process's demand: what its started subscriptions follow, and how far each has been given its rows. */
  #localDemand(): StreamDemand {
    if (this.#demand) return this.#demand;
    // One demand per started subscription, merged (earliest reach, union of macros and paths). An annotation
    // subscriber alone adds an empty demand: its experiment's access fingerprint is still read.
    const demands: StreamDemand[] = [];
    for (const [experimentId, subs] of this.#byExperiment) {
      if (experimentId === "") continue; // schema changes: nothing to poll
      for (const sub of subs) {
        if (sub.state === "starting") continue;
        const covered = sub.covered ? encodePosition(sub.covered) : null;
        const reach: StreamReach | null = covered
          ? sub.state === "catching"
            ? { from: covered, live: null }
            : { from: null, live: covered }
          : null;
        const macros: Record<string, MacroDemand> = {};
        for (const [file, follow] of sub.macros ?? [])
          macros[file] = { leaves: follow.leaves, output: follow.output };
        const demand: ExperimentDemand = {
          macros,
          measurements: sub.kind === "measurements" ? reach : null,
          samples: sub.kind === "samples" ? reach : null,
        };
        demands.push({ [experimentId]: demand });
      }
    }
    this.#demand = mergeDemands(demands);
    return this.#demand;
  }

  async #poll(): Promise<number> {
    if (this.#stopped) return 0;
    const outcome = await this.#poller.poll(this.#localDemand());
    if (!outcome) return 0;
    this.#stats.polls++;
    this.#stats.rowsPublished += outcome.rows;
    if (outcome.truncated) setImmediate(() => void this.poll().catch(() => undefined));
    this.events.emit("polled", { rows: outcome.rows, statementMs: outcome.statementMs });
    return outcome.rows;
  }

  #fanOut(published: unknown): void {
    const message = fromJsonSafe(published) as PollMessage;
    for (const part of message.parts) {
      const subs = this.#byExperiment.get(part.experimentId);
      for (const sub of subs ?? []) if (sub.kind === part.kind) this.#offer(sub, part);
    }
    for (const [experimentId, meta] of Object.entries(message.meta)) {
      const changed = [...(this.#byExperiment.get(experimentId) ?? [])].filter(
        (s) => s.state !== "starting" && s.meta !== meta,
      );
      if (changed.length) void this.#recheck(experimentId, changed);
    }
  }

  #offer(sub: Subscription, part: StreamPart): void {
    if (sub.queue.closed) return;
    if (sub.state === "starting") {
      sub.pending.push(part);
      sub.pendingRows += part.rows.length;
      if (sub.pendingRows > this.#options.bufferSize) sub.overflowed = true;
      return;
    }
    this.#apply(sub, part);
  }

  /**
   * Takes a part's rows if the part covers the subscriber: it starts at or before what the subscriber was given, and
   * has all its macros with every path it selects (a poll planned before it joined may lack them).
   */
  #apply(sub: Subscription, part: StreamPart): void {
    if (sub.queue.closed || !sub.covered || !sub.position) return;
    const covers =
      comparePositions(part.after, sub.covered) <= 0 &&
      (part.kind === "samples" || carries(part, sub.macros));
    if (!covers) {
      if (sub.state === "live") {
        sub.state = "catching";
        this.#demand = null;
      }
      return;
    }
    for (const row of part.rows) {
      if (row.kind === "measurement" && !sub.macros?.has(row.position.file!)) continue;
      if (comparePositions(row.position, sub.position) <= 0) continue;
      sub.position = row.position;
      if (!wants(sub, row)) continue;
      this.#stats.eventsQueued++;
      if (!sub.queue.push(this.#event(sub, row))) {
        this.#overflow(sub);
        return;
      }
    }
    sub.covered = maxPosition(sub.covered, part.upTo);
    if (sub.state === "catching") {
      sub.state = "live";
      this.#demand = null;
    }
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

  /** A schema changed: heard by the subscribers of its access set (all of them when schemas are not per set). */
  #schema(change: SchemaChanged): void {
    this.#push("", "schema", { kind: "schema", change }, (sub) =>
      change.scope === undefined ? true : sub.scopeKey === change.scope,
    );
  }

  /** Queues an event without a cursor (annotations, schema changes) for the started subscriptions of a kind. */
  #push(
    experimentId: string,
    kind: Subscription["kind"],
    event: StreamEvent,
    hears: (sub: Subscription) => boolean = () => true,
  ): void {
    for (const sub of this.#byExperiment.get(experimentId) ?? []) {
      if (sub.kind !== kind || sub.state === "starting" || !hears(sub)) continue;
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

  /** The access fingerprint of an experiment moved: each viewer's standing is read again (one statement per viewer). */
  async #recheck(experimentId: string, subs: readonly Subscription[]): Promise<void> {
    const byViewer = new Map<string | null, Subscription[]>();
    for (const s of subs) {
      const list = byViewer.get(s.access.viewer.userId) ?? [];
      list.push(s);
      byViewer.set(s.access.viewer.userId, list);
    }
    for (const group of byViewer.values()) {
      const access = group[0]!.access;
      try {
        const [standing] = await readAs<StreamStart>(
          this.#options.lakehouse,
          "stream-start",
          startStatement(access, experimentId),
        );
        if (standing && access.mayRead(standing)) {
          for (const s of group) s.meta = standing.meta;
          continue;
        }
      } catch (error) {
        this.#log(`streams: access check failed: ${String((error as Error)?.message ?? error)}`);
        continue;
      }
      for (const s of group) {
        s.queue.end(
          { kind: "end", error: new CodedError("You may no longer read this experiment.", "FORBIDDEN") },
          { dropQueued: true },
        );
      }
    }
  }
}

/** Whether a part has every macro a subscriber follows, with every path it selects (looked up once per part). */
/** Whether a row in the subscriber's range is one it is given (a failed macro run only with `includeErrors`). */
function wants(sub: Subscription, row: StreamRow): boolean {
  return row.kind !== "measurement" || sub.includeErrors || row.row.macro_error == null;
}

function carries(part: StreamPart, macros: ReadonlyMap<string, MacroFollow> | null): boolean {
  let index = PART_INDEX.get(part);
  if (!index) {
    index = new Map(part.macros.map((f) => [f, new Set(part.leaves[f] ?? [])]));
    PART_INDEX.set(part, index);
  }
  for (const [file, follow] of macros ?? []) {
    const leaves = index.get(file);
    if (!leaves || (follow.output && !part.outputs.includes(file))) return false;
    for (const l of follow.leaves) if (!leaves.has(l.key)) return false;
  }
  return true;
}
const PART_INDEX = new WeakMap<StreamPart, ReadonlyMap<string, ReadonlySet<string>>>();

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
