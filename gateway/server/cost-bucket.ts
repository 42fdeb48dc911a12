/**
 * A leaky bucket of cost points per caller (Shopify's throttle, in lakehouse statements): each operation pours its
 * estimated statements in, the bucket drains at a steady rate, and an operation that would overflow it is refused
 * with the seconds until it fits. `CostBuckets` keeps the buckets in memory, per process; with `REDIS_URL` every
 * process shares them (`redis-cost-buckets.ts`).
 */
export interface BucketOptions {
  /** Points the bucket holds. */
  readonly capacity: number;
  /** Points it drains per second. */
  readonly drainPerSecond: number;
  /** Callers tracked at most (the idlest are forgotten first). */
  readonly maxCallers?: number;
}

export interface BucketState {
  readonly allowed: boolean;
  /** Points left after this operation (or now, when refused). */
  readonly remaining: number;
  /** When the bucket is empty again. */
  readonly resetAt: Date;
  /** Seconds until the operation would fit (refused only). */
  readonly retryAfter: number;
}

/** Where the buckets are kept: this process's memory, or Redis (shared by every gateway process). */
export interface CostBucketStore {
  readonly capacity: number;
  /** Pours `points` into the caller's bucket if they fit. */
  take(caller: string, points: number): BucketState | Promise<BucketState>;
}

/** The state after a pour, from the bucket's level (after the pour, or as it was when refused). */
export function bucketState(
  options: BucketOptions,
  fits: boolean,
  level: number,
  points: number,
  now: number,
): BucketState {
  const { capacity, drainPerSecond } = options;
  return {
    allowed: fits,
    remaining: Math.max(0, Math.floor(capacity - level)),
    resetAt: new Date(now + (level / drainPerSecond) * 1000),
    retryAfter: fits ? 0 : Math.max(1, Math.ceil((level + points - capacity) / drainPerSecond)),
  };
}

export class CostBuckets implements CostBucketStore {
  readonly #levels = new Map<string, { level: number; at: number }>();

  constructor(
    private readonly options: BucketOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get capacity(): number {
    return this.options.capacity;
  }

  /** Pours `points` into the caller's bucket if they fit. */
  take(caller: string, points: number): BucketState {
    const now = this.now();
    const { capacity, drainPerSecond } = this.options;
    const entry = this.#levels.get(caller);
    const level = entry ? Math.max(0, entry.level - ((now - entry.at) / 1000) * drainPerSecond) : 0;
    const fits = level + points <= capacity || (level === 0 && points > capacity);
    const next = fits ? level + points : level;
    this.#levels.delete(caller);
    this.#levels.set(caller, { level: next, at: now });
    if (this.#levels.size > (this.options.maxCallers ?? 100_000)) {
      this.#levels.delete(this.#levels.keys().next().value as string);
    }
    return bucketState(this.options, fits, next, points, now);
  }
}
