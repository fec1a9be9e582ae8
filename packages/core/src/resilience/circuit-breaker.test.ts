import { describe, expect, it } from 'vitest';
import { FakeHotStore } from './__fixtures__/fake-hot-store';
import { HotStoreBreakerStateStore, InMemoryBreakerStateStore } from './breaker-state-store';
import type { BreakerStateStore } from './breaker-state-store';
import { CircuitBreaker } from './circuit-breaker';
import type { BreakerEvent, BreakerPermit, CircuitBreakerOptions } from './circuit-breaker';
import { ManualClock } from './clock';

const KEY = 'openai/gpt-4o@eastus';

async function call(
  breaker: CircuitBreaker,
  outcome: 'success' | 'failure',
  key = KEY,
): Promise<void> {
  const permit = await breaker.acquire(key);
  if (!permit.allowed) throw new Error('expected the call to be allowed');
  await permit.release(outcome);
}

function allowed(permit: BreakerPermit): Extract<BreakerPermit, { allowed: true }> {
  if (!permit.allowed) throw new Error(`refused until ${permit.retryAt}`);
  return permit;
}

// Every scenario runs on the in-memory store and on the hot-store adapter (a fake Redis).
describe.each([
  {
    storeName: 'in-memory store',
    createStore: (): BreakerStateStore => new InMemoryBreakerStateStore(),
  },
  {
    storeName: 'hot-store adapter',
    createStore: (): BreakerStateStore =>
      new HotStoreBreakerStateStore(new FakeHotStore(new ManualClock())),
  },
])('CircuitBreaker on the $storeName', ({ createStore }) => {
  function setUp(options: CircuitBreakerOptions = {}) {
    const clock = new ManualClock(1_000_000);
    const store = createStore();
    const breaker = new CircuitBreaker({
      clock,
      store,
      windowMs: 10_000,
      failureThreshold: 3,
      coolDownMs: 5_000,
      probeTimeoutMs: 20_000,
      ...options,
    });
    const events: BreakerEvent[] = [];
    breaker.events.on((event) => events.push(event));
    return { clock, store, breaker, events };
  }

  it('opens after N failures within the window and refuses calls until the cool-down ends', async () => {
    const { clock, breaker, events } = setUp();
    await call(breaker, 'failure');
    await call(breaker, 'failure');
    expect(await breaker.snapshot(KEY)).toMatchObject({ state: 'closed', failures: 2 });
    await call(breaker, 'failure');

    expect(events).toEqual([
      {
        type: 'breaker-opened',
        key: KEY,
        at: 1_000_000,
        reason: 'failure-count',
        failures: 3,
        nextAttemptAt: 1_005_000,
      },
    ]);
    expect(await breaker.acquire(KEY)).toEqual({
      allowed: false,
      state: 'open',
      retryAt: 1_005_000,
    });
    await clock.advance(4_999);
    expect(await breaker.acquire(KEY)).toMatchObject({ allowed: false, retryAt: 1_005_000 });
    expect(await breaker.snapshot(KEY)).toMatchObject({
      state: 'open',
      openedAt: 1_000_000,
      nextAttemptAt: 1_005_000,
    });
    // Other keys are other breakers.
    expect((await breaker.acquire('anthropic/claude')).allowed).toBe(true);
  });

  it('forgets failures that slide out of the window', async () => {
    const { clock, breaker } = setUp();
    await call(breaker, 'failure');
    await call(breaker, 'failure');
    await clock.advance(10_000);
    await call(breaker, 'failure');
    expect(await breaker.snapshot(KEY)).toMatchObject({ state: 'closed', failures: 1 });
  });

  it('after the cool-down lets exactly one of 10 concurrent calls through as the probe', async () => {
    const { clock, breaker, events } = setUp();
    for (let index = 0; index < 3; index++) await call(breaker, 'failure');
    await clock.advance(5_000);

    const permits = await Promise.all(Array.from({ length: 10 }, () => breaker.acquire(KEY)));
    const probes = permits.filter((permit) => permit.allowed);
    expect(probes).toHaveLength(1);
    expect(probes[0]).toMatchObject({ allowed: true, probe: true });
    for (const refused of permits.filter((permit) => !permit.allowed)) {
      expect(refused).toEqual({ allowed: false, state: 'half-open', retryAt: 1_005_000 + 20_000 });
    }
    expect(events.map((event) => event.type)).toEqual(['breaker-opened', 'breaker-half-opened']);
    expect(await breaker.snapshot(KEY)).toMatchObject({
      state: 'half-open',
      probeStartedAt: 1_005_000,
    });
  });

  it('closes when the probe succeeds', async () => {
    const { clock, breaker, events } = setUp();
    for (let index = 0; index < 3; index++) await call(breaker, 'failure');
    await clock.advance(5_000);
    await allowed(await breaker.acquire(KEY)).release('success');

    expect(events.at(-1)).toEqual({ type: 'breaker-closed', key: KEY, at: 1_005_000 });
    expect(await breaker.snapshot(KEY)).toMatchObject({ state: 'closed', failures: 0 });
    expect(await breaker.acquire(KEY)).toMatchObject({ allowed: true, probe: false });
  });

  it('opens again when the probe fails, for a growing cool-down', async () => {
    const { clock, breaker, events } = setUp({ coolDownGrowth: { factor: 2, maxMs: 15_000 } });
    for (let index = 0; index < 3; index++) await call(breaker, 'failure');

    const expectedCoolDowns = [10_000, 15_000, 15_000];
    await clock.advance(5_000);
    for (const coolDown of expectedCoolDowns) {
      await allowed(await breaker.acquire(KEY)).release('failure');
      expect(events.at(-1)).toMatchObject({ type: 'breaker-opened', reason: 'probe-failed' });
      expect(await breaker.acquire(KEY)).toEqual({
        allowed: false,
        state: 'open',
        retryAt: clock.now() + coolDown,
      });
      await clock.advance(coolDown);
    }
    // A success resets the growth.
    await allowed(await breaker.acquire(KEY)).release('success');
    for (let index = 0; index < 3; index++) await call(breaker, 'failure');
    expect(await breaker.snapshot(KEY)).toMatchObject({ nextAttemptAt: clock.now() + 5_000 });
  });

  it('frees the slot of a stuck probe after probeTimeoutMs, and ignores the stale probe afterwards', async () => {
    const { clock, breaker, events } = setUp();
    for (let index = 0; index < 3; index++) await call(breaker, 'failure');
    await clock.advance(5_000);
    const stuck = allowed(await breaker.acquire(KEY));

    await clock.advance(19_999);
    expect((await breaker.acquire(KEY)).allowed).toBe(false);
    await clock.advance(1);
    const second = allowed(await breaker.acquire(KEY));
    expect(second.probe).toBe(true);

    await stuck.release('success');
    expect(await breaker.snapshot(KEY)).toMatchObject({ state: 'half-open' });
    await second.release('success');
    expect(await breaker.snapshot(KEY)).toMatchObject({ state: 'closed' });
    expect(events.map((event) => event.type)).toEqual([
      'breaker-opened',
      'breaker-half-opened',
      'breaker-closed',
    ]);
  });

  it('lets the next caller probe at once when the probe is cancelled', async () => {
    const { clock, breaker } = setUp();
    for (let index = 0; index < 3; index++) await call(breaker, 'failure');
    await clock.advance(5_000);
    await allowed(await breaker.acquire(KEY)).release('cancelled');
    expect(await breaker.acquire(KEY)).toMatchObject({ allowed: true, probe: true });
  });

  it('opens when the failure rate over the minimum number of calls exceeds the threshold', async () => {
    const { breaker, events } = setUp({
      failureThreshold: 100,
      failureRate: { threshold: 0.5, minimumCalls: 10 },
    });
    for (let index = 0; index < 4; index++) await call(breaker, 'failure');
    expect(await breaker.snapshot(KEY)).toMatchObject({
      state: 'closed',
      failures: 4,
      successes: 0,
    });

    for (let index = 0; index < 5; index++) await call(breaker, 'success');
    await call(breaker, 'failure'); // 5 of 10: not above one half
    expect(await breaker.snapshot(KEY)).toMatchObject({
      state: 'closed',
      failures: 5,
      successes: 5,
    });

    await call(breaker, 'failure'); // 6 of 11
    expect(events).toEqual([
      expect.objectContaining({ type: 'breaker-opened', reason: 'failure-rate', failures: 6 }),
    ]);
  });

  it('ignores outcomes that arrive after the breaker opened, and a second release', async () => {
    const { breaker } = setUp();
    const slow = allowed(await breaker.acquire(KEY));
    const permit = allowed(await breaker.acquire(KEY));
    await permit.release('failure');
    await permit.release('failure');
    expect(await breaker.snapshot(KEY)).toMatchObject({ failures: 1 });

    await call(breaker, 'failure');
    await call(breaker, 'failure');
    await slow.release('success');
    expect(await breaker.snapshot(KEY)).toMatchObject({ state: 'open' });
  });

  it('shares one breaker between two instances on one store (two processes)', async () => {
    const { clock, store, breaker: first } = setUp();
    const second = new CircuitBreaker({
      clock,
      store,
      windowMs: 10_000,
      failureThreshold: 3,
      coolDownMs: 5_000,
    });

    await call(first, 'failure');
    await call(second, 'failure');
    await call(first, 'failure');
    expect(await second.acquire(KEY)).toEqual({
      allowed: false,
      state: 'open',
      retryAt: 1_005_000,
    });

    await clock.advance(5_000);
    const [fromFirst, fromSecond] = await Promise.all([first.acquire(KEY), second.acquire(KEY)]);
    expect([fromFirst, fromSecond].filter((permit) => permit.allowed)).toHaveLength(1);
    const probe = allowed(fromFirst.allowed ? fromFirst : fromSecond);
    await probe.release('success');
    expect(await first.snapshot(KEY)).toMatchObject({ state: 'closed' });
    expect(await second.snapshot(KEY)).toMatchObject({ state: 'closed' });
  });
});

describe('CircuitBreaker when the store fails', () => {
  it('lets calls through and reports the error instead of failing the caller', async () => {
    const errors: string[] = [];
    const broken: BreakerStateStore = {
      load: () => Promise.reject(new Error('redis down')),
      compareAndSet: () => Promise.reject(new Error('redis down')),
    };
    const breaker = new CircuitBreaker({
      store: broken,
      clock: new ManualClock(),
      onStoreError: (error, operation) => errors.push(`${operation}: ${(error as Error).message}`),
    });
    const permit = allowed(await breaker.acquire(KEY));
    await permit.release('failure');
    expect(errors).toEqual(['acquire: redis down', 'release: redis down']);
  });

  it('keeps a throwing listener away from the caller', async () => {
    const seen: unknown[] = [];
    const breaker = new CircuitBreaker({
      clock: new ManualClock(),
      failureThreshold: 1,
      onListenerError: (error) => seen.push(error),
    });
    breaker.events.on(() => {
      throw new Error('metrics exploded');
    });
    await call(breaker, 'failure');
    expect(seen).toHaveLength(1);
    expect(await breaker.snapshot(KEY)).toMatchObject({ state: 'open' });
  });

  it('rejects a failure-rate threshold outside (0, 1)', () => {
    expect(() => new CircuitBreaker({ failureRate: { threshold: 1.5, minimumCalls: 10 } })).toThrow(
      RangeError,
    );
  });
});
