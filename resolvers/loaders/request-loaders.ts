/**
 * Per-request dataloaders: every relation costs one batched statement per tick, whatever the page size.
 * Composite keys are batched as `experiment_id IN (…) AND key IN (…)` and matched in memory — dialect-neutral and
 * at most one over-fetch of a few rows per experiment.
 */
import DataLoader from "dataloader";
import type { Lakehouse } from "../../lakehouse/lakehouse.js";
import { dialectSql, ident, inValues, join, type Sql, sql, table } from "../../lakehouse/sql.js";
import type { ExperimentAccess } from "../access/experiment-access.js";
import { unlessAnonymized } from "../contributors/anonymize.js";
import {
  BASE_COLUMNS as MEASUREMENT_BASE_COLUMNS,
  OUTPUT_ALIAS,
} from "../measurements/compile-measurement-page.js";
import { baseColumn, type MeasurementRow, type SampleRow } from "../rows.js";

export interface ExperimentRow {
  experiment_id: string;
  name: string;
  description: string | null;
  visibility: string;
  status: string;
  anonymize_contributors: boolean;
  created_at: string;
}

export interface DeviceRow {
  experiment_id: string;
  device_id: string;
  device_name: string | null;
  device_firmware: string | null;
  first_seen: string | null;
  last_seen: string | null;
  total_measurements: bigint | null;
}

export interface ContributorRow {
  experiment_id: string;
  user_id: string;
  anonymized: boolean;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  organization: string | null;
  first_contribution: string | null;
  last_contribution: string | null;
  total_contributions: bigint | null;
}

export interface MacroInfoRow {
  experiment_id: string;
  macro_name: string;
  macro_filename: string;
  first_seen: string | null;
  last_seen: string | null;
  sample_count: bigint | null;
  output_schema: string | null;
}

export interface StatusRow {
  experiment_id: string;
  latest_timestamp: string | null;
  latest_processed_timestamp: string | null;
  status: string | null;
  status_updated_at: string | null;
}

export interface AnnotationRow {
  experiment_id: string;
  annotation_id: string;
  table_name: string;
  row_id: string;
  type: string;
  content_text: string | null;
  flag_type: string | null;
  created_by: string;
  created_by_name: string | null;
  anonymized: boolean;
  created_at: string;
  updated_at: string;
}

export interface AnnotationKey {
  readonly experimentId: string;
  /** 'sample' or a macro filename. */
  readonly tableName: string;
  readonly rowId: string;
}

const EXPERIMENT_COLUMNS = sql`experiment_id, name, description, visibility, status, anonymize_contributors, created_at`;

/** A relation's columns as (name, expression) pairs: one list serves its loader and the header prefetch. */
export type RelationColumns = readonly (readonly [string, Sql])[];

const columnsOf = (alias: string, names: readonly string[]): RelationColumns =>
  names.map((n) => [n, ident(alias, n)] as const);

export function selectList(columns: RelationColumns): Sql {
  return join(columns.map(([name, expr]) => sql`${expr} AS ${ident(name)}`));
}

export const DEVICE_COLUMNS = (d: string): RelationColumns =>
  columnsOf(d, [
    "experiment_id",
    "device_id",
    "device_name",
    "device_firmware",
    "first_seen",
    "last_seen",
    "total_measurements",
  ]);

/**
 * Contributors, with personal data replaced by NULL at the source: names when the experiment (alias `e`)
 * anonymizes; email and organization unless the viewer administers the experiment (openJII's contributors API
 * shows others only id, names and avatar) — and never when it anonymizes.
 */
export const CONTRIBUTOR_COLUMNS = (c: string, e: string, access: ExperimentAccess): RelationColumns => {
  const anonymized = ident(e, "anonymize_contributors");
  const hidden = sql`(${anonymized} OR NOT (${access.hasRole(ident(e, "experiment_id"), ["admin"])}))`;
  return [
    ["experiment_id", ident(c, "experiment_id")],
    ["user_id", ident(c, "user_id")],
    ["anonymized", anonymized],
    ["first_name", unlessAnonymized(anonymized, ident(c, "first_name"))],
    ["last_name", unlessAnonymized(anonymized, ident(c, "last_name"))],
    ["email", unlessAnonymized(hidden, ident(c, "email"))],
    ["organization", unlessAnonymized(hidden, ident(c, "organization"))],
    ...columnsOf(c, ["first_contribution", "last_contribution", "total_contributions"]),
  ];
};

export const MACRO_INFO_COLUMNS = (m: string): RelationColumns =>
  columnsOf(m, [
    "experiment_id",
    "macro_name",
    "macro_filename",
    "first_seen",
    "last_seen",
    "sample_count",
    "output_schema",
  ]);

export const STATUS_COLUMNS = (s: string): RelationColumns =>
  columnsOf(s, [
    "experiment_id",
    "latest_timestamp",
    "latest_processed_timestamp",
    "status",
    "status_updated_at",
  ]);

/** Orders of relation lists (applied in memory too, for lists prefetched by aggregation). */
export const sortDevices = (rows: DeviceRow[]) =>
  rows.sort((a, b) => cmp(a.device_name, b.device_name) || cmp(a.device_id, b.device_id));
export const sortContributors = (rows: ContributorRow[]) =>
  rows.sort(
    (a, b) =>
      Number((b.total_contributions ?? 0n) - (a.total_contributions ?? 0n)) || cmp(a.user_id, b.user_id),
  );
export const sortMacros = (rows: MacroInfoRow[]) =>
  rows.sort((a, b) => cmp(a.macro_name, b.macro_name) || cmp(a.macro_filename, b.macro_filename));

function cmp(a: string | null, b: string | null): number {
  return (a ?? "") < (b ?? "") ? -1 : (a ?? "") > (b ?? "") ? 1 : 0;
}

function inList(values: readonly string[]): Sql {
  return join(values.map((v) => sql`${v}`));
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

function groupBy<R>(rows: readonly R[], key: (row: R) => string): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

const compositeKey = (parts: readonly string[]) => JSON.stringify(parts);

/** A macro row's base columns and its whole output as JSON (`m`: `experiment_macro_data`). */
const WHOLE_MEASUREMENT = sql`${join(MEASUREMENT_BASE_COLUMNS.map((c) => baseColumn(c, "m")))},
  ${dialectSql((d) => d.variantJson(ident("m", "macro_output"), []))} AS ${ident(OUTPUT_ALIAS)}`;
/** A macro's failed runs in one experiment. */
export interface MacroErrors {
  readonly count: number;
  /** The most frequent messages, most frequent first (at most `MAX_TOP_ERRORS`). */
  readonly top: readonly { readonly message: string; readonly count: number }[];
}

export const MAX_TOP_ERRORS = 10;
export const NO_MACRO_ERRORS: MacroErrors = Object.freeze({ count: 0, top: [] });

const byCountThenMessage = (a: { message: string; count: number }, b: { message: string; count: number }) =>
  b.count - a.count || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);

const same = (id: string) => id;
const byExperiment = (r: { experiment_id: string }) => r.experiment_id;

/** A batch's answer when each key names at most one row: each key's row, or null. */
function oneEach<K, R>(
  keys: readonly K[],
  rows: Iterable<R>,
  rowKey: (r: R) => string,
  key: (k: K) => string,
) {
  const byKey = new Map<string, R>();
  for (const r of rows) byKey.set(rowKey(r), r);
  return keys.map((k) => byKey.get(key(k)) ?? null);
}

/** A batch's answer when each key names a list of rows: each key's rows (in row order), or none. */
function manyEach<K, R>(
  keys: readonly K[],
  rows: readonly R[],
  rowKey: (r: R) => string,
  key: (k: K) => string,
) {
  const grouped = groupBy(rows, rowKey);
  return keys.map((k) => grouped.get(key(k)) ?? []);
}

/** The rows of lists loaded by another loader (an error of any list fails the batch). */
function* flatten<R>(lists: readonly (readonly R[] | Error)[]): Generator<R> {
  for (const list of lists) {
    if (list instanceof Error) throw list;
    yield* list;
  }
}

/**
 * `SELECT <the AnnotationRow columns> FROM experiment_annotations a JOIN experiments e`. `shown` hides the author's
 * name in anonymized experiments at the source; `stored` keeps it, for writes that carry it over (the API shows the
 * pseudonym either way, from `anonymized`).
 */
export function selectAnnotations(authorName: "shown" | "stored"): Sql {
  const anonymized = ident("e", "anonymize_contributors");
  const name = ident("a", "created_by_name");
  return sql`SELECT a.experiment_id, a.annotation_id, a.table_name, a.row_id, a.type, a.content_text, a.flag_type,
            a.created_by, ${authorName === "shown" ? unlessAnonymized(anonymized, name) : name} AS created_by_name,
            ${anonymized} AS anonymized, a.created_at, a.updated_at
          FROM ${table("experiment_annotations")} a JOIN ${table("experiments")} e ON e.experiment_id = a.experiment_id`;
}

const annotationKey = (k: AnnotationKey) => compositeKey([k.experimentId, k.tableName, k.rowId]);

export class RequestLoaders {
  constructor(
    private readonly lakehouse: Lakehouse,
    private readonly access: ExperimentAccess,
    private readonly signal?: AbortSignal,
  ) {}

  /** Every loader read depends on the experiments it names: that is its cache tag. */
  #query<R extends object>(statement: Sql, experimentIds: readonly string[]): Promise<R[]> {
    return this.lakehouse.query<R>(statement, { signal: this.signal, cacheTags: experimentIds });
  }

  readonly experiment = new DataLoader<string, ExperimentRow | null>(async (ids) => {
    const rows = await this.#query<ExperimentRow>(
      sql`SELECT ${EXPERIMENT_COLUMNS} FROM ${table("experiments")}
        WHERE experiment_id IN (${inList(unique(ids))}) AND ${this.access.readable(ident("experiment_id"))}`,
      unique(ids),
    );
    return oneEach(ids, rows, byExperiment, same);
  });

  readonly devicesByExperiment = new DataLoader<string, DeviceRow[]>(async (ids) => {
    const rows = await this.#query<DeviceRow>(
      sql`SELECT ${selectList(DEVICE_COLUMNS("d"))} FROM ${table("experiment_device_data")} d
        WHERE d.experiment_id IN (${inList(unique(ids))}) AND ${this.access.readable(ident("d", "experiment_id"))}`,
      unique(ids),
    );
    return manyEach(ids, sortDevices(rows), byExperiment, same);
  });

  /** Device of a row: (experimentId, deviceId). */
  readonly device = new DataLoader<readonly [string, string], DeviceRow | null, string>(
    async (keys) => {
      const all = await this.devicesByExperiment.loadMany(unique(keys.map((k) => k[0])));
      return oneEach(keys, flatten(all), (d) => compositeKey([d.experiment_id, d.device_id]), compositeKey);
    },
    { cacheKeyFn: compositeKey },
  );

  readonly contributorsByExperiment = new DataLoader<string, ContributorRow[]>(async (ids) => {
    const rows = await this.#query<ContributorRow>(
      sql`SELECT ${selectList(CONTRIBUTOR_COLUMNS("c", "e", this.access))}
        FROM ${table("experiment_contributors")} c JOIN ${table("experiments")} e ON e.experiment_id = c.experiment_id
        WHERE c.experiment_id IN (${inList(unique(ids))}) AND ${this.access.readable(ident("c", "experiment_id"))}`,
      unique(ids),
    );
    return manyEach(ids, sortContributors(rows), byExperiment, same);
  });

  /** Contributor of a row: (experimentId, userId). */
  readonly contributor = new DataLoader<readonly [string, string], ContributorRow | null, string>(
    async (keys) => {
      const all = await this.contributorsByExperiment.loadMany(unique(keys.map((k) => k[0])));
      return oneEach(keys, flatten(all), (c) => compositeKey([c.experiment_id, c.user_id]), compositeKey);
    },
    { cacheKeyFn: compositeKey },
  );

  readonly macrosByExperiment = new DataLoader<string, MacroInfoRow[]>(async (ids) => {
    const rows = await this.#query<MacroInfoRow>(
      sql`SELECT ${selectList(MACRO_INFO_COLUMNS("m"))} FROM ${table("experiment_macros")} m
        WHERE m.experiment_id IN (${inList(unique(ids))}) AND ${this.access.readable(ident("m", "experiment_id"))}`,
      unique(ids),
    );
    return manyEach(ids, sortMacros(rows), byExperiment, same);
  });

  /**
   * Failed runs per macro of each experiment: how many, and the most frequent messages (one statement for every
   * experiment the request asks about). Experiment id → macro filename → errors.
   */
  readonly macroErrorsByExperiment = new DataLoader<string, ReadonlyMap<string, MacroErrors>>(async (ids) => {
    const rows = await this.#query<{
      experiment_id: string;
      macro_filename: string;
      macro_error: string;
      n: bigint;
      total: bigint;
    }>(
      sql`SELECT experiment_id, macro_filename, macro_error, n, total FROM (
          SELECT d.experiment_id, d.macro_filename, d.macro_error, count(*) AS n,
            sum(count(*)) OVER (PARTITION BY d.experiment_id, d.macro_filename) AS total,
            row_number() OVER (PARTITION BY d.experiment_id, d.macro_filename ORDER BY count(*) DESC, d.macro_error) AS r
          FROM ${table("experiment_macro_data")} d
          WHERE d.experiment_id IN (${inList(unique(ids))}) AND d.macro_error IS NOT NULL
            AND ${this.access.readable(ident("d", "experiment_id"))}
          GROUP BY d.experiment_id, d.macro_filename, d.macro_error) t
        WHERE r <= ${MAX_TOP_ERRORS}`,
      unique(ids),
    );
    const out = new Map<string, Map<string, MacroErrors>>();
    for (const row of rows) {
      const macros = out.get(row.experiment_id) ?? new Map<string, MacroErrors>();
      out.set(row.experiment_id, macros);
      const errors = macros.get(row.macro_filename) ?? { count: Number(row.total), top: [] };
      macros.set(row.macro_filename, errors);
      (errors.top as { message: string; count: number }[]).push({
        message: row.macro_error,
        count: Number(row.n),
      });
    }
    for (const macros of out.values())
      for (const e of macros.values())
        (e.top as { message: string; count: number }[]).sort(byCountThenMessage);
    return ids.map((id) => out.get(id) ?? new Map());
  });

  readonly status = new DataLoader<string, StatusRow | null>(async (ids) => {
    const rows = await this.#query<StatusRow>(
      sql`SELECT ${selectList(STATUS_COLUMNS("s"))} FROM ${table("experiment_status")} s
        WHERE s.experiment_id IN (${inList(unique(ids))}) AND ${this.access.readable(ident("s", "experiment_id"))}`,
      unique(ids),
    );
    return oneEach(ids, rows, byExperiment, same);
  });

  /**
   * Annotations of rows, read from `experiment_annotations` itself (not the enriched view, which refreshes
   * minutes later in production), so a write is visible on the next read.
   */
  readonly annotations = new DataLoader<AnnotationKey, AnnotationRow[], string>(
    async (keys) => {
      const rows = await this.#query<AnnotationRow>(
        sql`${selectAnnotations("shown")}
          WHERE a.experiment_id IN (${inList(unique(keys.map((k) => k.experimentId)))})
            AND a.table_name IN (${inList(unique(keys.map((k) => k.tableName)))})
            AND ${inValues(ident("a", "row_id"), unique(keys.map((k) => k.rowId)))}
            AND ${this.access.readable(ident("a", "experiment_id"))}
          ORDER BY a.created_at, a.annotation_id`,
        unique(keys.map((k) => k.experimentId)),
      );
      return manyEach(
        keys,
        rows,
        (r) => compositeKey([r.experiment_id, r.table_name, r.row_id]),
        annotationKey,
      );
    },
    { cacheKeyFn: annotationKey },
  );

  /** The raw sample of a measurement: (experimentId, sample id as decimal text). */
  readonly sample = new DataLoader<readonly [string, string], SampleRow | null, string>(
    async (keys) => {
      const rows = await this.#query<SampleRow>(
        sql`SELECT experiment_id, id, device_id, device_name, timestamp, user_id, sample, ${baseColumn("measurement_sets")},
            ${baseColumn("questions")}, ${baseColumn("macros")}, processed_timestamp
          FROM ${table("experiment_raw_data")}
          WHERE experiment_id IN (${inList(unique(keys.map((k) => k[0])))})
            AND ${inValues(
              ident("id"),
              unique(keys.map((k) => k[1])).map((id) => BigInt(id)),
            )}
            AND ${this.access.readable(ident("experiment_id"))}`,
        unique(keys.map((k) => k[0])),
      );
      return oneEach(keys, rows, (r) => compositeKey([r.experiment_id, r.id.toString()]), compositeKey);
    },
    { cacheKeyFn: compositeKey },
  );

  /**
   * One macro row by its key, whole output as JSON: (experimentId, macro filename, id as decimal text). Rows with a
   * macro error are included (the row exists; its `error` says what failed). Federation's `_entities` reads
   * measurements through it: one statement for every measurement representation of a request, whatever the macro.
   */
  readonly measurement = new DataLoader<readonly [string, string, string], MeasurementRow | null, string>(
    async (keys) => {
      const experiments = unique(keys.map((k) => k[0]));
      // One disjunct per (experiment, macro): no row of another macro's ids is read.
      const groups = new Map<string, { experimentId: string; macro: string; ids: Set<string> }>();
      for (const [experimentId, macro, id] of keys) {
        const key = compositeKey([experimentId, macro]);
        const group = groups.get(key) ?? { experimentId, macro, ids: new Set<string>() };
        group.ids.add(id);
        groups.set(key, group);
      }
      const matches = [...groups.values()].map(
        (g) =>
          sql`(m.experiment_id = ${g.experimentId} AND m.macro_filename = ${g.macro}
            AND ${inValues(
              ident("m", "id"),
              [...g.ids].map((id) => BigInt(id)),
            )})`,
      );
      const rows = await this.#query<MeasurementRow>(
        sql`SELECT ${WHOLE_MEASUREMENT} FROM ${table("experiment_macro_data")} m
          WHERE (${join(matches, " OR ")}) AND ${this.access.readable(ident("m", "experiment_id"))}`,
        experiments,
      );
      return oneEach(
        keys,
        rows,
        (r) => compositeKey([r.experiment_id, r.macro_filename, r.id.toString()]),
        compositeKey,
      );
    },
    { cacheKeyFn: compositeKey },
  );

  /** Every macro row of a sample (whole output as JSON): (experimentId, sample id as decimal text). */
  readonly measurementsOfSample = new DataLoader<readonly [string, string], MeasurementRow[], string>(
    async (keys) => {
      const rows = await this.#query<MeasurementRow>(
        sql`SELECT ${WHOLE_MEASUREMENT} FROM ${table("experiment_macro_data")} m
          WHERE m.experiment_id IN (${inList(unique(keys.map((k) => k[0])))})
            AND ${inValues(
              ident("m", "id"),
              unique(keys.map((k) => k[1])).map((id) => BigInt(id)),
            )}
            AND ${this.access.readable(ident("m", "experiment_id"))}
          ORDER BY m.macro_name, m.macro_filename`,
        unique(keys.map((k) => k[0])),
      );
      return manyEach(keys, rows, (r) => compositeKey([r.experiment_id, r.id.toString()]), compositeKey);
    },
    { cacheKeyFn: compositeKey },
  );
}
