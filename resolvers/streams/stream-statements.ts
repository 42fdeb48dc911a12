/**
 * The statements behind subscriptions, each one statement whatever the number of subscribers:
 *
 * - **poll**: for every watched experiment, the rows committed after its watermark — macro rows per followed
 *   macro (projecting the union of the VARIANT paths its subscribers select, each try-cast as in page queries), raw
 *   samples, and a fingerprint of each experiment's visibility and members (so a stream ends when access ends):
 *   one `UNION ALL` of per-macro branches, each ordered by position and bounded.
 *   `SELECT * FROM (SELECT 'm' AS __kind, …, <paths> FROM experiment_macro_data d WHERE d.macro_filename = :m AND
 *   ((d.experiment_id = :e1 AND <after w1>) OR …) ORDER BY __pos, id LIMIT :n) UNION ALL … samples … meta …`
 * - **replay**: the same statement for one subscriber's experiment and macros, after its cursor;
 * - **start**: the viewer's standing in the experiment plus the head positions of both streams.
 *
 * Positions come from `Dialect.commitPosition` (commit order on both lakehouses).
 */
import type { Dialect } from "../../lakehouse/dialect.js";
import type { Row, RowValue } from "../../lakehouse/lakehouse.js";
import { committedTable, dialectSql, ident, join, type Sql, sql, table } from "../../lakehouse/sql.js";
import type { FieldCast } from "../../lakehouse/variant-casts.js";
import type { ExperimentAccess } from "../access/experiment-access.js";
import { BASE_COLUMNS } from "../measurements/compile-measurement-page.js";
import { baseColumn, type MeasurementRow, type SampleRow } from "../rows.js";
import type { StreamPosition } from "./stream-position.js";

/** One VARIANT path a subscriber's selection reads, keyed independently of any schema version. */
export interface LeafRequirement {
  readonly key: string;
  readonly path: readonly string[];
  readonly cast: FieldCast;
}

export function leafKey(path: readonly string[], cast: FieldCast): string {
  return JSON.stringify([path, cast]);
}

export interface MacroBranch {
  readonly macroFilename: string;
  /** The union of the paths the macro's subscribers select. */
  readonly leaves: readonly LeafRequirement[];
  /** Whether any subscriber selects the whole `output`. */
  readonly output: boolean;
  readonly experiments: readonly { readonly experimentId: string; readonly after: StreamPosition }[];
}

export interface PollPlan {
  readonly measurements: readonly MacroBranch[];
  readonly samples: readonly { readonly experimentId: string; readonly after: StreamPosition }[];
  /** Experiments whose access fingerprint to read. */
  readonly meta: readonly string[];
  /** Rows per branch; a full branch is continued by the next poll. */
  readonly limit: number;
  /** Rows in all (a replay): the first `total` in position order. */
  readonly total?: number;
}

/** A new row as the poll returns it: its kind, experiment, position and columns (leaf values keyed by leaf key). */
export type StreamRow =
  | {
      readonly kind: "measurement";
      readonly experimentId: string;
      readonly position: StreamPosition;
      readonly row: MeasurementRow;
      /** Leaf values by `leafKey`, and the whole output (JSON text) when selected. */
      readonly values: Readonly<Record<string, RowValue>>;
      readonly output: string | null;
    }
  | {
      readonly kind: "sample";
      readonly experimentId: string;
      readonly position: StreamPosition;
      readonly row: SampleRow;
    };

export interface PollResult {
  /** New rows of each branch in position order. */
  readonly rows: readonly StreamRow[];
  /** Per macro branch (by filename) and for samples (""), whether the branch hit the limit, and where it stopped. */
  readonly truncated: ReadonlyMap<string, StreamPosition>;
  readonly meta: ReadonlyMap<string, string>;
}

/** The base columns of a measurement row after its key (`experiment_id`, `id` come first in every branch). */
const MEASUREMENT_COLUMNS = BASE_COLUMNS.filter((c) => c !== "experiment_id" && c !== "id");
const SAMPLE_ONLY_COLUMNS = ["sample", "measurement_sets", "macros"] as const;

/** The predicate "row after `w`" for rows of one macro (or samples: file ""), with `pos` the position expression. */
function afterPredicate(pos: Sql, id: Sql, file: string, w: StreamPosition): Sql {
  if (w.file === null || w.id === null || file < w.file) return sql`${pos} > ${w.pos}`;
  if (file > w.file) return sql`${pos} >= ${w.pos}`;
  return sql`(${pos} > ${w.pos} OR (${pos} = ${w.pos} AND ${id} > ${w.id}))`;
}

function leafValue(leaf: LeafRequirement): Sql {
  const column = ident("d", "macro_output");
  return dialectSql((d: Dialect) =>
    leaf.cast === "json" ? d.variantJson(column, leaf.path) : d.variantGet(column, leaf.path, leaf.cast),
  );
}

const NULL = sql`NULL`;

/**
 * What decides who may read an experiment (`e`): its visibility and its members. The poll reads it for every watched
 * experiment and the start statement for one; a change ends the streams of viewers who lost access.
 */
const ACCESS_FINGERPRINT = sql`concat_ws('|', ${ident("e", "visibility")},
      CAST((SELECT count(*) FROM ${table("experiment_members")} x WHERE x.experiment_id = e.experiment_id) AS STRING),
      CAST((SELECT sum(hash(x.user_id, x.role)) FROM ${table("experiment_members")} x WHERE x.experiment_id = e.experiment_id) AS STRING))`;

/** Builds the poll (or replay) statement; columns are the same in every branch (NULL where a branch has none). */
export function pollStatement(plan: PollPlan): { statement: Sql; columns: BranchColumns } {
  // Leaf columns: one per (macro, leaf), named s<n>; output columns o<n>.
  const columns = new Map<string, { leaves: string[]; output: string | null }>();
  const extra: string[] = [];
  for (const b of plan.measurements) {
    const leaves = b.leaves.map(() => {
      const name = `s${extra.length}`;
      extra.push(name);
      return name;
    });
    let output: string | null = null;
    if (b.output) {
      output = `o${extra.length}`;
      extra.push(output);
    }
    columns.set(b.macroFilename, { leaves, output });
  }
  const pos = dialectSql((d) => d.commitPosition("d"));
  const extraNulls = (own: ReadonlyMap<string, Sql>) =>
    extra.map((name) => sql`${own.get(name) ?? NULL} AS ${ident(name)}`);
  const branches: Sql[] = [];

  for (const b of plan.measurements) {
    if (b.experiments.length === 0) continue;
    const own = new Map<string, Sql>();
    const names = columns.get(b.macroFilename)!;
    b.leaves.forEach((leaf, i) => {
      own.set(names.leaves[i]!, leafValue(leaf));
    });
    const out = names.output;
    if (out)
      own.set(
        out,
        dialectSql((d) => d.variantJson(ident("d", "macro_output"), [])),
      );
    const experiments = b.experiments.map(
      (e) =>
        sql`(${ident("d", "experiment_id")} = ${e.experimentId} AND ${afterPredicate(pos, ident("d", "id"), b.macroFilename, e.after)})`,
    );
    branches.push(sql`SELECT * FROM (SELECT 'm' AS ${ident("__kind")}, ${ident("d", "experiment_id")}, ${pos} AS ${ident("__pos")},
      ${ident("d", "id")}, ${join(MEASUREMENT_COLUMNS.map((c) => baseColumn(c, "d")))},
      ${join(SAMPLE_ONLY_COLUMNS.map((c) => sql`${NULL} AS ${ident(c)}`))}, ${NULL} AS ${ident("__meta")}${
        extra.length ? sql`, ${join(extraNulls(own))}` : sql``
      }
      FROM ${committedTable("experiment_macro_data")} d
      WHERE ${ident("d", "macro_filename")} = ${b.macroFilename} AND (${join(experiments, " OR ")})
      ORDER BY ${ident("__pos")}, ${ident("d", "id")} LIMIT ${plan.limit}) AS ${ident(`b${branches.length}`)}`);
  }

  if (plan.samples.length) {
    const experiments = plan.samples.map(
      (e) =>
        sql`(${ident("d", "experiment_id")} = ${e.experimentId} AND ${afterPredicate(pos, ident("d", "id"), "", e.after)})`,
    );
    const measurementOnly = MEASUREMENT_COLUMNS.map((c) =>
      c === "macro_filename" || c === "macro_name" || c === "macro_error"
        ? sql`${NULL} AS ${ident(c)}`
        : baseColumn(c, "d"),
    );
    branches.push(sql`SELECT * FROM (SELECT 's' AS ${ident("__kind")}, ${ident("d", "experiment_id")}, ${pos} AS ${ident("__pos")},
      ${ident("d", "id")}, ${join(measurementOnly)}, ${join(SAMPLE_ONLY_COLUMNS.map((c) => baseColumn(c, "d")))},
      ${NULL} AS ${ident("__meta")}${extra.length ? sql`, ${join(extraNulls(new Map()))}` : sql``}
      FROM ${committedTable("experiment_raw_data")} d
      WHERE ${join(experiments, " OR ")}
      ORDER BY ${ident("__pos")}, ${ident("d", "id")} LIMIT ${plan.limit}) AS ${ident(`b${branches.length}`)}`);
  }

  if (plan.meta.length) {
    const nulls = [...MEASUREMENT_COLUMNS, ...SAMPLE_ONLY_COLUMNS].map((c) => sql`${NULL} AS ${ident(c)}`);
    branches.push(sql`SELECT 'a' AS ${ident("__kind")}, ${ident("e", "experiment_id")}, ${NULL} AS ${ident("__pos")},
      ${NULL} AS ${ident("id")}, ${join(nulls)}, ${ACCESS_FINGERPRINT} AS ${ident("__meta")}${
        extra.length ? sql`, ${join(extraNulls(new Map()))}` : sql``
      }
      FROM ${table("experiments")} e WHERE ${ident("e", "experiment_id")} IN (${join(plan.meta.map((id) => sql`${id}`))})`);
  }
  if (branches.length === 0) throw new Error("an empty poll plan has no statement");
  const union = join(branches, " UNION ALL ");
  const statement =
    plan.total === undefined
      ? union
      : sql`SELECT * FROM (${union}) AS ${ident("u")} ORDER BY ${ident("__pos")}, ${ident("macro_filename")}, ${ident("id")} LIMIT ${plan.total}`;
  return { statement, columns };
}

/** The columns of each macro branch: leaf values in `leaves` order, and the whole output. */
export type BranchColumns = ReadonlyMap<
  string,
  { readonly leaves: readonly string[]; readonly output: string | null }
>;

type PollRow = Row & { __kind: string; experiment_id: string; __pos: bigint | null; id: bigint | null };

/** Reads a poll statement's rows back into stream rows (per branch in position order) and access fingerprints. */
export function readPoll(plan: PollPlan, columns: BranchColumns, rows: readonly Row[]): PollResult {
  const branches = new Map(plan.measurements.map((b) => [b.macroFilename, b]));
  const out: StreamRow[] = [];
  const counts = new Map<string, number>();
  const last = new Map<string, StreamPosition>();
  const meta = new Map<string, string>();
  for (const raw of rows as PollRow[]) {
    if (raw.__kind === "a") {
      meta.set(raw.experiment_id, String(raw.__meta));
      continue;
    }
    const file = raw.__kind === "m" ? String(raw.macro_filename) : "";
    const position: StreamPosition = { pos: raw.__pos!, file, id: raw.id! };
    counts.set(file, (counts.get(file) ?? 0) + 1);
    last.set(file, position);
    if (raw.__kind === "s") {
      const row: SampleRow = {
        experiment_id: raw.experiment_id,
        id: raw.id!,
        device_id: raw.device_id as string | null,
        device_name: raw.device_name as string | null,
        timestamp: raw.timestamp as string | null,
        user_id: raw.user_id as string | null,
        sample: raw.sample as string | null,
        measurement_sets: raw.measurement_sets as string[] | null,
        questions: raw.questions as SampleRow["questions"],
        macros: raw.macros as SampleRow["macros"],
        processed_timestamp: raw.processed_timestamp as string | null,
      };
      out.push({ kind: "sample", experimentId: raw.experiment_id, position, row });
      continue;
    }
    const branch = branches.get(file);
    const values: Record<string, RowValue> = {};
    const names = columns.get(file);
    branch?.leaves.forEach((leaf, i) => {
      values[leaf.key] = raw[names!.leaves[i]!] ?? null;
    });
    const outputName = names?.output ?? null;
    const row: MeasurementRow = {
      experiment_id: raw.experiment_id,
      macro_filename: file,
      macro_name: String(raw.macro_name),
      id: raw.id!,
      timestamp: raw.timestamp as string | null,
      device_id: raw.device_id as string | null,
      device_name: raw.device_name as string | null,
      user_id: raw.user_id as string | null,
      macro_error: raw.macro_error as string | null,
      questions: raw.questions ?? null,
      processed_timestamp: raw.processed_timestamp ?? null,
    };
    out.push({
      kind: "measurement",
      experimentId: raw.experiment_id,
      position,
      row,
      values,
      output: outputName && raw[outputName] != null ? String(raw[outputName]) : null,
    });
  }
  const truncated = new Map<string, StreamPosition>();
  for (const [file, n] of counts) if (n >= plan.limit) truncated.set(file, last.get(file)!);
  return { rows: out, truncated, meta };
}

export interface StreamStart {
  readonly experiment_id: string;
  readonly visibility: string;
  readonly anonymize_contributors: boolean;
  readonly role: "admin" | "member" | "viewer" | null;
  readonly head_measurements: bigint | null;
  readonly head_samples: bigint | null;
  /** The access fingerprint the poll compares (see ACCESS_FINGERPRINT). */
  readonly meta: string | null;
}

/** One statement: the viewer's standing in the experiment and the head positions of its two streams. */
export function startStatement(access: ExperimentAccess, experimentId: string): Sql {
  const head = (t: "experiment_macro_data" | "experiment_raw_data") =>
    sql`(SELECT max(${dialectSql((d) => d.commitPosition("d"))}) FROM ${committedTable(t)} d WHERE d.experiment_id = s.experiment_id)`;
  return sql`SELECT s.*, ${head("experiment_macro_data")} AS head_measurements, ${head("experiment_raw_data")} AS head_samples,
      (SELECT ${ACCESS_FINGERPRINT} FROM ${table("experiments")} e WHERE e.experiment_id = s.experiment_id) AS meta
    FROM (${access.standingStatement(experimentId)}) s`;
}
