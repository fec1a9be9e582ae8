import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createHotStore, RedisHotStore } from '../../../src/stores/hot';
import { describeWithService } from '../../helpers/services';
import { runHotStoreContract } from './hot-store-contract';

const randomNamespace = () => `tollgate-test:${randomBytes(6).toString('hex')}:`;

describeWithService('REDIS_URL', 'Redis hot store', (redisUrl) => {
  const namespaces: string[] = [];
  const newNamespace = () => {
    const namespace = randomNamespace();
    namespaces.push(namespace);
    return namespace;
  };

  afterAll(async () => {
    // Leave the shared Redis as it was found.
    const redis = new Redis(redisUrl);
    try {
      for (const namespace of namespaces) {
        const keys: string[] = [];
        for await (const batch of redis.scanStream({ match: `${namespace}*`, count: 500 })) {
          keys.push(...(batch as string[]));
        }
        if (keys.length > 0) await redis.del(...keys);
      }
    } finally {
      await redis.quit();
    }
  });

  runHotStoreContract({
    kind: 'redis',
    ttlMs: 200,
    async create() {
      const store = createHotStore({ redisUrl, namespace: newNamespace() });
      // Redis keeps real time: the test waits.
      return { store, advanceTime: (ms) => sleep(ms) };
    },
  });

  describe('namespaces', () => {
    it('prefixes every key, so stores with different namespaces do not meet', async () => {
      const namespace = newNamespace();
      const first = new RedisHotStore({ redisUrl, namespace });
      const second = new RedisHotStore({ redisUrl, namespace: newNamespace() });
      const raw = new Redis(redisUrl);
      try {
        await first.set('shared-name', 'first');
        await first.increment('counter', 1, 10_000);
        expect(await second.get('shared-name')).toBeNull();
        expect(await raw.get(`${namespace}shared-name`)).toBe('first');
        const ttl = await raw.pttl(`${namespace}counter`);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(10_000);
      } finally {
        await Promise.all([first.close(), second.close(), raw.quit()]);
      }
    });

    it('uses tollgate: by default', () => {
      const store = new RedisHotStore({ redisUrl });
      expect(store.namespace).toBe('tollgate:');
      return store.close();
    });
  });
});

describe('Redis hot store with no server', () => {
  it('fails a call fast, reporting connection errors to onError instead of crashing', async () => {
    const errors: Error[] = [];
    const store = createHotStore({
      redisUrl: 'redis://127.0.0.1:1',
      namespace: randomNamespace(),
      onError: (error) => errors.push(error),
    });
    try {
      const started = Date.now();
      await expect(store.get('anything')).rejects.toThrow();
      await expect(store.ping()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
