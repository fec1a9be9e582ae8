import { describe, expect, it } from 'vitest';
import { FallbackCache } from '../src/rpc/fallback-cache';
import { ManualClock, createRpcProxy, pollWithBackoff, type RpcClient } from '../src';

describe('createRpcProxy', () => {
  it('turns $.service.method(...args) into client.call and is not thenable', async () => {
    const calls: unknown[] = [];
    const client: RpcClient = {
      call: async (service, method, args) => {
        calls.push([service, method, args]);
        return 'ok' as never;
      },
      clearFallbackCache: () => undefined,
    };
    const $ = createRpcProxy<{ users: { find(id: number, full: boolean): string } }>(client);
    await expect($.users.find(1, true)).resolves.toBe('ok');
    expect(calls).toEqual([['users', 'find', [1, true]]]);
    expect(($ as unknown as { then?: unknown }).then).toBeUndefined();
    expect(($.users as unknown as { then?: unknown }).then).toBeUndefined();
    expect(await Promise.resolve($)).toBe($);
  });
});

describe('FallbackCache', () => {
  it('keys by service, method and args (object keys in any order) and expires after the TTL', () => {
    let now = 0;
    const cache = new FallbackCache(1000, 2, () => now);
    const key = FallbackCache.keyOf('users', 'find', [{ b: 1, a: 2 }])!;
    expect(FallbackCache.keyOf('users', 'find', [{ a: 2, b: 1 }])).toBe(key);
    expect(FallbackCache.keyOf('users', 'list', [{ a: 2, b: 1 }])).not.toBe(key);
    cache.set(key, 'value');
    now = 999;
    expect(cache.get(key)).toEqual({ value: 'value' });
    now = 1000;
    expect(cache.get(key)).toBeUndefined();
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toEqual({ value: 3 });
  });
});

describe('the resilience re-exports', () => {
  it('poll a long job with backoff on an injected clock', async () => {
    const clock = new ManualClock();
    const polledAt: number[] = [];
    const done = pollWithBackoff(
      async (poll) => {
        polledAt.push(clock.now());
        return poll < 4 ? { done: false } : { done: true, value: 'video.mp4' };
      },
      { initialMs: 2000, factor: 1.5, maxMs: 30_000, clock },
    );
    await clock.advance(2000 + 3000 + 4500);
    await expect(done).resolves.toBe('video.mp4');
    expect(polledAt).toEqual([0, 2000, 5000, 9500]);
  });
});
