import { LRUCache } from 'lru-cache';

export interface LocalCacheOptions {
  /** At most this many entries; the least recently used goes first. */
  max: number;
  /** An entry is forgotten this long after it was set. */
  ttlMs: number;
  /** Milliseconds now (tests pass a manual clock's); `performance.now` otherwise. */
  now?: () => number;
}

/**
 * A bounded cache of this process whose entries expire: the one way Tollgate
 * keeps what it read from the meta store (keys, orgs, projects, budgets,
 * flags, routes, guardrail references) for a few seconds, and what a call
 * leaves pending until it is recorded. Built on lru-cache, so no cache grows
 * without bound or is cleared wholesale when it fills.
 */
export function localCache<K extends NonNullable<unknown>, V extends NonNullable<unknown>>(
  options: LocalCacheOptions,
): LRUCache<K, V> {
  return new LRUCache<K, V>({
    max: options.max,
    ttl: options.ttlMs,
    // A given clock (a test's) is asked on every read: no time cached between calls.
    ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
  });
}
