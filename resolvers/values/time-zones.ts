/**
 * Time-zone arithmetic for time buckets: which zone names are valid, and the instant a bucket's wall-clock start
 * stands for in its zone (the dialects bucket in SQL and return wall-clock times). Uses the runtime's Intl data.
 */

/** True when `zone` is an IANA time zone name the runtime knows. */
export function isTimeZone(zone: string): boolean {
  if (zone === "") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})/;

/**
 * The dialects return a bucket start as the wall-clock time in the requested zone (a zone-less timestamp, which
 * the connectors print with `Z`). Turn it into the instant it stands for in that zone, plus the wall-clock text.
 */
export function bucketTime(wallClock: string, timeZone: string): { instant: string; local: string } {
  const m = WALL_CLOCK.exec(wallClock);
  if (!m) return { instant: wallClock, local: wallClock };
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const asUtc = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  // Two passes settle the offset across DST changes.
  let instant = asUtc - zoneOffsetMs(asUtc, timeZone);
  instant = asUtc - zoneOffsetMs(instant, timeZone);
  const local = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  return { instant: new Date(instant).toISOString(), local };
}

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC at `epochMs`, in ms (positive east of Greenwich). */
function zoneOffsetMs(epochMs: number, timeZone: string): number {
  let format = FORMATTERS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    FORMATTERS.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - Math.floor(epochMs / 1000) * 1000;
}
