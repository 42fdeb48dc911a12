/**
 * A small seeded PRNG for the demo data: same seed → same data, on every machine and Node version.
 * mulberry32 for the stream (fast, 32-bit state), splitmix32 to derive independent streams from (seed, name).
 * Never `Math.random`.
 */

/** One step of splitmix32: a well-mixed 32-bit hash of a 32-bit input. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Derives a 32-bit stream seed from a base seed and any number of labels (strings or numbers). */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  let h = splitmix32(seed >>> 0);
  for (const label of labels) {
    const text = String(label);
    for (let i = 0; i < text.length; i++) h = splitmix32(h ^ text.charCodeAt(i));
    h = splitmix32(h ^ 0x2f);
  }
  return h;
}

const TWO_POW_53 = 2n ** 53n;
const ID_SPAN = 2n ** 63n - TWO_POW_53;

export class Rng {
  #state: number;
  #spareNormal: number | null = null;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A derived, independent stream (same labels → same stream). */
  static derive(seed: number, ...labels: readonly (string | number)[]): Rng {
    return new Rng(deriveSeed(seed, ...labels));
  }

  /** Uniform 32-bit unsigned integer (mulberry32). */
  nextUint32(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks by weight; `weights` parallel to `items`. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /** Normal deviate (Box–Muller, the second value is kept for the next call). */
  normal(mean = 0, sd = 1): number {
    if (this.#spareNormal !== null) {
      const z = this.#spareNormal;
      this.#spareNormal = null;
      return mean + sd * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** A random 63-bit row id in [2^53, 2^63): always beyond `Number.MAX_SAFE_INTEGER`, like production hashes. */
  rowId(): bigint {
    const hi = BigInt(this.nextUint32());
    const lo = BigInt(this.nextUint32());
    return TWO_POW_53 + (((hi << 32n) | lo) % ID_SPAN);
  }

  /** A UUID-shaped id (version 4 layout) drawn from this stream. */
  uuid(): string {
    const hex: string[] = [];
    for (let i = 0; i < 4; i++) hex.push(this.nextUint32().toString(16).padStart(8, "0"));
    const h = hex.join("");
    const variant = ((Number.parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

/** Rounds to `digits` decimals (the generated values carry realistic, not full-double, precision). */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
