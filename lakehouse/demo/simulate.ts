/**
 * A simulated ingest stream for the embedded lakehouse: every interval a few new samples (with their macro
 * rows, timestamps = now) land in a few active experiments — one public and one private each tick when there
 * are both — and the derived tables are refreshed for just those experiments, in one transaction per tick.
 * This is what the freshness poller and the subscriptions see arriving.
 *
 * Active experiments seeded by a demo preset continue with their own site, devices and questions; any other
 * active experiment with demo macros gets a generic temperate field site.
 */

import { runMaintenanceOn } from "../duckdb/centrum-maintenance.js";
import type { DuckDbLakehouse } from "../duckdb/duckdb-lakehouse.js";
import { CentrumLoader, type MacroDataRow, type RawSampleRow } from "../import/centrum-loader.js";
import { sql, table } from "../sql.js";
import {
  DEMO_PRESETS,
  type DemoExperiment,
  type DemoProtocol,
  type DemoQuestion,
  demoPlan,
} from "./demo-plan.js";
import { DEMO_MACROS, isDemoMacro, type MacroFilename } from "./macro-models.js";
import { deriveSeed, Rng } from "./prng.js";
import { ExperimentSampler, type SampleSink } from "./sample-generator.js";

export interface SimulationOptions {
  readonly intervalMs: number;
  readonly seed: number;
  /** Samples per experiment per tick: a random count in [1, max] (default 3). */
  readonly maxSamplesPerExperiment?: number;
  /** Experiments written per tick (default: one public and one private, sometimes one more). */
  readonly experimentsPerTick?: number;
  /** Called after each tick that wrote data (for logs and tests). */
  readonly onTick?: (tick: SimulationTick) => void;
  /** Called when a tick fails; the simulation carries on (default: a warning on stderr). */
  readonly onError?: (error: unknown) => void;
}

export interface SimulationTick {
  readonly experimentIds: readonly string[];
  readonly samples: number;
  readonly macroRows: number;
  /** The new samples' ids, per experiment. */
  readonly ids: ReadonlyMap<string, readonly bigint[]>;
  /** The processed time every row of the tick was stamped with (ms since the epoch). */
  readonly processedMs: number;
}

export interface Simulation {
  /** Stops the timer and waits for an in-flight tick to finish. */
  stop(): Promise<void>;
  /** Runs one tick now (tests), unless stopped. */
  tick(): Promise<SimulationTick | null>;
}

interface Target {
  readonly experiment: DemoExperiment;
  readonly sampler: ExperimentSampler;
}

const GENERIC_SITE: DemoExperiment["site"] = {
  place: "generic field site",
  crop: "unknown",
  utcOffsetHours: 0,
  parMax: 1600,
  parMin: 40,
  baseTemperature: 20,
  humidity: 65,
  pressure: 100.8,
  treatments: ["control", "treated"],
  genotypes: ["line A", "line B"],
};

function protocolsFor(macros: readonly MacroFilename[]): DemoProtocol[] {
  const rest = new Set(macros);
  const out: DemoProtocol[] = [];
  if (rest.has("macro_photosynthesis") && rest.has("macro_leaf_environment")) {
    out.push({
      id: "rides_2.0",
      name: "Photosynthesis RIDES 2.0",
      macros: ["macro_photosynthesis", "macro_leaf_environment"],
      weight: 3,
    });
    rest.delete("macro_photosynthesis");
    rest.delete("macro_leaf_environment");
  }
  for (const m of rest)
    out.push({ id: m.replace(/^macro_/, ""), name: DEMO_MACROS[m].name, macros: [m], weight: 1 });
  return out;
}

interface ExperimentRow {
  experiment_id: string;
  name: string;
  visibility: string;
  anonymize_contributors: boolean;
  contributors: string[] | null;
  devices: { id: string; name: string | null; firmware: string | null }[] | null;
  macros: string[] | null;
  questions: { question_label: string | null; question_text: string | null }[] | null;
}

/** Active experiments the simulation can write to, as demo experiments (plan-matched or generic). */
async function loadTargets(
  lakehouse: DuckDbLakehouse,
  seed: number,
  simulationSeed: number,
): Promise<Target[]> {
  const rows =
    await lakehouse.query<ExperimentRow>(sql`SELECT e.experiment_id, e.name, e.visibility, e.anonymize_contributors,
  (SELECT list(m.user_id ORDER BY m.user_id) FROM ${table("experiment_members")} m
    WHERE m.experiment_id = e.experiment_id AND m.role <> 'viewer') AS contributors,
  (SELECT list({'id': d.device_id, 'name': d.device_name, 'firmware': d.device_firmware} ORDER BY d.device_id)
    FROM ${table("experiment_device_data")} d WHERE d.experiment_id = e.experiment_id) AS devices,
  (SELECT list(DISTINCT x.macro_filename) FROM ${table("experiment_macros")} x
    WHERE x.experiment_id = e.experiment_id) AS macros,
  (SELECT arg_max(r.questions, r.timestamp) FROM ${table("experiment_raw_data")} r
    WHERE r.experiment_id = e.experiment_id) AS questions
FROM ${table("experiments")} e
WHERE e.status = 'active'
ORDER BY e.experiment_id`);
  const planned = new Map<string, DemoExperiment>();
  for (const preset of DEMO_PRESETS) for (const e of demoPlan(preset, seed).experiments) planned.set(e.id, e);

  const usedIds = new Set<bigint>();
  const targets: Target[] = [];
  for (const row of rows) {
    const macros = (row.macros ?? []).filter(isDemoMacro).sort();
    let experiment = planned.get(row.experiment_id);
    if (!experiment) {
      const contributors = row.contributors ?? [];
      if (macros.length === 0 || contributors.length === 0) continue;
      const devices = (row.devices ?? []).map((d, i) => ({
        id: d.id,
        name: d.name ?? d.id,
        firmware: d.firmware ?? "2.361",
        userId: contributors[i % contributors.length]!,
      }));
      if (devices.length === 0) {
        devices.push({
          id: "0f:0f:0f:0f",
          name: "MultispeQ v2.0 #0000",
          firmware: "2.361",
          userId: contributors[0]!,
        });
      }
      const questions: DemoQuestion[] = (row.questions ?? [])
        .filter((q) => q.question_label)
        .map((q) => ({
          label: q.question_label!,
          text: q.question_text ?? q.question_label!,
          answers: q.question_label === "plot" ? ["P-01", "P-02", "P-03", "P-04"] : [""],
        }));
      experiment = {
        index: -1,
        id: row.experiment_id,
        name: row.name,
        description: "",
        visibility: row.visibility === "private" ? "private" : "public",
        status: "active",
        anonymizeContributors: row.anonymize_contributors,
        createdDaysAgo: 1,
        startDaysAgo: 1,
        endDaysAgo: 0,
        samples: 0,
        members: contributors.map((userId) => ({ userId, role: "member" as const })),
        contributors,
        devices,
        protocols: protocolsFor(macros),
        questions,
        site: GENERIC_SITE,
        absorbanceV2DaysAgo: 36_500,
      };
    }
    const sampler = new ExperimentSampler(
      { experiment, userNames: new Map(), usedIds, showcase: false },
      deriveSeed(simulationSeed, experiment.id),
    );
    targets.push({ experiment, sampler });
  }
  return targets;
}

/** Picks this tick's experiments: one public and one private when both exist, sometimes one more (or `count`). */
function pickTargets(rng: Rng, targets: readonly Target[], count?: number): Target[] {
  if (count && count > 0) {
    const pool = [...targets];
    const chosen: Target[] = [];
    while (chosen.length < count && pool.length) chosen.push(pool.splice(rng.int(0, pool.length - 1), 1)[0]!);
    return chosen;
  }
  const publics = targets.filter((t) => t.experiment.visibility === "public");
  const privates = targets.filter((t) => t.experiment.visibility === "private");
  const chosen = new Set<Target>();
  if (publics.length) chosen.add(rng.pick(publics));
  if (privates.length) chosen.add(rng.pick(privates));
  if (targets.length && rng.chance(0.4)) chosen.add(rng.pick(targets));
  return [...chosen];
}

export function startSimulation(lakehouse: DuckDbLakehouse, options: SimulationOptions): Simulation {
  // Ids must not repeat across restarts with the same seed: the stream also depends on the start time.
  const simulationSeed = deriveSeed(options.seed, "simulation", Date.now());
  const rng = new Rng(simulationSeed);
  const maxSamples = Math.max(1, options.maxSamplesPerExperiment ?? 3);
  const onError = options.onError ?? ((e: unknown) => console.warn(`simulation tick failed: ${String(e)}`));
  let targets: Promise<Target[]> | null = null;
  let stopped = false;
  let inFlight: Promise<SimulationTick | null> | null = null;
  let timer: NodeJS.Timeout | null = null;

  const runTick = (): Promise<SimulationTick | null> =>
    lakehouse.statements.withOrigin("ingest", () => writeTick());
  const writeTick = async (): Promise<SimulationTick | null> => {
    targets ??= loadTargets(lakehouse, options.seed, simulationSeed);
    const all = await targets.catch((error) => {
      targets = null;
      throw error;
    });
    const chosen = pickTargets(rng, all, options.experimentsPerTick);
    if (chosen.length === 0) return null;
    // Processed "now", stamped at commit so subscribers can resume in commit order.
    return lakehouse.ingest(async (connection, stamp) => {
      const nowMs = stamp.getTime();
      const loader = await CentrumLoader.open(connection, lakehouse);
      const ids = new Map<string, bigint[]>();
      const sink: SampleSink = {
        addSample: (row: RawSampleRow) => loader.addSample(row),
        addMacroRow: (row: MacroDataRow) => loader.addMacroRow(row),
        addAnnotation: () => undefined,
      };
      for (const target of chosen) {
        const count = rng.int(1, maxSamples);
        const list: bigint[] = [];
        for (let i = 0; i < count; i++) {
          // Measured during the last interval, all processed now.
          const ts = nowMs - rng.int(0, Math.min(options.intervalMs, 60_000));
          list.push(target.sampler.emitSample(sink, ts, nowMs, nowMs));
        }
        ids.set(target.experiment.id, list);
      }
      const result = await loader.flush();
      await loader.close();
      const experimentIds = chosen.map((t) => t.experiment.id);
      await runMaintenanceOn(connection, lakehouse, { experimentIds, now: new Date(nowMs) });
      return { experimentIds, samples: result.samples, macroRows: result.macroRows, ids, processedMs: nowMs };
    });
  };

  const tick = async (): Promise<SimulationTick | null> => {
    if (stopped) return null;
    // Ticks never overlap: a tick asked for while one runs starts after it (unless stopped by then).
    const previous = inFlight;
    const run = previous ? previous.catch(() => null).then(() => (stopped ? null : runTick())) : runTick();
    inFlight = run;
    try {
      const result = await run;
      if (result) options.onTick?.(result);
      return result;
    } finally {
      if (inFlight === run) inFlight = null;
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      tick().catch(onError).finally(schedule);
    }, options.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight?.catch(() => undefined);
    },
  };
}
