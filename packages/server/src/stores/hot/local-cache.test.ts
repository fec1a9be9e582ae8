import { describe, expect, it } from 'vitest';
import { localCache } from './local-cache';

describe('localCache', () => {
  it('forgets an entry once more than ttlMs has passed since it was set, by the clock it is given', () => {
    let now = 1_000;
    const cache = localCache<string, string>({ max: 10, ttlMs: 5_000, now: () => now });
    cache.set('org', 'prices');
    now += 5_000;
    expect(cache.get('org')).toBe('prices');
    now += 1;
    expect(cache.get('org')).toBeUndefined();
  });

  it('holds at most max entries, dropping the least recently used first', () => {
    const cache = localCache<string, number>({ max: 2, ttlMs: 60_000 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([...cache.keys()].sort()).toEqual(['a', 'c']);
  });
});
