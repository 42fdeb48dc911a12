/**
 * Draws the samples of one demo experiment: timestamps over its window with a diurnal rhythm, the device and
 * contributor of each, answers to the experiment's questions, the MultispeQ-like raw sample JSON, one macro row
 * per macro of the chosen protocol (a few failed), and a sprinkling of annotations (outliers get flagged).
 *
 * One PRNG stream per experiment, so an experiment's data does not depend on the others, and rows are emitted
 * in time order to a sink (the bulk loader), so even the bench preset never holds everything in memory.
 */
import type { MacroDataRow, RawSampleRow } from "../import/centrum-loader.js";
import type { DemoExperiment, DemoProtocol, DemoQuestion } from "./demo-plan.js";
import { DEMO_MACROS, MACRO_ERRORS, type MeasurementConditions, runMacroModel } from "./macro-models.js";
import { clamp, Rng, round } from "./prng.js";

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

export interface DemoAnnotation {
  readonly experimentId: string;
  readonly annotationId: string;
  /** 'sample' or a macro filename. */
  readonly tableName: string;
  readonly rowId: bigint;
  readonly type: "comment" | "flag";
  readonly contentText: string | null;
  readonly flagType: "outlier" | "needs_review" | null;
  readonly createdBy: string;
  readonly createdByName: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export interface SampleSink {
  addSample(row: RawSampleRow): void;
  addMacroRow(row: MacroDataRow): void;
  addAnnotation(annotation: DemoAnnotation): void;
}

/** What the generator needs to know about the experiment's world (from the plan, or from the lakehouse). */
export interface GeneratorContext {
  readonly experiment: DemoExperiment;
  /** user id → display name, for annotation authors. */
  readonly userNames: ReadonlyMap<string, string>;
  /** Row ids already used (shared across experiments: ids are unique in the whole lakehouse). */
  readonly usedIds: Set<bigint>;
  /** The first run of each macro shows every output shape (default true; the live simulation turns it off). */
  readonly showcase?: boolean;
}

const COMMENTS = [
  "Leaf was wet from irrigation.",
  "Re-measured after recalibrating the clamp.",
  "Plant looks chlorotic — check nitrogen.",
  "Measured in the shade of the neighbouring row.",
  "Insect damage on the leaf blade.",
  "Good reference measurement.",
] as const;

const FLAG_REASONS = ["Value far outside the plot's range.", "Clamp may have slipped.", null] as const;

/**
 * Per-experiment state that persists across samples (day weather, plot traits).
 *
 * Two PRNG streams: `structure` decides ids, protocols, devices, failures, outliers and which rows get
 * annotated; `values` draws timestamps and measured values. Timestamps depend on the anchor (weekdays), so
 * keeping them apart means the same seed gives the same ids and row counts whatever the anchor.
 */
export class ExperimentSampler {
  readonly #rng: Rng;
  readonly #structure: Rng;
  readonly #days = new Map<
    number,
    { cloud: number; temperature: number; humidity: number; pressure: number }
  >();
  readonly #plots = new Map<
    string,
    { treatment: string; genotype: string; chlorophyll: number; thickness: number }
  >();
  readonly #showcased = new Set<string>();
  readonly #protocolTexts = new Map<string, { measurementSets: string; macros: string }>();
  #weights: number[] | undefined;
  readonly #questionsByLabel: ReadonlyMap<string, DemoQuestion>;

  constructor(
    private readonly ctx: GeneratorContext,
    seed: number,
  ) {
    this.#rng = Rng.derive(seed, "values", ctx.experiment.id);
    this.#structure = Rng.derive(seed, "structure", ctx.experiment.id);
    this.#questionsByLabel = new Map(ctx.experiment.questions.map((q) => [q.label, q]));
  }

  get rng(): Rng {
    return this.#rng;
  }

  get #protocolWeights(): number[] {
    this.#weights ??= this.ctx.experiment.protocols.map((p) => p.weight);
    return this.#weights;
  }

  #protocolJson(protocol: DemoProtocol): { measurementSets: string; macros: string } {
    let json = this.#protocolTexts.get(protocol.id);
    if (!json) {
      json = {
        measurementSets: JSON.stringify([protocol.name]),
        macros: JSON.stringify(
          protocol.macros.map((f) => ({ id: DEMO_MACROS[f].id, name: DEMO_MACROS[f].name, filename: f })),
        ),
      };
      this.#protocolTexts.set(protocol.id, json);
    }
    return json;
  }

  #uniqueId(): bigint {
    for (;;) {
      const id = this.#structure.rowId();
      if (!this.ctx.usedIds.has(id)) {
        this.ctx.usedIds.add(id);
        return id;
      }
    }
  }

  #day(dayIndex: number) {
    let day = this.#days.get(dayIndex);
    if (!day) {
      const rng = this.#rng;
      day = {
        cloud: rng.chance(0.3) ? rng.uniform(0.25, 0.7) : rng.uniform(0.85, 1),
        temperature: rng.normal(0, 2.2),
        humidity: rng.normal(0, 6),
        pressure: rng.normal(0, 0.6),
      };
      this.#days.set(dayIndex, day);
    }
    return day;
  }

  #plot(answer: string) {
    let plot = this.#plots.get(answer);
    if (!plot) {
      const site = this.ctx.experiment.site;
      const n = this.#plots.size;
      plot = {
        treatment: site.treatments[n % site.treatments.length]!,
        genotype: site.genotypes[Math.floor(n / site.treatments.length) % site.genotypes.length]!,
        chlorophyll: this.#rng.normal(44, 4),
        thickness: this.#rng.uniform(0.2, 0.38),
      };
      this.#plots.set(answer, plot);
    }
    return plot;
  }

  /** Draws `count` timestamps (epoch ms, ascending) within the experiment's window before `anchorMs`. */
  drawTimestamps(count: number, anchorMs: number): number[] {
    const e = this.ctx.experiment;
    const rng = this.#rng;
    const offsetMs = e.site.utcOffsetHours * MS_PER_HOUR;
    // Local midnight of the anchor's local day, as a UTC instant.
    const localAnchor = anchorMs + offsetMs;
    const todayStart = localAnchor - (((localAnchor % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) - offsetMs;
    const days: number[] = [];
    for (let d = e.endDaysAgo; d <= e.startDaysAgo; d++) {
      const weekday = new Date(todayStart - d * MS_PER_DAY + offsetMs).getUTCDay();
      const weekend = weekday === 0 || weekday === 6;
      if (d === e.endDaysAgo || rng.chance(weekend ? 0.25 : 0.8)) days.push(d);
    }
    const out: number[] = [];
    const latest = anchorMs - 5 * 60_000;
    while (out.length < count) {
      const d = rng.pick(days);
      // Field work clusters mid-morning and early afternoon (local 7:00–18:30).
      const hour = clamp(rng.chance(0.6) ? rng.normal(10.5, 1.6) : rng.normal(14.5, 1.8), 7, 18.5);
      let ts = todayStart - d * MS_PER_DAY + Math.round(hour * MS_PER_HOUR);
      if (ts > latest) ts -= MS_PER_DAY;
      out.push(ts);
    }
    return out.sort((a, b) => a - b);
  }

  #conditions(
    tsMs: number,
    anchorMs: number,
    answers: ReadonlyMap<string, string>,
    outlier: boolean,
  ): MeasurementConditions {
    const e = this.ctx.experiment;
    const site = e.site;
    const rng = this.#rng;
    const local = tsMs + site.utcOffsetHours * MS_PER_HOUR;
    const dayIndex = Math.floor(local / MS_PER_DAY);
    const hour = (((local % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / MS_PER_HOUR;
    const day = this.#day(dayIndex);
    const plot = this.#plot(answers.get("plot") ?? "P-00");

    const solar = Math.max(0, Math.sin((Math.PI * (hour - 6)) / 13));
    const layer = answers.get("canopy_layer");
    const shading = layer === "bottom" ? 0.18 : layer === "middle" ? 0.5 : 1;
    const par = Math.max(
      site.parMin * rng.uniform(0.9, 1.1),
      site.parMax * solar * day.cloud * shading * rng.uniform(0.75, 1.05) + rng.uniform(2, 12),
    );
    const progress = clamp(
      (e.startDaysAgo - (anchorMs - tsMs) / MS_PER_DAY) / Math.max(1, e.startDaysAgo),
      0,
      1,
    );
    const ambient =
      site.baseTemperature + day.temperature + 6 * Math.sin((Math.PI * (hour - 8)) / 12) + 1.5 * progress;
    const stressed = /drought|salt|heat|\+3|N0|untreated/.test(plot.treatment);
    const stress = clamp((stressed ? 0.25 + 0.5 * progress : 0.04) + Math.max(0, ambient - 31) / 12, 0, 1);
    const leafTemperature =
      ambient - 1.2 + 0.0022 * par + 4.5 * stress * (par / 2000) + rng.normal(0, 0.35) + (stressed ? 0.6 : 0);
    return {
      par,
      ambientTemperature: ambient,
      leafTemperature,
      humidity: clamp(site.humidity + day.humidity - 1.4 * (ambient - site.baseTemperature), 12, 99),
      pressure: site.pressure + day.pressure,
      stress,
      chlorophyll: clamp(plot.chlorophyll - 9 * stress + rng.normal(0, 1.5), 8, 70),
      thickness: plot.thickness,
      absorbanceV2: tsMs >= anchorMs - e.absorbanceV2DaysAgo * MS_PER_DAY,
      outlier,
    };
  }

  #answers(): Map<string, string> {
    const rng = this.#rng;
    const answers = new Map<string, string>();
    const plotQuestion = this.#questionsByLabel.get("plot");
    const plot = plotQuestion ? rng.pick(plotQuestion.answers) : "P-00";
    const traits = this.#plot(plot);
    for (const q of this.ctx.experiment.questions) {
      if (q.label === "plot") answers.set(q.label, plot);
      else if (q.label === "treatment") answers.set(q.label, traits.treatment);
      else if (q.label === "genotype") answers.set(q.label, traits.genotype);
      else answers.set(q.label, rng.pick(q.answers));
    }
    return answers;
  }

  #annotate(
    sink: SampleSink,
    tableName: string,
    rowId: bigint,
    tsMs: number,
    anchorMs: number,
    flag: boolean,
  ) {
    const e = this.ctx.experiment;
    const rng = this.#rng;
    const author = rng.pick(e.contributors);
    const createdAtMs = Math.min(anchorMs, tsMs + rng.int(10 * 60_000, 3 * MS_PER_DAY));
    const edited = rng.chance(0.2);
    const type = flag || rng.chance(0.35) ? "flag" : "comment";
    sink.addAnnotation({
      experimentId: e.id,
      annotationId: rng.uuid(),
      tableName,
      rowId,
      type,
      contentText: type === "comment" ? rng.pick(COMMENTS) : rng.pick(FLAG_REASONS),
      flagType: type === "flag" ? (flag || rng.chance(0.5) ? "outlier" : "needs_review") : null,
      createdBy: author,
      createdByName: this.ctx.userNames.get(author) ?? author,
      createdAtMs,
      updatedAtMs: edited ? Math.min(anchorMs, createdAtMs + rng.int(60_000, 2 * MS_PER_DAY)) : createdAtMs,
    });
  }

  /**
   * One sample at `tsMs` with its macro rows (and maybe annotations), written to `sink`.
   * `anchorMs` bounds processing and annotation times (nothing is later than the anchor).
   */
  emitSample(sink: SampleSink, tsMs: number, anchorMs: number, processedMs?: number): bigint {
    const e = this.ctx.experiment;
    const rng = this.#rng;
    const plan = this.#structure;
    const id = this.#uniqueId();
    const protocol: DemoProtocol = plan.weighted(e.protocols, this.#protocolWeights);
    let device = plan.pick(e.devices);
    const sameUser = plan.chance(0.85);
    const userId = sameUser ? device.userId : plan.pick(e.contributors);
    if (!sameUser) device = e.devices.find((d) => d.userId === userId) ?? device;
    const firmware =
      device.update && tsMs >= anchorMs - device.update.daysAgo * MS_PER_DAY
        ? device.update.firmware
        : device.firmware;
    const answers = this.#answers();
    const c = this.#conditions(tsMs, anchorMs, answers, plan.chance(0.004));
    // Uploads usually follow within minutes; sometimes the phone syncs hours later.
    const processed =
      processedMs ??
      Math.min(
        anchorMs,
        tsMs + (rng.chance(0.85) ? rng.int(20_000, 15 * 60_000) : rng.int(MS_PER_HOUR, 8 * MS_PER_HOUR)),
      );
    const tsMicros = BigInt(tsMs) * 1000n;
    const processedMicros = BigInt(processed) * 1000n;

    const questionsJson = JSON.stringify(
      e.questions.map((q) => ({
        question_label: q.label,
        question_text: q.text,
        question_answer: answers.get(q.label) ?? "",
      })),
    );
    const macros = protocol.macros.map((f) => DEMO_MACROS[f]);
    const refs = this.#protocolJson(protocol);
    const rawTrace: number[] = [];
    const baseline = rng.int(900, 1400);
    for (let i = 0; i < 16; i++)
      rawTrace.push(baseline + Math.round(rng.normal(0, 25)) + (i >= 4 && i < 8 ? 9000 : 0));
    const sample = JSON.stringify({
      device_name: device.name,
      device_version: "2.0",
      device_id: device.id,
      device_battery: rng.int(18, 100),
      device_firmware: firmware,
      time: tsMs,
      measurement_sets: [protocol.name],
      macros: protocol.macros,
      sample: [
        {
          protocol_id: protocol.id,
          label: protocol.name,
          set_repeats: 1,
          light_intensity: round(c.par * rng.uniform(0.97, 1.03), 1),
          temperature: round(c.ambientTemperature, 2),
          humidity: round(c.humidity, 2),
          pressure: round(c.pressure, 3),
          contactless_temp: round(c.leafTemperature, 2),
          r: rng.int(20, 255),
          g: rng.int(20, 255),
          b: rng.int(20, 255),
          data_raw: rawTrace,
        },
      ],
    });

    sink.addSample({
      experimentId: e.id,
      id,
      deviceId: device.id,
      deviceName: device.name,
      timestampMicros: tsMicros,
      sample,
      measurementSetsJson: refs.measurementSets,
      questionsJson,
      macrosJson: refs.macros,
      userId,
      processedMicros,
    });
    if (plan.chance(0.008)) this.#annotate(sink, "sample", id, tsMs, anchorMs, false);

    for (const macro of macros) {
      const showcase = this.ctx.showcase !== false && !this.#showcased.has(macro.filename);
      this.#showcased.add(macro.filename);
      const failed = plan.chance(0.012) && !showcase;
      const output = failed ? null : runMacroModel(macro.filename, rng, c, { showcase });
      sink.addMacroRow({
        experimentId: e.id,
        macroId: macro.id,
        macroName: macro.name,
        macroFilename: macro.filename,
        id,
        deviceId: device.id,
        deviceName: device.name,
        timestampMicros: tsMicros,
        userId,
        questionsJson,
        outputJson: output ? JSON.stringify(output) : rng.chance(0.3) ? "{}" : null,
        error: failed ? rng.pick(MACRO_ERRORS) : null,
        processedMicros,
      });
      const flagOutlier = plan.chance(0.6) && c.outlier && macro.filename !== "macro_leaf_environment";
      if (plan.chance(0.005) || flagOutlier)
        this.#annotate(sink, macro.filename, id, tsMs, anchorMs, flagOutlier);
    }
    return id;
  }
}

/** Emits every sample of the plan's experiment, in time order. */
export function generateExperiment(
  ctx: GeneratorContext,
  seed: number,
  anchorMs: number,
  sink: SampleSink,
): number {
  const sampler = new ExperimentSampler(ctx, seed);
  const timestamps = sampler.drawTimestamps(ctx.experiment.samples, anchorMs);
  for (const ts of timestamps) sampler.emitSample(sink, ts, anchorMs);
  return timestamps.length;
}
