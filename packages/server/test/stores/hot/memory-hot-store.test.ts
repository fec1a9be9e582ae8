import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHotStore, MemoryHotStore } from '../../../src/stores/hot';
import { runHotStoreContract } from './hot-store-contract';

runHotStoreContract({
  kind: 'memory',
  async create() {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const store = new MemoryHotStore({ now: () => now });
    return {
      store,
      advanceTime: async (ms) => {
        now += ms;
      },
    };
  },
});

describe('MemoryHotStore', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps at most maxClaims claims, forgetting the least recently claimed first', async () => {
    const store = new MemoryHotStore({ maxClaims: 2 });
    await store.claimKeys(['first', 'second'], 60_000);
    await store.claimKeys(['third'], 60_000);
    // 'first' was forgotten to make room for 'third'; 'third' is still held.
    expect(await store.claimKeys(['first'], 60_000)).toEqual([true]);
    expect(await store.claimKeys(['third'], 60_000)).toEqual([false]);
    await store.close();
  });

  it('keeps at most maxEntries counters, forgetting the least recently used first', async () => {
    const store = new MemoryHotStore({ maxEntries: 2 });
    await store.increment('a');
    await store.increment('b');
    await store.increment('a'); // 'a' is now the more recently used
    await store.increment('c');
    expect(await store.get('b')).toBeNull();
    expect(await store.get('a')).toBe('2');
    expect(await store.get('c')).toBe('1');
    await store.close();
  });

  it('is what createHotStore gives without a Redis URL', async () => {
    const store = createHotStore({});
    expect(store).toBeInstanceOf(MemoryHotStore);
    await store.close();
  });

  it('sweeps expired entries nobody reads, on its timer', async () => {
    vi.useFakeTimers();
    let now = 0;
    const store = new MemoryHotStore({ now: () => now, sweepIntervalMs: 1_000 });
    await store.set('short', 'x', 100);
    await store.increment('counter', 1, 5_000);
    await store.set('kept', 'y');
    now = 200;
    expect(store.size).toBe(3);
    vi.advanceTimersByTime(1_000);
    expect(store.size).toBe(2);
    now = 6_000;
    vi.advanceTimersByTime(1_000);
    expect(store.size).toBe(1);
    expect(await store.get('kept')).toBe('y');
    await store.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('removes an expired entry when it is read', async () => {
    let now = 0;
    const store = new MemoryHotStore({ now: () => now });
    await store.set('short', 'x', 100);
    now = 100;
    expect(await store.get('short')).toBeNull();
    expect(store.size).toBe(0);
    await store.close();
  });
});
