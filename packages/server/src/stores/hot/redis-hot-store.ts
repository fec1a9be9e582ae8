import type { HotStore } from '@tollgate/core';
import { Redis } from 'ioredis';
import { assertIncrement, normalizeTtlMs } from './hot-store-arguments';
import { defineHotStoreScripts, type HotStoreScripts } from './redis-scripts';

export interface RedisHotStoreOptions {
  /** `redis://[user:password@]host:port[/db]` */
  redisUrl: string;
  /** Put before every key, so several deployments (or test runs) can share one Redis; default `tollgate:`. */
  namespace?: string;
  /** Connection errors; ioredis keeps reconnecting meanwhile. Default: ignored (the failed calls reject). */
  onError?: (error: Error) => void;
}

export const DEFAULT_HOT_STORE_NAMESPACE = 'tollgate:';

/** A call fails after this many reconnection attempts instead of waiting for Redis forever. */
const MAX_RETRIES_PER_REQUEST = 1;
const CONNECT_TIMEOUT_MS = 5_000;

/** Hot state in Redis, shared by every server process. */
export class RedisHotStore implements HotStore {
  readonly kind = 'redis';
  readonly namespace: string;
  private readonly redis: Redis;
  private readonly scripts: HotStoreScripts;

  constructor(options: RedisHotStoreOptions) {
    this.namespace = options.namespace ?? DEFAULT_HOT_STORE_NAMESPACE;
    this.redis = new Redis(options.redisUrl, {
      lazyConnect: false,
      maxRetriesPerRequest: MAX_RETRIES_PER_REQUEST,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
    // Without a listener ioredis reports every failed reconnection as an unhandled error event.
    this.redis.on('error', options.onError ?? (() => undefined));
    // Commands wait in the offline queue only until the first connection is ready. After that, a
    // lost connection fails them at once: callers (breakers, cache, budgets) fall back without
    // Redis instead of each waiting out the reconnection, which stalled every call for seconds.
    this.redis.once('ready', () => {
      this.redis.options.enableOfflineQueue = false;
    });
    this.scripts = defineHotStoreScripts(this.redis);
  }

  /**
   * The connection itself, for the one part that needs a command the `HotStore` interface has no
   * word for (the rate limiter's sliding-window script); the store owns and closes it.
   */
  get connection(): Redis {
    return this.redis;
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(this.keyOf(key));
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    const ttl = normalizeTtlMs(ttlMs);
    if (ttl === undefined) await this.redis.set(this.keyOf(key), value);
    else await this.redis.set(this.keyOf(key), value, 'PX', ttl);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.keyOf(key));
  }

  async increment(key: string, by = 1, ttlMs?: number): Promise<number> {
    assertIncrement(by);
    const ttl = normalizeTtlMs(ttlMs) ?? 0;
    return Number(await this.scripts.tollgateIncrement(this.keyOf(key), by, ttl));
  }

  async compareAndSet(
    key: string,
    expected: string | null,
    next: string,
    ttlMs?: number,
  ): Promise<boolean> {
    const ttl = normalizeTtlMs(ttlMs) ?? 0;
    const set = await this.scripts.tollgateCompareAndSet(
      this.keyOf(key),
      expected === null ? '0' : '1',
      expected ?? '',
      next,
      ttl,
    );
    return set === 1;
  }

  async claimKeys(keys: readonly string[], ttlMs: number): Promise<boolean[]> {
    if (keys.length === 0) return [];
    const ttl = normalizeTtlMs(ttlMs)!;
    const claimed = await this.scripts.tollgateClaim(
      keys.length,
      ...keys.map((key) => this.keyOf(key)),
      ttl,
    );
    return claimed.map((value) => value === 1);
  }

  async extendKeys(keys: readonly string[], ttlMs: number): Promise<void> {
    if (keys.length === 0) return;
    const ttl = normalizeTtlMs(ttlMs)!;
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.pexpire(this.keyOf(key), ttl);
    await pipeline.exec();
  }

  async deleteKeys(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.del(...keys.map((key) => this.keyOf(key)));
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    if (this.redis.status === 'ready') {
      try {
        await this.redis.quit();
        return;
      } catch {
        // The connection went away while quitting: drop it below.
      }
    }
    this.redis.disconnect();
  }

  private keyOf(key: string): string {
    return this.namespace + key;
  }
}
