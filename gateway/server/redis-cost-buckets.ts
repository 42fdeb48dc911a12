/**
 * The cost buckets of every gateway process in one Redis: the same leaky bucket as `CostBuckets`, poured by one Lua
 * script so that a check and its pour are atomic across processes, on Redis' clock (processes' clocks may differ).
 * A bucket's key expires once it has drained. No rate-limit library offers a leaky bucket of variable-cost pours
 * with Shopify's `remaining`/`resetAt` (rate-limiter-flexible's Redis limiters count fixed windows), so the
 * bucket is this script; the per-field mutation limits use @envelop/rate-limiter's own `RedisStore`.
 *
 * When Redis does not answer within `timeoutMs` the pour is allowed (and logged): a rate limiter that fails closed
 * would turn a Redis outage into a gateway outage.
 */
import type { Redis } from "ioredis";
import { type BucketOptions, type BucketState, bucketState, type CostBucketStore } from "./cost-bucket.js";

/** KEYS[1] the bucket; ARGV capacity, drain per ms, points. Returns {fits, level, now ms}. */
const POUR = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local capacity = tonumber(ARGV[1])
local drain = tonumber(ARGV[2])
local points = tonumber(ARGV[3])
local state = redis.call("HMGET", KEYS[1], "level", "at")
local level = tonumber(state[1]) or 0
local at = tonumber(state[2]) or now
level = math.max(0, level - math.max(0, now - at) * drain)
local fits = (level + points <= capacity) or (level == 0 and points > capacity)
if fits then level = level + points end
redis.call("HSET", KEYS[1], "level", tostring(level), "at", tostring(now))
redis.call("PEXPIRE", KEYS[1], math.ceil(level / drain) + 1000)
return { fits and 1 or 0, tostring(level), tostring(now) }
`;

export class RedisCostBuckets implements CostBucketStore {
  #failing = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: BucketOptions,
    private readonly log: (message: string) => void,
    private readonly timeoutMs = 1_000,
  ) {
    redis.defineCommand("centrumPour", { numberOfKeys: 1, lua: POUR });
  }

  get capacity(): number {
    return this.options.capacity;
  }

  async take(caller: string, points: number): Promise<BucketState> {
    const pour = (this.redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)
      .centrumPour!(
      `${this.prefix}:cost:${caller}`,
      this.options.capacity,
      this.options.drainPerSecond / 1000,
      points,
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const [fits, level, now] = (await Promise.race([pour, timeout])) as [number, string, string];
      this.#failing = false;
      return bucketState(this.options, fits === 1, Number(level), points, Number(now));
    } catch (error) {
      pour.catch(() => undefined);
      if (!this.#failing) this.log(`rate limits: Redis failed, allowing until it answers: ${String(error)}`);
      this.#failing = true;
      return bucketState(this.options, true, 0, points, Date.now());
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * @envelop/rate-limiter's `RedisStore` speaks the callback API of node-redis 3 (`get(key, cb)`, `set([args], cb)`):
 * this adapts an ioredis client to it, under the gateway's key prefix.
 */
export function envelopRedisClient(redis: Redis, prefix: string) {
  return {
    get(key: string, callback: (error: Error | null, value: string | null) => void): void {
      redis.get(`${prefix}:${key}`).then(
        (value) => callback(null, value),
        (error: Error) => callback(error, null),
      );
    },
    set(args: (string | number)[], callback: (error: Error | null) => void): void {
      const [key, value, ...rest] = args;
      redis.call("SET", `${prefix}:${String(key)}`, String(value), ...rest.map(String)).then(
        () => callback(null),
        (error: Error) => callback(error),
      );
    },
  };
}
