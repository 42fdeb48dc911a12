/**
 * Validation of imported rows (macro rows or raw samples, centrum column names), one JSON object per row as
 * produced by `scanJsonObject` (key → value source text). Every problem is collected with its line (or Parquet
 * row) number and field; the caller loads nothing unless there are none.
 */
import { INT64_MAX, INT64_MIN } from "../int64.js";
import type { MacroDataRow, RawSampleRow } from "./centrum-loader.js";
import { isIntegerLiteral, JsonSyntaxError, scanJsonObject } from "./json-object-scanner.js";

export type ImportKind = "macro" | "sample";

export interface RowProblem {
  /** 1-based line of the NDJSON file, or 1-based row of the Parquet file. */
  readonly line: number;
  readonly field?: string;
  readonly message: string;
}

const QUESTION_KEYS = ["question_label", "question_text", "question_answer"] as const;

const MACRO_FIELDS = new Set([
  "experiment_id",
  "macro_id",
  "macro_name",
  "macro_filename",
  "id",
  "device_id",
  "device_name",
  "timestamp",
  "user_id",
  "questions",
  "macro_output",
  "macro_error",
  "processed_timestamp",
]);
const SAMPLE_FIELDS = new Set([
  "experiment_id",
  "id",
  "device_id",
  "device_name",
  "timestamp",
  "sample",
  "measurement_sets",
  "questions",
  "macros",
  "user_id",
  "processed_timestamp",
]);
/** Columns of exports that the import derives or does not store (accepted and ignored). */
const IGNORED_FIELDS = new Set([
  "date",
  "annotations",
  "first_name",
  "last_name",
  "email",
  "organization",
  "sample",
  "macros",
  "measurement_sets",
]);

/** True for columns of centrum exports that the import accepts without storing them (no "ignored" note). */
export function isDerivedColumn(name: string): boolean {
  return IGNORED_FIELDS.has(name);
}

/** The columns the import reads for each kind (Parquet files select only these). */
export const IMPORT_COLUMNS: Readonly<Record<ImportKind, readonly string[]>> = {
  macro: [...MACRO_FIELDS],
  sample: [...SAMPLE_FIELDS],
};

/** Decides what a file holds from its first row's keys. */
export function detectKind(fields: ReadonlyMap<string, string>): ImportKind | null {
  if (fields.has("macro_filename") || fields.has("macro_output") || fields.has("macro_name")) return "macro";
  if (fields.has("sample")) return "sample";
  return null;
}

const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses an ISO 8601 timestamp (date, optional time with up to 9 fraction digits, optional zone; no zone = UTC)
 * to epoch microseconds, or null when it is not one.
 */
export function parseTimestampMicros(text: string): bigint | null {
  const m = ISO_TIMESTAMP.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 || year < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  let offsetMinutes = 0;
  if (zone && zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || "0");
    if (oh > 23 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const micros = BigInt(frac.padEnd(6, "0").slice(0, 6) || "0");
  return BigInt(date.getTime() - offsetMinutes * 60_000) * 1000n + micros;
}

class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function parse(raw: string): unknown {
  return JSON.parse(raw);
}

function describe(raw: string): string {
  return raw.length > 40 ? `${raw.slice(0, 37)}...` : raw;
}

export interface ValidatorOptions {
  /** Fills `experiment_id` where a row has none; a row naming another experiment is an error. */
  readonly experimentId?: string;
  /** `processed_timestamp` of rows without one (default: now). */
  readonly processedMicros?: bigint;
}

/** Collects valid rows and problems, row by row. */
export class RowValidator {
  readonly problems: RowProblem[] = [];
  readonly samples: RawSampleRow[] = [];
  readonly macroRows: MacroDataRow[] = [];
  readonly experimentIds = new Set<string>();
  readonly ignoredFields = new Set<string>();
  #kind: ImportKind | null = null;
  readonly #keys = new Map<string, number>();
  readonly #processed: bigint;

  constructor(private readonly options: ValidatorOptions = {}) {
    this.#processed = options.processedMicros ?? BigInt(Date.now()) * 1000n;
  }

  get kind(): ImportKind | null {
    return this.#kind;
  }

  get rowCount(): number {
    return this.samples.length + this.macroRows.length;
  }

  /** Validates one line of text (an NDJSON line or a Parquet row rendered as JSON). Blank lines are skipped. */
  addLine(text: string, line: number): void {
    if (text.trim() === "") return;
    let fields: Map<string, string>;
    try {
      fields = scanJsonObject(text);
    } catch (error) {
      if (error instanceof JsonSyntaxError) {
        this.problems.push({ line, message: `not a valid JSON object: ${error.message}` });
        return;
      }
      throw error;
    }
    this.addFields(fields, line);
  }

  addFields(fields: ReadonlyMap<string, string>, line: number): void {
    if (!this.#kind) {
      this.#kind = detectKind(fields);
      if (!this.#kind) {
        this.problems.push({
          line,
          message:
            "cannot tell what this file holds: a macro row needs macro_filename, a sample needs sample",
        });
        return;
      }
    }
    if (this.#kind === "macro") this.#macroRow(fields, line);
    else this.#sampleRow(fields, line);
  }

  #noteUnknown(fields: ReadonlyMap<string, string>, known: ReadonlySet<string>): void {
    for (const key of fields.keys()) if (!known.has(key)) this.ignoredFields.add(key);
  }

  #string(fields: ReadonlyMap<string, string>, name: string, required: boolean): string | null {
    const raw = fields.get(name);
    if (raw === undefined || raw === "null") {
      if (required) throw new FieldError(name, `${name} is required`);
      return null;
    }
    if (!raw.startsWith('"')) throw new FieldError(name, `${name} must be a string (got ${describe(raw)})`);
    const value = parse(raw) as string;
    if (required && value.trim() === "") throw new FieldError(name, `${name} must not be empty`);
    return value;
  }

  #experimentId(fields: ReadonlyMap<string, string>): string {
    const given = this.options.experimentId;
    const value = this.#string(fields, "experiment_id", !given);
    if (given && value !== null && value !== given) {
      throw new FieldError("experiment_id", `experiment_id is "${value}" but --experiment is "${given}"`);
    }
    return value ?? (given as string);
  }

  #id(fields: ReadonlyMap<string, string>): bigint {
    const raw = fields.get("id");
    if (raw === undefined || raw === "null") throw new FieldError("id", "id is required");
    let digits: string;
    if (isIntegerLiteral(raw)) digits = raw;
    else if (raw.startsWith('"') && /^-?\d+$/.test(parse(raw) as string)) digits = parse(raw) as string;
    else throw new FieldError("id", `id must be a 64-bit integer (got ${describe(raw)})`);
    const id = BigInt(digits);
    if (id < INT64_MIN || id > INT64_MAX)
      throw new FieldError("id", `id ${digits} is outside the 64-bit range`);
    return id;
  }

  #timestamp(fields: ReadonlyMap<string, string>, name: string, required: boolean): bigint | null {
    const raw = fields.get(name);
    if (raw === undefined || raw === "null") {
      if (required) throw new FieldError(name, `${name} is required`);
      return null;
    }
    let micros: bigint | null = null;
    if (raw.startsWith('"')) micros = parseTimestampMicros(parse(raw) as string);
    else if (/^-?\d+(\.\d+)?$/.test(raw)) {
      const ms = Number(raw);
      if (Number.isFinite(ms) && Math.abs(ms) < 8.64e15) micros = BigInt(Math.round(ms * 1000));
    }
    if (micros === null) {
      throw new FieldError(
        name,
        `${name} must be an ISO 8601 timestamp or epoch milliseconds (got ${describe(raw)})`,
      );
    }
    return micros;
  }

  /** A JSON array of objects with string-or-null properties `keys` (re-serialized: only those keys). */
  #structList(fields: ReadonlyMap<string, string>, name: string, keys: readonly string[]): string | null {
    const raw = fields.get(name);
    if (raw === undefined || raw === "null") return null;
    const value = parse(raw);
    if (!Array.isArray(value)) throw new FieldError(name, `${name} must be an array of objects`);
    const out = value.map((item, i) => {
      if (!item || typeof item !== "object" || Array.isArray(item)) {
        throw new FieldError(name, `${name}[${i}] must be an object`);
      }
      const entry: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
        if (!keys.includes(k)) throw new FieldError(name, `${name}[${i}] has an unknown key "${k}"`);
        if (v !== null && typeof v !== "string")
          throw new FieldError(name, `${name}[${i}].${k} must be a string`);
        entry[k] = v;
      }
      return entry;
    });
    return JSON.stringify(out);
  }

  #key(key: string, line: number): void {
    const previous = this.#keys.get(key);
    if (previous !== undefined) throw new FieldError("id", `duplicate row: same key as line ${previous}`);
    this.#keys.set(key, line);
  }

  /**
   * Runs each field check of one row, collecting every problem (not just the first). A value of a failed
   * check is never used: the row is dropped when any check failed.
   */
  #checker(line: number) {
    const problems: RowProblem[] = [];
    const get = <T>(fn: () => T): T => {
      try {
        return fn();
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        problems.push({ line, field: error.field, message: error.message });
        return undefined as T;
      }
    };
    return { get, problems };
  }

  #macroRow(fields: ReadonlyMap<string, string>, line: number): void {
    this.#noteUnknown(fields, new Set([...MACRO_FIELDS, ...IGNORED_FIELDS]));
    const { get, problems } = this.#checker(line);
    const experimentId = get(() => this.#experimentId(fields));
    const id = get(() => this.#id(fields));
    const macroFilename = get(() => this.#string(fields, "macro_filename", true)!);
    const error = get(() => this.#string(fields, "macro_error", false));
    const row: MacroDataRow = {
      experimentId,
      macroId: get(() => this.#string(fields, "macro_id", false)) ?? macroFilename,
      macroName: get(() => this.#string(fields, "macro_name", true)!),
      macroFilename,
      id,
      deviceId: get(() => this.#string(fields, "device_id", false)),
      deviceName: get(() => this.#string(fields, "device_name", false)),
      timestampMicros: get(() => this.#timestamp(fields, "timestamp", true)!),
      userId: get(() => this.#string(fields, "user_id", false)),
      questionsJson: get(() => this.#structList(fields, "questions", QUESTION_KEYS)),
      outputJson: get(() => this.#macroOutput(fields, error)),
      error,
      processedMicros: get(() => this.#timestamp(fields, "processed_timestamp", false)) ?? this.#processed,
    };
    if (problems.length === 0)
      get(() => this.#key(JSON.stringify([experimentId, macroFilename, `${id}`]), line));
    if (problems.length > 0) {
      this.problems.push(...problems);
      return;
    }
    this.macroRows.push(row);
    this.experimentIds.add(experimentId);
  }

  /** The output object's source text (a JSON string holding an object is accepted too, as Spark exports do). */
  #macroOutput(fields: ReadonlyMap<string, string>, error: string | null): string | null {
    let raw = fields.get("macro_output");
    if (raw === undefined || raw === "null") {
      if (error) return null;
      throw new FieldError("macro_output", "macro_output is required (an object) unless macro_error is set");
    }
    if (raw.startsWith('"')) {
      const inner = parse(raw) as string;
      try {
        scanJsonObject(inner);
      } catch {
        throw new FieldError("macro_output", "macro_output is a string that does not hold a JSON object");
      }
      raw = inner.trim();
    }
    if (!raw.startsWith("{")) {
      throw new FieldError("macro_output", `macro_output must be a JSON object (got ${describe(raw)})`);
    }
    return raw;
  }

  #sampleRow(fields: ReadonlyMap<string, string>, line: number): void {
    this.#noteUnknown(fields, new Set([...SAMPLE_FIELDS, ...IGNORED_FIELDS]));
    const { get, problems } = this.#checker(line);
    const experimentId = get(() => this.#experimentId(fields));
    const id = get(() => this.#id(fields));
    const row: RawSampleRow = {
      experimentId,
      id,
      deviceId: get(() => this.#string(fields, "device_id", false)),
      deviceName: get(() => this.#string(fields, "device_name", false)),
      timestampMicros: get(() => this.#timestamp(fields, "timestamp", true)!),
      sample: get(() => this.#sample(fields)),
      measurementSetsJson: get(() => this.#stringList(fields, "measurement_sets")),
      questionsJson: get(() => this.#structList(fields, "questions", QUESTION_KEYS)),
      macrosJson: get(() => this.#structList(fields, "macros", ["id", "name", "filename"])),
      userId: get(() => this.#string(fields, "user_id", false)),
      processedMicros: get(() => this.#timestamp(fields, "processed_timestamp", false)) ?? this.#processed,
    };
    if (problems.length === 0) get(() => this.#key(JSON.stringify([experimentId, `${id}`]), line));
    if (problems.length > 0) {
      this.problems.push(...problems);
      return;
    }
    this.samples.push(row);
    this.experimentIds.add(experimentId);
  }

  /** The sample as JSON text: an object (kept as written) or a string (stored as is). */
  #sample(fields: ReadonlyMap<string, string>): string {
    const raw = fields.get("sample");
    if (raw === undefined || raw === "null") throw new FieldError("sample", "sample is required");
    if (raw.startsWith('"')) return parse(raw) as string;
    if (raw.startsWith("{")) return raw;
    throw new FieldError("sample", "sample must be a JSON object or a string of JSON");
  }

  #stringList(fields: ReadonlyMap<string, string>, name: string): string | null {
    const raw = fields.get(name);
    if (raw === undefined || raw === "null") return null;
    const value = parse(raw);
    if (!Array.isArray(value) || value.some((s) => typeof s !== "string")) {
      throw new FieldError(name, `${name} must be an array of strings`);
    }
    return JSON.stringify(value);
  }
}
