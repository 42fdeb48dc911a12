/**
 * Output models of the demo macros, after MultispeQ protocols. Each model turns the conditions of one
 * measurement into the JSON object its macro would return; values are physically plausible and correlated
 * (Phi2 + PhiNPQ + PhiNO ≈ 1, light drives NPQ and lowers Phi2, drought warms the leaf), so charts look real.
 *
 * Two models exercise schema evolution on purpose:
 * - `macro_absorbance` gained `absorbance_730` and a `detector` object in version 2 (rows after the cut-over);
 * - `macro_pam_quick` reports `Fs` as a number, or the string "saturated" when the detector clipped,
 *   so its aggregated schema type is VARIANT.
 */
import { clamp, type Rng, round } from "./prng.js";

export const MACRO_FILENAMES = [
  "macro_photosynthesis",
  "macro_leaf_environment",
  "macro_spad",
  "macro_absorbance",
  "macro_pam_quick",
] as const;
export type MacroFilename = (typeof MACRO_FILENAMES)[number];

export interface MacroDefinition {
  readonly id: string;
  readonly name: string;
  readonly filename: MacroFilename;
}

export const DEMO_MACROS: Readonly<Record<MacroFilename, MacroDefinition>> = {
  macro_photosynthesis: {
    id: "7c1e0d2a-3b4f-4a6e-8d10-2f5c9e7a0001",
    name: "Photosynthesis RIDES",
    filename: "macro_photosynthesis",
  },
  macro_leaf_environment: {
    id: "7c1e0d2a-3b4f-4a6e-8d10-2f5c9e7a0002",
    name: "Leaf Temperature & Environment",
    filename: "macro_leaf_environment",
  },
  macro_spad: {
    id: "7c1e0d2a-3b4f-4a6e-8d10-2f5c9e7a0003",
    name: "Leaf Chlorophyll (SPAD)",
    filename: "macro_spad",
  },
  macro_absorbance: {
    id: "7c1e0d2a-3b4f-4a6e-8d10-2f5c9e7a0004",
    name: "Leaf Absorbance",
    filename: "macro_absorbance",
  },
  macro_pam_quick: {
    id: "7c1e0d2a-3b4f-4a6e-8d10-2f5c9e7a0005",
    name: "PAM Quick (Fv/Fm)",
    filename: "macro_pam_quick",
  },
};

export function isDemoMacro(filename: string): filename is MacroFilename {
  return (MACRO_FILENAMES as readonly string[]).includes(filename);
}

/** The conditions of one measurement, shared by every macro run over the same sample. */
export interface MeasurementConditions {
  /** Photosynthetically active radiation at the leaf, µmol m⁻² s⁻¹. */
  readonly par: number;
  readonly ambientTemperature: number;
  readonly leafTemperature: number;
  /** Relative humidity, %. */
  readonly humidity: number;
  /** Air pressure, kPa. */
  readonly pressure: number;
  /** 0 (well watered) … 1 (severe drought/heat stress). */
  readonly stress: number;
  /** SPAD-like relative chlorophyll of the plant. */
  readonly chlorophyll: number;
  /** Leaf thickness, mm. */
  readonly thickness: number;
  /** The absorbance macro's version 2 is deployed when this sample was processed. */
  readonly absorbanceV2: boolean;
  /** A bad clamp or a damaged leaf: the values are off (and often flagged). */
  readonly outlier: boolean;
}

export type MacroOutput = Record<string, unknown>;

export interface ModelOptions {
  /**
   * The first run of a macro in an experiment shows every shape its output can take (a message in each list,
   * `Fs` as "saturated"), so each experiment's aggregated schema is complete even with few samples.
   */
  readonly showcase?: boolean;
}

function fluorescenceTrace(rng: Rng, fs: number, fmPrime: number, points: number): number[] {
  // Steady state, a saturating pulse (rise, plateau), then relaxation back towards Fs.
  const trace: number[] = [];
  for (let i = 0; i < points; i++) {
    const x = i / (points - 1);
    let level: number;
    if (x < 0.2) level = fs;
    else if (x < 0.3) level = fs + (fmPrime - fs) * ((x - 0.2) / 0.1);
    else if (x < 0.6) level = fmPrime * (1 - 0.02 * ((x - 0.3) / 0.3));
    else level = fs + (fmPrime * 0.98 - fs) * Math.exp(-(x - 0.6) * 12);
    trace.push(round(level + rng.normal(0, fs * 0.008), 1));
  }
  return trace;
}

function photosynthesis(rng: Rng, c: MeasurementConditions, o: ModelOptions): MacroOutput {
  const light = c.par / (c.par + 550);
  let phi2 = clamp(0.79 - 0.56 * light - 0.14 * c.stress + rng.normal(0, 0.025), 0.04, 0.83);
  if (c.outlier) phi2 = clamp(phi2 * rng.uniform(0.15, 0.45), 0.01, 0.83);
  const phiNo = clamp(0.17 + 0.06 * c.stress + 0.03 * light + rng.normal(0, 0.015), 0.07, 0.4);
  const phiNpq = Math.max(0.0001, 1 - phi2 - phiNo);
  const fvpFmp = clamp(0.81 - 0.3 * light - 0.08 * c.stress + rng.normal(0, 0.015), 0.3, 0.84);
  const qL = clamp(0.86 - 0.55 * (c.par / (c.par + 900)) + rng.normal(0, 0.035), 0.03, 0.97);
  const lef = phi2 * c.par * 0.84 * 0.5;
  const ecst = clamp(
    0.0009 + 0.0000018 * c.par * (1 - 0.4 * c.stress) + rng.normal(0, 0.00015),
    0.0001,
    0.006,
  );
  const vH = clamp(lef * 0.00011 + rng.normal(0, 0.002), 0.0001, 0.2);
  const fs = clamp(6500 - 2500 * light + rng.normal(0, 300), 800, 20000);
  const fmPrime = fs / Math.max(0.05, 1 - phi2);

  const info: string[] = [];
  const warning: string[] = [];
  const danger: string[] = [];
  if (rng.chance(0.12)) info.push(rng.pick(INFO_MESSAGES));
  if (c.leafTemperature - c.ambientTemperature > 4)
    warning.push("Leaf is much warmer than the air: check stomata.");
  if (c.par > 1700 && rng.chance(0.5)) warning.push("Very high light: NPQ may be underestimated.");
  if (c.outlier || rng.chance(0.004)) danger.push(rng.pick(DANGER_MESSAGES));
  if (o.showcase) {
    if (!info.length) info.push(INFO_MESSAGES[0] as string);
    if (!warning.length) warning.push("Ambient light changed during the measurement.");
    if (!danger.length) danger.push(DANGER_MESSAGES[0] as string);
  }

  return {
    Phi2: round(phi2, 4),
    PhiNPQ: round(phiNpq, 4),
    PhiNO: round(phiNo, 4),
    NPQt: round(phiNpq / phiNo, 3),
    qL: round(qL, 4),
    LEF: round(lef, 2),
    "FvP/FmP": round(fvpFmp, 4),
    "Light Intensity (PAR)": round(c.par, 1),
    "Leaf Temperature": round(c.leafTemperature, 2),
    "Relative Chlorophyll": round(c.chlorophyll + rng.normal(0, 1.8), 2),
    "vH+": round(vH, 5),
    "gH+": round(vH / ecst, 2),
    ECSt: round(ecst, 6),
    messages: { info, warning, danger },
    fluorescence_trace: fluorescenceTrace(rng, fs, fmPrime, 32),
  };
}

const INFO_MESSAGES = [
  "Ambient light sensor used for PAR.",
  "Measurement repeated once after clamp adjustment.",
  "Device battery below 30 %.",
] as const;

const DANGER_MESSAGES = [
  "Clamp was not closed completely: repeat the measurement.",
  "Detector saturated during the pulse.",
  "Leaf moved during the measurement.",
] as const;

function leafEnvironment(rng: Rng, c: MeasurementConditions): MacroOutput {
  const leaf = c.leafTemperature + rng.normal(0, 0.15);
  const ambient = c.ambientTemperature + rng.normal(0, 0.1);
  return {
    "Leaf Temperature": round(leaf, 2),
    "Ambient Temperature": round(ambient, 2),
    "Ambient Humidity": round(clamp(c.humidity + rng.normal(0, 0.8), 5, 99.5), 2),
    "Leaf Temperature Differential": round(leaf - ambient, 2),
    Pressure: round(c.pressure + rng.normal(0, 0.03), 3),
  };
}

function spad(rng: Rng, c: MeasurementConditions): MacroOutput {
  const value = clamp(c.chlorophyll + rng.normal(0, 1.2) - (c.outlier ? rng.uniform(10, 20) : 0), 3, 75);
  return {
    SPAD: round(value, 2),
    "Relative Chlorophyll": round(value * 0.97 + rng.normal(0, 0.6), 2),
    Thickness: round(clamp(c.thickness + rng.normal(0, 0.02), 0.08, 0.9), 3),
  };
}

function absorbance(rng: Rng, c: MeasurementConditions): MacroOutput {
  const chl = c.chlorophyll / 45;
  const a = (base: number, k: number) => round(clamp(base + k * chl + rng.normal(0, 0.02), 0.01, 3), 4);
  const out: MacroOutput = {
    absorbance_530: a(0.35, 0.55),
    absorbance_605: a(0.25, 0.45),
    absorbance_650: a(0.3, 0.75),
    absorbance_850: a(0.12, 0.05),
    absorbance_940: a(0.1, 0.04),
  };
  if (c.absorbanceV2) {
    out.absorbance_730 = a(0.15, 0.2);
    out.detector = {
      gain: round(rng.uniform(0.97, 1.04), 4),
      temperature: round(c.ambientTemperature + rng.uniform(2, 6), 2),
      firmware_calibration: "2024-11",
    };
  }
  return out;
}

function pamQuick(rng: Rng, c: MeasurementConditions, o: ModelOptions): MacroOutput {
  const fo = clamp(rng.normal(420, 35), 200, 900);
  const fvFm = clamp(0.82 - 0.18 * c.stress + rng.normal(0, 0.015) - (c.outlier ? 0.3 : 0), 0.2, 0.86);
  const fm = fo / (1 - fvFm);
  const fs = clamp(fo * rng.uniform(1.05, 1.6), fo, fm);
  const saturated = (c.par > 1500 ? rng.chance(0.15) : rng.chance(0.03)) || o.showcase === true;
  return {
    Fo: round(fo, 1),
    Fm: round(fm, 1),
    Fs: saturated ? "saturated" : round(fs, 1),
    "Fv/Fm": round(fvFm, 4),
    Phi2: round(clamp((fm - fs) / fm + rng.normal(0, 0.01), 0.02, 0.84), 4),
  };
}

/** Runs the demo model of `filename` under conditions `c`. */
export function runMacroModel(
  filename: MacroFilename,
  rng: Rng,
  c: MeasurementConditions,
  options: ModelOptions = {},
): MacroOutput {
  switch (filename) {
    case "macro_photosynthesis":
      return photosynthesis(rng, c, options);
    case "macro_leaf_environment":
      return leafEnvironment(rng, c);
    case "macro_spad":
      return spad(rng, c);
    case "macro_absorbance":
      return absorbance(rng, c);
    case "macro_pam_quick":
      return pamQuick(rng, c, options);
  }
}

/** Error texts of failed macro runs (the row keeps the error and an empty or NULL output). */
export const MACRO_ERRORS = [
  "TypeError: Cannot read properties of undefined (reading 'data_raw')",
  "MacroTimeoutError: the macro did not finish within 5000 ms",
  "RangeError: trace too short for the saturating pulse (expected 32 points)",
  "ValueError: division by zero in Fm' estimate",
] as const;
