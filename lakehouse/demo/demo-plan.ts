/**
 * The shape of the demo data for a preset and seed, before any sample is drawn: experiments (ids, visibility,
 * anonymization, time window, sample count), members and roles, users, devices, measurement protocols and
 * questions. Pure and cheap, so the server and tests can ask "who may read what" without touching the lakehouse.
 *
 * Every preset follows the same pattern (see `DEMO_PERSONAS`): experiment 0 is public and active, experiment 1
 * private and active, experiment 2 public with `anonymize_contributors`; Maria administers all, Jonas (member)
 * and Sofia (viewer) belong to every private experiment, Olivia to none.
 */
import { DEMO_COLLABORATORS, DEMO_PERSONAS, DEMO_USERS, type DemoUser } from "./demo-users.js";
import type { MacroFilename } from "./macro-models.js";
import { Rng } from "./prng.js";

export const DEMO_PRESETS = ["ci", "demo", "bench"] as const;
export type DemoPreset = (typeof DEMO_PRESETS)[number];

export type MemberRole = "admin" | "member" | "viewer";
export type ExperimentStatus = "active" | "stale" | "archived" | "published";

export interface DemoMember {
  readonly userId: string;
  readonly role: MemberRole;
}

/** A measurement protocol ("measurement set"): the macros run over each of its samples. */
export interface DemoProtocol {
  readonly id: string;
  readonly name: string;
  readonly macros: readonly MacroFilename[];
  readonly weight: number;
}

export interface DemoQuestion {
  readonly label: string;
  readonly text: string;
  /** Possible answers; for `plot` the answer also fixes the treatment and genotype of that plot. */
  readonly answers: readonly string[];
}

export interface DemoDevice {
  readonly id: string;
  readonly name: string;
  readonly firmware: string;
  /** Firmware after an update in the middle of the experiment (days before the anchor), if any. */
  readonly update?: { readonly firmware: string; readonly daysAgo: number };
  /** The contributor who usually carries it. */
  readonly userId: string;
}

export interface DemoSite {
  readonly place: string;
  readonly crop: string;
  /** Local time = UTC + offset (hours). */
  readonly utcOffsetHours: number;
  /** Clear-sky noon PAR at the leaf, µmol m⁻² s⁻¹ (field ≈ 2000, greenhouse ≈ 700, indoor ≈ 400). */
  readonly parMax: number;
  /** Supplementary light that keeps PAR above this (greenhouses, indoor farms). */
  readonly parMin: number;
  readonly baseTemperature: number;
  readonly humidity: number;
  readonly pressure: number;
  readonly treatments: readonly string[];
  readonly genotypes: readonly string[];
}

export interface DemoExperiment {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly visibility: "public" | "private";
  readonly status: ExperimentStatus;
  readonly anonymizeContributors: boolean;
  readonly createdDaysAgo: number;
  /** Measurements happen between these many days before the anchor (end 0 = still running). */
  readonly startDaysAgo: number;
  readonly endDaysAgo: number;
  readonly samples: number;
  readonly members: readonly DemoMember[];
  /** Members who measure (admins and members, never viewers). */
  readonly contributors: readonly string[];
  readonly devices: readonly DemoDevice[];
  readonly protocols: readonly DemoProtocol[];
  readonly questions: readonly DemoQuestion[];
  readonly site: DemoSite;
  /** `macro_absorbance` v2 (more fields) is deployed from this many days before the anchor. */
  readonly absorbanceV2DaysAgo: number;
}

export interface DemoPlan {
  readonly preset: DemoPreset;
  readonly seed: number;
  readonly experiments: readonly DemoExperiment[];
  /** The fixed demo users plus generated field assistants. */
  readonly users: readonly DemoUser[];
}

const PROTOCOLS = {
  rides: {
    id: "rides_2.0",
    name: "Photosynthesis RIDES 2.0",
    macros: ["macro_photosynthesis", "macro_leaf_environment"],
  },
  ridesOnly: { id: "rides_2.0_fast", name: "Photosynthesis RIDES (fast)", macros: ["macro_photosynthesis"] },
  spad: { id: "leaf_chlorophyll", name: "Leaf Chlorophyll (SPAD)", macros: ["macro_spad"] },
  absorbance: { id: "leaf_absorbance", name: "Leaf Absorbance", macros: ["macro_absorbance"] },
  pam: { id: "pam_quick", name: "PAM Quick (dark adapted)", macros: ["macro_pam_quick"] },
  panel: {
    id: "full_panel",
    name: "Full Leaf Panel",
    macros: ["macro_photosynthesis", "macro_leaf_environment", "macro_spad"],
  },
} as const satisfies Record<string, Omit<DemoProtocol, "weight">>;

type ProtocolKey = keyof typeof PROTOCOLS;

interface Template {
  readonly name: string;
  readonly description: string;
  readonly site: DemoSite;
  readonly protocols: readonly [ProtocolKey, number][];
  readonly extraQuestions?: readonly DemoQuestion[];
}

const NOTES = [
  "",
  "",
  "",
  "",
  "leaf slightly wet",
  "cloud passing",
  "insect damage",
  "edge plant",
  "re-measured",
];

const TEMPLATES: readonly Template[] = [
  {
    name: "Maize drought tolerance",
    description:
      "Drought versus well-watered maize hybrids; photosynthesis and leaf temperature through the season.",
    site: {
      place: "Wageningen, NL",
      crop: "maize",
      utcOffsetHours: 1,
      parMax: 1750,
      parMin: 0,
      baseTemperature: 19,
      humidity: 70,
      pressure: 101.2,
      treatments: ["control", "drought"],
      genotypes: ["B73", "Mo17", "W22", "PH207"],
    },
    protocols: [
      ["rides", 6],
      ["spad", 2],
      ["pam", 1],
    ],
  },
  {
    name: "Tomato greenhouse LED lighting",
    description: "Three supplementary light spectra in a Venlo greenhouse; light use and leaf optics.",
    site: {
      place: "Bleiswijk, NL",
      crop: "tomato",
      utcOffsetHours: 1,
      parMax: 700,
      parMin: 160,
      baseTemperature: 22,
      humidity: 78,
      pressure: 101.4,
      treatments: ["HPS", "white LED", "red:blue 3:1"],
      genotypes: ["Merlice", "Moneymaker"],
    },
    protocols: [
      ["rides", 5],
      ["absorbance", 3],
      ["pam", 2],
    ],
  },
  {
    name: "Cassava smallholder survey",
    description: "Farmer fields across southwest Nigeria; leaf chlorophyll and PSII efficiency by landrace.",
    site: {
      place: "Ibadan, NG",
      crop: "cassava",
      utcOffsetHours: 1,
      parMax: 2050,
      parMin: 0,
      baseTemperature: 27,
      humidity: 76,
      pressure: 98.9,
      treatments: ["farmer practice"],
      genotypes: ["TME 419", "TMS 30572", "local landrace"],
    },
    protocols: [
      ["spad", 3],
      ["pam", 2],
      ["rides", 3],
    ],
    extraQuestions: [
      { label: "farm", text: "Farm code", answers: ["OY-01", "OY-02", "OG-07", "OS-11", "OS-12"] },
    ],
  },
  {
    name: "Wheat cultivar screen 2025",
    description: "Sixteen bread wheat cultivars under two nitrogen rates; archived after harvest.",
    site: {
      place: "Xinxiang, CN",
      crop: "wheat",
      utcOffsetHours: 8,
      parMax: 1850,
      parMin: 0,
      baseTemperature: 17,
      humidity: 55,
      pressure: 100.6,
      treatments: ["N120", "N240"],
      genotypes: ["Zhoumai 18", "Jimai 22", "Aikang 58", "Bainong 207"],
    },
    protocols: [
      ["ridesOnly", 4],
      ["absorbance", 2],
    ],
  },
  {
    name: "Soybean canopy light profile",
    description: "Top, middle and bottom canopy leaves of soybean; how shading changes NPQ.",
    site: {
      place: "East Lansing, US",
      crop: "soybean",
      utcOffsetHours: -5,
      parMax: 1950,
      parMin: 0,
      baseTemperature: 22,
      humidity: 62,
      pressure: 98.7,
      treatments: ["narrow rows", "wide rows"],
      genotypes: ["Williams 82", "OAC Bayfield"],
    },
    protocols: [["rides", 1]],
    extraQuestions: [{ label: "canopy_layer", text: "Canopy layer", answers: ["top", "middle", "bottom"] }],
  },
  {
    name: "Rice heat stress",
    description: "Paddy rice under ambient and +3 °C open-top chambers.",
    site: {
      place: "Los Baños, PH",
      crop: "rice",
      utcOffsetHours: 8,
      parMax: 2000,
      parMin: 0,
      baseTemperature: 29,
      humidity: 80,
      pressure: 100.9,
      treatments: ["ambient", "+3 °C"],
      genotypes: ["IR64", "N22", "Nipponbare"],
    },
    protocols: [
      ["rides", 4],
      ["pam", 2],
    ],
  },
  {
    name: "Common bean NPQ diurnal course",
    description: "Hourly measurements of bean leaves from dawn to dusk.",
    site: {
      place: "Kumasi, GH",
      crop: "common bean",
      utcOffsetHours: 0,
      parMax: 1900,
      parMin: 0,
      baseTemperature: 26,
      humidity: 74,
      pressure: 99.3,
      treatments: ["rainfed"],
      genotypes: ["Calima", "Jesca"],
    },
    protocols: [
      ["rides", 3],
      ["spad", 1],
    ],
  },
  {
    name: "Sorghum nitrogen trial",
    description: "Sorghum at three nitrogen rates; chlorophyll and photosynthesis.",
    site: {
      place: "Patancheru, IN",
      crop: "sorghum",
      utcOffsetHours: 5.5,
      parMax: 2100,
      parMin: 0,
      baseTemperature: 28,
      humidity: 50,
      pressure: 94.5,
      treatments: ["N0", "N60", "N120"],
      genotypes: ["CSH 16", "M 35-1"],
    },
    protocols: [
      ["panel", 3],
      ["spad", 2],
    ],
  },
  {
    name: "Potato late blight recovery",
    description: "Photosynthetic recovery of potato leaves after fungicide treatment.",
    site: {
      place: "Lima, PE",
      crop: "potato",
      utcOffsetHours: -5,
      parMax: 1650,
      parMin: 0,
      baseTemperature: 16,
      humidity: 82,
      pressure: 100.1,
      treatments: ["untreated", "fungicide"],
      genotypes: ["Yungay", "Canchán", "Amarilis"],
    },
    protocols: [
      ["rides", 2],
      ["absorbance", 1],
      ["spad", 1],
    ],
  },
  {
    name: "Coffee shade systems",
    description: "Arabica coffee under full sun, Inga shade and mixed shade.",
    site: {
      place: "Chiapas, MX",
      crop: "coffee",
      utcOffsetHours: -6,
      parMax: 1600,
      parMin: 0,
      baseTemperature: 21,
      humidity: 72,
      pressure: 88.5,
      treatments: ["full sun", "Inga shade", "mixed shade"],
      genotypes: ["Typica", "Caturra"],
    },
    protocols: [
      ["rides", 3],
      ["pam", 1],
    ],
  },
  {
    name: "Lettuce vertical farm",
    description: "Indoor lettuce under two photoperiods; low, constant light.",
    site: {
      place: "Delft, NL",
      crop: "lettuce",
      utcOffsetHours: 1,
      parMax: 380,
      parMin: 250,
      baseTemperature: 21,
      humidity: 68,
      pressure: 101.5,
      treatments: ["16 h", "20 h"],
      genotypes: ["Lollo Rosso", "Batavia"],
    },
    protocols: [
      ["ridesOnly", 2],
      ["spad", 1],
      ["absorbance", 1],
    ],
  },
  {
    name: "Barley teaching lab (class of 2026)",
    description: "Students measure barley seedlings in class; contributors are anonymized.",
    site: {
      place: "Copenhagen, DK",
      crop: "barley",
      utcOffsetHours: 1,
      parMax: 900,
      parMin: 120,
      baseTemperature: 20,
      humidity: 55,
      pressure: 101.3,
      treatments: ["control", "salt"],
      genotypes: ["Golden Promise", "Morex"],
    },
    protocols: [
      ["rides", 2],
      ["pam", 1],
    ],
  },
];

/** Per index in the preset: visibility, status, anonymization, time window (days before anchor). */
interface Shape {
  readonly visibility: "public" | "private";
  readonly status: ExperimentStatus;
  readonly anonymize: boolean;
  readonly start: number;
  readonly end: number;
}

const SHAPES: readonly Shape[] = [
  { visibility: "public", status: "active", anonymize: false, start: 88, end: 0 },
  { visibility: "private", status: "active", anonymize: false, start: 75, end: 0 },
  { visibility: "public", status: "published", anonymize: true, start: 90, end: 12 },
  { visibility: "private", status: "archived", anonymize: false, start: 90, end: 40 },
  { visibility: "public", status: "active", anonymize: false, start: 60, end: 0 },
  { visibility: "private", status: "active", anonymize: true, start: 45, end: 0 },
  { visibility: "public", status: "stale", anonymize: false, start: 85, end: 30 },
  { visibility: "private", status: "active", anonymize: false, start: 30, end: 0 },
  { visibility: "public", status: "published", anonymize: false, start: 80, end: 20 },
  { visibility: "private", status: "active", anonymize: false, start: 21, end: 1 },
  { visibility: "public", status: "active", anonymize: false, start: 14, end: 0 },
  { visibility: "public", status: "active", anonymize: true, start: 50, end: 2 },
];

const CI_SAMPLES = [90, 80, 70, 60];
const DEMO_SAMPLES = [5200, 3800, 2600, 1800, 3100, 1500, 1200, 2400, 2000, 2800, 1400, 900];
/** The bench preset: 24 experiments, enough samples for ≥ 1,000,000 macro rows. */
const BENCH_EXPERIMENTS = 24;
const BENCH_MACRO_ROWS = 1_080_000;

const FIRST_NAMES = [
  "Ana",
  "Kofi",
  "Lena",
  "Ravi",
  "Mei",
  "Tomás",
  "Aisha",
  "Pieter",
  "Yuki",
  "Grace",
  "Omar",
  "Ines",
];
const LAST_NAMES = [
  "Alvarez",
  "Boateng",
  "Visser",
  "Kumar",
  "Chen",
  "Silva",
  "Bello",
  "de Vries",
  "Sato",
  "Mwangi",
];

function expectedMacrosPerSample(protocols: readonly DemoProtocol[]): number {
  const total = protocols.reduce((a, p) => a + p.weight, 0);
  return protocols.reduce((a, p) => a + (p.weight / total) * p.macros.length, 0);
}

function hexPair(rng: Rng): string {
  return rng.int(0, 255).toString(16).padStart(2, "0");
}

function experimentCount(preset: DemoPreset): number {
  return preset === "ci" ? 4 : preset === "demo" ? 12 : BENCH_EXPERIMENTS;
}

/** The plan of a preset and seed (deterministic). */
export function demoPlan(preset: DemoPreset, seed: number): DemoPlan {
  const users: DemoUser[] = [...DEMO_USERS];
  const experiments: DemoExperiment[] = [];
  const count = experimentCount(preset);
  for (let index = 0; index < count; index++) {
    const rng = Rng.derive(seed, preset, "experiment", index);
    const template = TEMPLATES[index % TEMPLATES.length]!;
    const shape = SHAPES[index % SHAPES.length]!;
    const replicate = Math.floor(index / TEMPLATES.length);
    const id = rng.uuid();
    const name = replicate === 0 ? template.name : `${template.name} (site ${replicate + 1})`;

    // Members: Maria admin everywhere; Jonas member and Sofia viewer of every private experiment.
    const members: DemoMember[] = [{ userId: DEMO_PERSONAS.admin.id, role: "admin" }];
    if (shape.visibility === "private") {
      members.push({ userId: DEMO_PERSONAS.member.id, role: "member" });
      members.push({ userId: DEMO_PERSONAS.viewer.id, role: "viewer" });
    } else if (index % 2 === 0) {
      members.push({ userId: DEMO_PERSONAS.member.id, role: "member" });
    }
    const collaborators = rng.shuffle(DEMO_COLLABORATORS).slice(0, preset === "ci" ? 1 : rng.int(1, 3));
    collaborators.forEach((u, i) => {
      members.push({ userId: u.id, role: i === 0 && index % 3 === 1 ? "admin" : "member" });
    });
    const assistants = preset === "ci" ? 1 : rng.int(1, 3);
    for (let i = 0; i < assistants; i++) {
      const first = rng.pick(FIRST_NAMES);
      const last = rng.pick(LAST_NAMES);
      const assistant: DemoUser = {
        id: rng.uuid(),
        firstName: first,
        lastName: last,
        email:
          `${first}.${last}`
            .toLowerCase()
            .replaceAll(" ", "")
            .normalize("NFD")
            .replace(/[^\x20-\x7e]/g, "") + `.${index + 1}${i + 1}@example.org`,
        organization: template.site.place,
        description: `field assistant in "${template.name}"`,
      };
      users.push(assistant);
      members.push({ userId: assistant.id, role: "member" });
    }
    const contributors = members.filter((m) => m.role !== "viewer").map((m) => m.userId);

    const protocols: DemoProtocol[] = template.protocols.map(([key, weight]) => ({
      ...PROTOCOLS[key],
      weight,
    }));
    // The ci preset must show every macro (the schema tests look for each): add what the template lacks.
    if (preset === "ci" && index === 1) protocols.push({ ...PROTOCOLS.spad, weight: 1 });
    if (preset === "ci" && index === 0) protocols.push({ ...PROTOCOLS.absorbance, weight: 1 });
    if (preset === "bench") protocols.splice(0, protocols.length, { ...PROTOCOLS.panel, weight: 1 });

    const deviceCount = preset === "ci" ? 2 : rng.int(2, 5);
    const devices: DemoDevice[] = [];
    for (let i = 0; i < deviceCount; i++) {
      const serial = rng.int(100, 2999);
      const firmware = rng.pick(["2.345", "2.347", "2.350"]);
      devices.push({
        id: `${hexPair(rng)}:${hexPair(rng)}:${hexPair(rng)}:${hexPair(rng)}`,
        name: `MultispeQ v2.0 #${String(serial).padStart(4, "0")}`,
        firmware,
        update:
          i === 0 && shape.start - shape.end > 10
            ? { firmware: "2.361", daysAgo: Math.round((shape.start + shape.end) / 2) }
            : undefined,
        userId: contributors[i % contributors.length]!,
      });
    }

    const questions: DemoQuestion[] = [
      {
        label: "plot",
        text: "Plot number",
        answers: Array.from(
          { length: preset === "ci" ? 6 : 24 },
          (_, i) => `P-${String(i + 1).padStart(2, "0")}`,
        ),
      },
      { label: "treatment", text: "Treatment", answers: template.site.treatments },
      { label: "genotype", text: "Genotype / cultivar", answers: template.site.genotypes },
      ...(template.extraQuestions ?? []),
      { label: "notes", text: "Notes", answers: NOTES },
    ];

    let samples: number;
    if (preset === "ci") samples = CI_SAMPLES[index] ?? 60;
    else if (preset === "demo") samples = DEMO_SAMPLES[index] ?? 1500;
    else samples = Math.ceil(BENCH_MACRO_ROWS / BENCH_EXPERIMENTS / expectedMacrosPerSample(protocols));

    experiments.push({
      index,
      id,
      name,
      description: `${template.description} (${template.site.place})`,
      visibility: shape.visibility,
      status: shape.status,
      anonymizeContributors: shape.anonymize,
      createdDaysAgo: shape.start + rng.int(1, 6),
      startDaysAgo: shape.start,
      endDaysAgo: shape.end,
      samples,
      members,
      contributors,
      devices,
      protocols,
      questions,
      site: template.site,
      absorbanceV2DaysAgo: Math.round(shape.end + (shape.start - shape.end) * 0.4),
    });
  }
  return { preset, seed, experiments, users };
}

/** The role of `userId` in the experiment, or null for non-members. */
export function roleIn(experiment: DemoExperiment, userId: string): MemberRole | null {
  return experiment.members.find((m) => m.userId === userId)?.role ?? null;
}

/**
 * Experiments that play a known part in every preset, for tests and examples: read `publicActive` anonymously,
 * `privateActive` as the member persona (an outsider must get "not found"), `anonymized` to check hidden names.
 */
export function demoCases(plan: DemoPlan): {
  readonly publicActive: DemoExperiment;
  readonly privateActive: DemoExperiment;
  readonly anonymized: DemoExperiment;
} {
  const find = (predicate: (e: DemoExperiment) => boolean, what: string) => {
    const found = plan.experiments.find(predicate);
    if (!found) throw new Error(`the ${plan.preset} plan has no ${what} experiment`);
    return found;
  };
  return {
    publicActive: find((e) => e.visibility === "public" && e.status === "active", "public active"),
    privateActive: find((e) => e.visibility === "private" && e.status === "active", "private active"),
    anonymized: find((e) => e.anonymizeContributors, "anonymized"),
  };
}
