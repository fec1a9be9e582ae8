import { describe, expect, it } from 'vitest';
import { FakeHotStore } from './__fixtures__/fake-hot-store';
import { closedBreakerState, parseBreakerState } from './breaker-state';
import type { BreakerState } from './breaker-state';
import { HotStoreBreakerStateStore, InMemoryBreakerStateStore } from './breaker-state-store';
import type { BreakerStateStore } from './breaker-state-store';
import { ManualClock } from './clock';

const open: BreakerState = { state: 'open', openedAt: 1, nextAttemptAt: 2, openCount: 1 };
const halfOpen: BreakerState = {
  state: 'half-open',
  probeStartedAt: 3,
  probeId: 'probe-1',
  openCount: 1,
};

// One contract, every implementation (STYLE 13).
describe.each([
  {
    name: 'InMemoryBreakerStateStore',
    create: (): BreakerStateStore => new InMemoryBreakerStateStore(),
  },
  {
    name: 'HotStoreBreakerStateStore',
    create: (): BreakerStateStore =>
      new HotStoreBreakerStateStore(new FakeHotStore(new ManualClock())),
  },
])('$name', ({ create }) => {
  it('has no state for an unknown key', async () => {
    expect(await create().load('deployment-a')).toBeNull();
  });

  it('creates state only when none is expected', async () => {
    const store = create();
    expect(await store.compareAndSet('deployment-a', 'some-version', open)).toBe(false);
    expect(await store.compareAndSet('deployment-a', null, open)).toBe(true);
    expect(await store.compareAndSet('deployment-a', null, open)).toBe(false);
    expect((await store.load('deployment-a'))?.state).toEqual(open);
  });

  it('replaces state only at the version that was read', async () => {
    const store = create();
    await store.compareAndSet('deployment-a', null, open);
    const read = await store.load('deployment-a');
    expect(await store.compareAndSet('deployment-a', read?.version ?? null, halfOpen)).toBe(true);
    expect(
      await store.compareAndSet('deployment-a', read?.version ?? null, closedBreakerState()),
    ).toBe(false);
    expect((await store.load('deployment-a'))?.state).toEqual(halfOpen);
  });

  it('lets exactly one of many concurrent writers at one version win', async () => {
    const store = create();
    await store.compareAndSet('deployment-a', null, open);
    const read = await store.load('deployment-a');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        store.compareAndSet('deployment-a', read?.version ?? null, {
          ...halfOpen,
          probeId: `probe-${index}`,
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('keeps keys apart and hands out copies', async () => {
    const store = create();
    await store.compareAndSet('deployment-a', null, {
      state: 'closed',
      failures: [1],
      successes: [],
    });
    const read = await store.load('deployment-a');
    if (read?.state.state === 'closed') read.state.failures.push(2);
    expect((await store.load('deployment-a'))?.state).toEqual({
      state: 'closed',
      failures: [1],
      successes: [],
    });
    expect(await store.load('deployment-b')).toBeNull();
  });
});

describe('HotStoreBreakerStateStore', () => {
  it('stores JSON under a prefixed key with a TTL', async () => {
    const clock = new ManualClock();
    const hotStore = new FakeHotStore(clock);
    const store = new HotStoreBreakerStateStore(hotStore, {
      keyPrefix: 'tg:breaker:',
      ttlMs: 60_000,
    });
    await store.compareAndSet('deployment-a', null, open);
    expect(JSON.parse((await hotStore.get('tg:breaker:deployment-a')) ?? 'null')).toEqual(open);
    await clock.advance(60_000);
    expect(await store.load('deployment-a')).toBeNull();
  });

  it('reads unreadable state as a fresh closed breaker that the next write replaces', async () => {
    const hotStore = new FakeHotStore(new ManualClock());
    await hotStore.set('breaker:deployment-a', '{"state":"sideways"}');
    const store = new HotStoreBreakerStateStore(hotStore);
    const read = await store.load('deployment-a');
    expect(read?.state).toEqual(closedBreakerState());
    expect(await store.compareAndSet('deployment-a', read?.version ?? null, open)).toBe(true);
  });
});

describe('parseBreakerState', () => {
  it('round-trips every state and rejects garbage', () => {
    for (const state of [closedBreakerState(), open, halfOpen]) {
      expect(parseBreakerState(JSON.stringify(state))).toEqual(state);
    }
    expect(parseBreakerState('not json')).toEqual(closedBreakerState());
  });
});
