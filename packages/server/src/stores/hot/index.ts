import type { Clock, HotStore } from '@tollgate/core';
import { MemoryHotStore } from './memory-hot-store';
import { RedisHotStore } from './redis-hot-store';

export interface HotStoreOptions {
  /** A Redis server (`REDIS_URL`); without it hot state lives in this process's memory. */
  redisUrl?: string;
  /** Redis key prefix; default `tollgate:`. */
  namespace?: string;
  /** Redis connection errors (the memory store has none). */
  onError?: (error: Error) => void;
  /** The most claimed keys (event ids) the memory store keeps (Redis keeps each until its TTL). */
  maxClaims?: number;
  /** The memory store's clock (its TTLs); Redis expires keys on its own. */
  clock?: Clock;
}

/**
 * The hot store chosen by the configuration: the one place that knows there
 * are two. Redis connects in the background; `ping()` tells whether it is up.
 */
export function createHotStore(options: HotStoreOptions = {}): HotStore {
  if (options.redisUrl) {
    return new RedisHotStore({
      redisUrl: options.redisUrl,
      namespace: options.namespace,
      onError: options.onError,
    });
  }
  const { clock } = options;
  return new MemoryHotStore({
    maxClaims: options.maxClaims,
    ...(clock ? { now: () => clock.now() } : {}),
  });
}

export { MemoryHotStore, type MemoryHotStoreOptions } from './memory-hot-store';
export {
  DEFAULT_HOT_STORE_NAMESPACE,
  RedisHotStore,
  type RedisHotStoreOptions,
} from './redis-hot-store';
