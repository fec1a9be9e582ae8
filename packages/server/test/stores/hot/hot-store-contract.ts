import type { HotStore } from '@tollgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

export interface HotStoreUnderTest {
  store: HotStore;
  /** Lets `ms` pass for the store: a fake clock moves, or the test really waits. */
  advanceTime(ms: number): Promise<void>;
}

export interface HotStoreContractOptions {
  kind: HotStore['kind'];
  /** A new store with nothing in it; the contract closes it. */
  create(): Promise<HotStoreUnderTest>;
  /** The TTL the expiry tests use; short when time really passes. Default 200 ms. */
  ttlMs?: number;
}

/** The behaviour every HotStore implementation must have (STYLE.md item 13). */
export function runHotStoreContract({ kind, create, ttlMs = 200 }: HotStoreContractOptions): void {
  describe(`HotStore contract (${kind})`, () => {
    let store: HotStore;
    let advanceTime: (ms: number) => Promise<void>;
    /** Enough time for a key set now with ttlMs to have expired. */
    const pastTtl = () => advanceTime(ttlMs + 100);

    beforeEach(async () => {
      ({ store, advanceTime } = await create());
    });

    afterEach(async () => {
      await store.close();
    });

    it('reports its kind and answers ping', async () => {
      expect(store.kind).toBe(kind);
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe('get, set and delete', () => {
      it('reads null for a key never set', async () => {
        expect(await store.get('absent')).toBeNull();
      });

      it('reads back what was set, the latest write winning', async () => {
        await store.set('greeting', 'hello');
        expect(await store.get('greeting')).toBe('hello');
        await store.set('greeting', 'hello again');
        expect(await store.get('greeting')).toBe('hello again');
        expect(await store.get('other')).toBeNull();
      });

      it('keeps values exactly, empty and unicode included', async () => {
        const values = ['', ' spaced ', 'üñí©ødé ✓', '{"json":[1,2]}', 'line\nbreak'];
        for (const [index, value] of values.entries()) await store.set(`value:${index}`, value);
        for (const [index, value] of values.entries()) {
          expect(await store.get(`value:${index}`)).toBe(value);
        }
      });

      it('deletes a key, and deleting an absent key is fine', async () => {
        await store.set('doomed', 'x');
        await store.delete('doomed');
        expect(await store.get('doomed')).toBeNull();
        await expect(store.delete('never-there')).resolves.toBeUndefined();
      });

      it('expires a key set with a TTL', async () => {
        await store.set('session', 'open', ttlMs);
        await store.set('forever', 'kept');
        expect(await store.get('session')).toBe('open');
        await pastTtl();
        expect(await store.get('session')).toBeNull();
        expect(await store.get('forever')).toBe('kept');
      });

      it('clears the TTL when a key is set again without one', async () => {
        await store.set('promoted', 'temporary', ttlMs);
        await store.set('promoted', 'permanent');
        await pastTtl();
        expect(await store.get('promoted')).toBe('permanent');
      });

      it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('rejects a TTL of %s', async (ttl) => {
        await expect(store.set('bad-ttl', 'x', ttl)).rejects.toThrow(RangeError);
        await expect(store.increment('bad-ttl', 1, ttl)).rejects.toThrow(RangeError);
        await expect(store.compareAndSet('bad-ttl', null, 'x', ttl)).rejects.toThrow(RangeError);
        expect(await store.get('bad-ttl')).toBeNull();
      });
    });

    describe('increment', () => {
      it('counts 1, 2, 3 from nothing', async () => {
        expect(await store.increment('hits')).toBe(1);
        expect(await store.increment('hits')).toBe(2);
        expect(await store.increment('hits')).toBe(3);
        expect(await store.get('hits')).toBe('3');
      });

      it('adds any whole number, negative too', async () => {
        expect(await store.increment('tokens', 120)).toBe(120);
        expect(await store.increment('tokens', -20)).toBe(100);
        expect(await store.increment('tokens', 0)).toBe(100);
      });

      it('continues a counter written by set', async () => {
        await store.set('counter', '41');
        expect(await store.increment('counter')).toBe(42);
      });

      it('refuses a value that is not a counter, and a fractional increment', async () => {
        await store.set('word', 'abc');
        await expect(store.increment('word')).rejects.toThrow();
        expect(await store.get('word')).toBe('abc');
        await expect(store.increment('counter', 1.5)).rejects.toThrow(RangeError);
      });

      it('counts concurrent increments exactly', async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, () => store.increment('busy')),
        );
        expect([...results].sort((a, b) => a - b)).toEqual(
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
      });

      it('expires after the TTL given when the counter was created, and starts again', async () => {
        expect(await store.increment('window', 1, ttlMs)).toBe(1);
        expect(await store.increment('window', 1, ttlMs)).toBe(2);
        await pastTtl();
        expect(await store.get('window')).toBeNull();
        expect(await store.increment('window', 1, ttlMs)).toBe(1);
      });

      it('does not move the expiry on later increments', async () => {
        expect(await store.increment('fixed-window', 1, ttlMs)).toBe(1);
        await advanceTime(ttlMs / 2);
        expect(await store.increment('fixed-window', 1, ttlMs)).toBe(2);
        // 1.25 TTL after creation, but only 0.75 TTL after the second increment.
        await advanceTime(ttlMs * 0.75);
        expect(await store.get('fixed-window')).toBeNull();
      });

      it('never expires a counter created without a TTL', async () => {
        await store.increment('lifetime');
        await store.increment('lifetime', 1, ttlMs);
        await pastTtl();
        expect(await store.get('lifetime')).toBe('2');
      });
    });

    describe('compareAndSet', () => {
      it('lets exactly one of 20 concurrent callers claim an absent key', async () => {
        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, index) =>
            store.compareAndSet('leader', null, `node-${index}`),
          ),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
        const winner = claims.indexOf(true);
        expect(await store.get('leader')).toBe(`node-${winner}`);
      });

      it('sets only when the current value is the expected one', async () => {
        await store.set('state', 'closed');
        expect(await store.compareAndSet('state', 'open', 'half-open')).toBe(false);
        expect(await store.compareAndSet('state', null, 'half-open')).toBe(false);
        expect(await store.get('state')).toBe('closed');
        expect(await store.compareAndSet('state', 'closed', 'open')).toBe(true);
        expect(await store.get('state')).toBe('open');
        expect(await store.compareAndSet('absent', 'closed', 'open')).toBe(false);
        expect(await store.get('absent')).toBeNull();
      });

      it('tells an empty value from an absent key', async () => {
        await store.set('empty', '');
        expect(await store.compareAndSet('empty', null, 'x')).toBe(false);
        expect(await store.compareAndSet('empty', '', 'x')).toBe(true);
        expect(await store.compareAndSet('missing', '', 'x')).toBe(false);
        expect(await store.get('missing')).toBeNull();
      });

      it('applies the TTL it is given, and an expired key counts as absent', async () => {
        expect(await store.compareAndSet('probe', null, 'taken', ttlMs)).toBe(true);
        expect(await store.compareAndSet('probe', null, 'again', ttlMs)).toBe(false);
        await pastTtl();
        expect(await store.get('probe')).toBeNull();
        expect(await store.compareAndSet('probe', null, 'retaken')).toBe(true);
        expect(await store.get('probe')).toBe('retaken');
      });
    });

    describe('claimKeys, extendKeys, deleteKeys', () => {
      it('claims each absent key in one call and tells which were already held', async () => {
        expect(await store.claimKeys(['a', 'b'], ttlMs)).toEqual([true, true]);
        expect(await store.claimKeys(['b', 'c', 'a'], ttlMs)).toEqual([false, true, false]);
        expect(await store.claimKeys([], ttlMs)).toEqual([]);
      });

      it('lets exactly one of 20 concurrent callers claim a key', async () => {
        const answers = await Promise.all(
          Array.from({ length: 20 }, () => store.claimKeys(['contested'], ttlMs * 50)),
        );
        expect(answers.filter(([claimed]) => claimed)).toHaveLength(1);
      });

      it('frees a claim after its TTL, keeps an extended one, and frees a deleted one at once', async () => {
        await store.claimKeys(['short', 'long', 'given'], ttlMs);
        await store.extendKeys(['long', 'never-claimed'], ttlMs * 100);
        await store.deleteKeys(['given']);
        expect(await store.claimKeys(['given'], ttlMs)).toEqual([true]);
        await pastTtl();
        expect(await store.claimKeys(['short', 'long', 'never-claimed'], ttlMs)).toEqual([
          true,
          false,
          true,
        ]);
      });
    });
  });
}
