/**
 * Instants as the lakehouses keep them: microseconds (DuckDB and Databricks `TIMESTAMP`), which a JS `Date` cannot
 * hold. Values travel as ISO 8601 UTC text; this is the one normalization both the `DateTime` scalar (out and in)
 * and the filters use, so `2026-02-03T09:15:42.123456Z` comes back exactly and can be filtered on exactly.
 */

const ISO = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * ISO 8601 in UTC with the fraction the value has, up to microseconds: `.123Z` when milliseconds hold it (what
 * `Date.toISOString()` prints), else `.123456Z`. A value without a zone is UTC (the lakehouses' timestamps are).
 * Null when the text is not a valid date-time, or names a time finer than the lakehouses keep (a non-zero digit
 * past microseconds: cutting it would change what `lt`/`gt` mean).
 */
export function preciseTimestamp(text: string): string | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, date, time, fraction = "", zone = "Z"] = m;
  const offset = zone === "Z" || zone === "z" ? "Z" : normalizeOffset(zone);
  const seconds = Date.parse(`${date}T${time}${offset}`);
  if (!Number.isFinite(seconds) || !validWallClock(date!, time!)) return null;
  if (/[1-9]/.test(fraction.slice(6))) return null;
  return withFraction(new Date(seconds), fraction.padEnd(6, "0").slice(0, 6));
}

/** A `Date` in the same form (milliseconds). */
export function dateTimestamp(date: Date): string {
  return withFraction(date, `${String(date.getUTCMilliseconds()).padStart(3, "0")}000`);
}

function withFraction(date: Date, micros: string): string {
  const whole = date.toISOString().slice(0, 19);
  return `${whole}.${micros.endsWith("000") ? micros.slice(0, 3) : micros}Z`;
}

function normalizeOffset(zone: string): string {
  const digits = zone.slice(1).replace(":", "");
  return `${zone[0]}${digits.slice(0, 2)}:${digits.slice(2, 4).padEnd(2, "0")}`;
}

/** `Date.parse` rolls 2026-02-30 over to March: a date-time is valid only if it reads back as written. */
function validWallClock(date: string, time: string): boolean {
  const ms = Date.parse(`${date}T${time}Z`);
  if (!Number.isFinite(ms)) return false;
  const back = new Date(ms).toISOString();
  return back.slice(0, 10) === date && back.slice(11, 19) === time;
}
