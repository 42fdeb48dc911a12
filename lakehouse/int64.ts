/** 64-bit row ids and integers as exact values: they never pass through a JS `number`. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** The 64-bit integer a decimal text spells, or null for anything else (a fraction, a sign alone, out of range). */
export function parseInt64(text: string): bigint | null {
  if (!/^-?\d{1,19}$/.test(text)) return null;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? null : value;
}
