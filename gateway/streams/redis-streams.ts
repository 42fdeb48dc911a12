/**
 * Several gateway processes behind one load balancer, sharing through Redis (`REDIS_URL`):
 *
 * - the pub/sub seam: Hive Gateway's `RedisPubSub` (`@graphql-hive/pubsub/redis`, on ioredis) for the topics every
 *   process must hear — new stream rows, annotation changes, experiment changes (cache invalidation, access
 *   checks); `schema.changed` stays in-process (every process rebuilds its own schema and announces its own swap);
 * - the stream poller's lease: `SET … NX PX` taken by one process and renewed by it each interval (a Lua
 *   compare-and-renew), so exactly one process polls the lakehouse; if it dies, the lease expires and another
 *   takes over, continuing from the shared watermarks;
 * - every process's subscriber demand (what its subscribers follow), each under its own expiring key, which the
 *   poller merges.
 */
import { randomUUID } from "node:crypto";
import type { PubSub } from "@graphql-hive/pubsub";
import { RedisPubSub } from "@graphql-hive/pubsub/redis";
import { Redis } from "ioredis";
import {
  createMemoryPubSub,
  type GatewayPubSub,
  type GatewayTopics,
} from "../../resolvers/events/gateway-events.js";
import {
  mergeDemands,
  type StreamCoordinator,
  type StreamDemand,
  type StreamWatermarks,
} from "../../resolvers/streams/stream-coordinator.js";

/** Topics that stay in this process. */
const LOCAL_TOPICS: ReadonlySet<keyof GatewayTopics> = new Set(["schema.changed"]);

/** Publishes and subscribes each topic on the Redis pub/sub or the in-process one. */
class RoutedPubSub implements GatewayPubSub {
  constructor(
    private readonly shared: PubSub<GatewayTopics>,
    private readonly local: GatewayPubSub,
  ) {}

  #of(topic: keyof GatewayTopics): PubSub<GatewayTopics> {
    return LOCAL_TOPICS.has(topic) ? this.local : this.shared;
  }

  async subscribedTopics(): Promise<(keyof GatewayTopics)[]> {
    return [
      ...new Set([...(await this.shared.subscribedTopics()), ...(await this.local.subscribedTopics())]),
    ];
  }

  publish<T extends keyof GatewayTopics>(topic: T, data: GatewayTopics[T]) {
    return this.#of(topic).publish(topic, data);
  }

  // biome-ignore lint/suspicious/noExplicitAny: the overloads of PubSub.subscribe are forwarded as they are
  subscribe(topic: keyof GatewayTopics, listener?: any): any {
    return listener ? this.#of(topic).subscribe(topic, listener) : this.#of(topic).subscribe(topic);
  }

  async dispose(): Promise<void> {
    await this.shared.dispose();
    await this.local.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

export interface RedisStreams {
  readonly pubsub: GatewayPubSub;
  readonly coordinator: StreamCoordinator;
  /** The commands connection (shared rate limits use it too); closed with the coordinator. */
  readonly commands: Redis;
}

/** Connects to Redis (three connections: publish, subscribe, commands) and returns the shared seam. */
export async function connectRedisStreams(options: {
  readonly url: string;
  readonly prefix: string;
  /** The stream poll interval: the lease and demand entries live for three of them. */
  readonly intervalMs: number;
  readonly log: (message: string) => void;
}): Promise<RedisStreams> {
  const connect = () => new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const pub = connect();
  const sub = connect();
  const commands = connect();
  await Promise.all([pub.connect(), sub.connect(), commands.connect()]);
  const shared = new RedisPubSub<GatewayTopics>({ pub, sub }, { channelPrefix: options.prefix });
  const pubsub = new RoutedPubSub(shared, createMemoryPubSub());
  const coordinator = new RedisStreamCoordinator(commands, options.prefix, options.intervalMs, options.log);
  return { pubsub, coordinator, commands };
}

/** Renews the lease only while this process holds it. */
const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;
/** Saves the watermarks only while this process holds the lease (a poller that lost it mid-poll cannot overwrite). */
const SAVE_IF_HOLDER = `if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("SET", KEYS[2], ARGV[2]) return 1 else return 0 end`;
/** Gives the lease up only if this process holds it. */
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

export class RedisStreamCoordinator implements StreamCoordinator {
  readonly id = randomUUID();
  readonly #ttlMs: number;
  #holding = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    intervalMs: number,
    private readonly log: (message: string) => void,
  ) {
    this.#ttlMs = Math.max(1_000, 3 * intervalMs);
  }

  #key(name: string): string {
    return `${this.prefix}:streams:${name}`;
  }

  async exchangeDemand(local: StreamDemand): Promise<StreamDemand> {
    const processes = this.#key("processes");
    const mine = this.#key(`demand:${this.id}`);
    await this.redis
      .multi()
      .set(mine, JSON.stringify(local), "PX", this.#ttlMs)
      .sadd(processes, this.id)
      .exec();
    const ids = await this.redis.smembers(processes);
    const values = ids.length ? await this.redis.mget(ids.map((id) => this.#key(`demand:${id}`))) : [];
    const demands: StreamDemand[] = [];
    const gone: string[] = [];
    values.forEach((value, i) => {
      if (value === null) gone.push(ids[i]!);
      else demands.push(JSON.parse(value) as StreamDemand);
    });
    if (gone.length) await this.redis.srem(processes, ...gone);
    return mergeDemands(demands);
  }

  async isPoller(): Promise<boolean> {
    const lease = this.#key("lease");
    if (this.#holding) {
      const renewed = await this.redis.eval(RENEW, 1, lease, this.id, String(this.#ttlMs));
      if (renewed === 1) return true;
      this.#holding = false;
      this.log("streams: lost the poll lease to another gateway process");
    }
    const taken = await this.redis.set(lease, this.id, "PX", this.#ttlMs, "NX");
    if (taken === "OK") {
      this.#holding = true;
      this.log(`streams: this process (${this.id}) now polls the lakehouse for every gateway process`);
    }
    return this.#holding;
  }

  async loadWatermarks(): Promise<StreamWatermarks> {
    const text = await this.redis.get(this.#key("watermarks"));
    return text ? (JSON.parse(text) as StreamWatermarks) : { positions: {}, meta: {} };
  }

  async saveWatermarks(watermarks: StreamWatermarks): Promise<void> {
    // Only the lease holder writes; a process that lost the lease mid-poll must not overwrite the new holder's.
    if (!this.#holding) return;
    const saved = await this.redis.eval(
      SAVE_IF_HOLDER,
      2,
      this.#key("lease"),
      this.#key("watermarks"),
      this.id,
      JSON.stringify(watermarks),
    );
    if (saved !== 1) {
      this.#holding = false;
      this.log("streams: lost the poll lease during a poll; its watermarks were not saved");
    }
  }

  async close(): Promise<void> {
    try {
      await this.redis.del(this.#key(`demand:${this.id}`));
      await this.redis.srem(this.#key("processes"), this.id);
      if (this.#holding) await this.redis.eval(RELEASE, 1, this.#key("lease"), this.id);
    } finally {
      this.#holding = false;
      this.redis.disconnect();
    }
  }
}
