/**
 * The shared cost buckets against a real `redis-server`: the same leaky bucket as the in-memory one (one atomic
 * script per pour), shared by every client of the same prefix, and open when Redis does not answer.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CostBuckets } from "../../gateway/server/cost-bucket.js";
import { RedisCostBuckets } from "../../gateway/server/redis-cost-buckets.js";
import { type RedisServer, startRedisServer } from "../support/redis-server.js";

let server: RedisServer;
const clients: Redis[] = [];

function client(url = server.url): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on("error", () => undefined);
  clients.push(redis);
  return redis;
}

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

const OPTIONS = { capacity: 10, drainPerSecond: 0.001 };

it("pours like the in-memory bucket, and two processes pour into one bucket", async () => {
  const prefix = `buckets-${process.pid}`;
  const one = new RedisCostBuckets(client(), prefix, OPTIONS, () => undefined);
  const two = new RedisCostBuckets(client(), prefix, OPTIONS, () => undefined);
  const memory = new CostBuckets(OPTIONS);
  const shared = [await one.take("user:a", 4), await two.take("user:a", 4), await one.take("user:a", 4)];
  const local = [memory.take("user:a", 4), memory.take("user:a", 4), memory.take("user:a", 4)];
  expect(shared.map((s) => s.allowed)).toEqual([true, true, false]);
  expect(shared.map((s) => s.allowed)).toEqual(local.map((s) => s.allowed));
  expect(shared.map((s) => s.remaining)).toEqual(local.map((s) => s.remaining));
  expect(shared[2]!.retryAfter).toBe(local[2]!.retryAfter);
  // Another caller has a bucket of its own.
  expect((await two.take("user:b", 10)).allowed).toBe(true);
  // An operation larger than the whole bucket runs when the bucket is empty (and fills it).
  expect((await one.take("user:c", 25)).allowed).toBe(true);
  expect((await one.take("user:c", 1)).allowed).toBe(false);
});

it("allows (and says so once) while Redis does not answer", async () => {
  const logs: string[] = [];
  const gone = new RedisCostBuckets(client("redis://127.0.0.1:1"), "gone", OPTIONS, (m) => logs.push(m), 200);
  const states = [await gone.take("user:a", 8), await gone.take("user:a", 8)];
  expect(states.map((s) => s.allowed)).toEqual([true, true]);
  expect(logs).toHaveLength(1);
  expect(logs[0]).toMatch(/Redis failed, allowing/);
});
