/**
 * Values that cross processes (the Redis pub/sub) as JSON: 64-bit integers are tagged, never turned into a
 * `number`, so a row id published by one gateway arrives exactly in another.
 */
const BIGINT_TAG = "$bigint";

export function toJsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") return { [BIGINT_TAG]: value.toString() };
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonSafe(v);
    return out;
  }
  return value;
}

export function fromJsonSafe(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJsonSafe);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === BIGINT_TAG && typeof entries[0]![1] === "string") {
      return BigInt(entries[0]![1]);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) out[k] = fromJsonSafe(v);
    return out;
  }
  return value;
}
