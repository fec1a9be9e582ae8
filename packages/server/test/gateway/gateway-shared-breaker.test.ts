/**
 * Two `tollgate serve` replicas sharing one Redis (and one meta store, so one
 * org) share their circuit breakers: a deployment whose breaker one process
 * opened for the org is skipped by the other, which then sends it no request
 * at all. Runs when REDIS_URL (and DATABASE_URL) are set.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { describeWithService } from '../helpers/services';
import { createTempDir } from '../helpers/temp-dir';
import { openAIWire, startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import { replyFor, type ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';
import {
  createPostgresTestDatabase,
  type PostgresTestDatabase,
} from '../stores/meta/postgres-test-database';
import { newRequestId, promptCallOf } from './gateway-call-records';

/** The part of a breaker key that names an upstream: a digest of its base URL, never the URL. */
function upstreamDigest(baseUrl: string): string {
  return createHash('sha256').update(baseUrl).digest('hex').slice(0, 12);
}

/** The servers' hot-store namespace (not configurable) and the breaker store's key prefix. */
const BREAKER_KEY_PREFIX = 'tollgate:breaker:';
const FIXTURE_TEXT = 'Hello! How can I help you today?';

describeWithService(
  'REDIS_URL',
  'breakers shared by two server processes through Redis',
  (redisUrl) => {
    const directory = createTempDir();
    let failing: ScriptedUpstream;
    let healthy: ScriptedUpstream;
    let first: ServerProcess;
    let second: ServerProcess;
    let redis: Redis;
    let database: PostgresTestDatabase | undefined;
    /** The project key of the org both replicas serve (printed by the first at bootstrap). */
    let projectKey: string;

    /** Only this run's breakers: their keys name our upstreams' random ports. */
    async function deleteOurBreakerKeys(): Promise<void> {
      for (const upstream of [failing, healthy]) {
        if (!upstream) continue;
        const keys: string[] = [];
        const match = `${BREAKER_KEY_PREFIX}*|${upstreamDigest(`${upstream.url}/v1`)}`;
        for await (const batch of redis.scanStream({ match, count: 500 })) {
          keys.push(...(batch as string[]));
        }
        if (keys.length > 0) await redis.del(...keys);
      }
    }

    function clientOf(server: ServerProcess): OpenAI {
      return new OpenAI({ apiKey: projectKey, baseURL: `${server.url}/v1`, maxRetries: 0 });
    }

    async function ask(server: ServerProcess, label: string) {
      const id = newRequestId(label);
      const { data, response } = await clientOf(server)
        .chat.completions.create(
          { model: 'shared', messages: [{ role: 'user', content: 'hi' }] },
          { headers: { 'x-request-id': id } },
        )
        .withResponse();
      expect(data.choices[0]!.message.content).toBe(FIXTURE_TEXT);
      return { id, attemptsHeader: response.headers.get('x-tollgate-attempts') };
    }

    beforeAll(async () => {
      const adminUrl = process.env.DATABASE_URL;
      if (!adminUrl) throw new Error('this test needs DATABASE_URL as well as REDIS_URL');
      database = await createPostgresTestDatabase(adminUrl);
      redis = new Redis(redisUrl);
      [failing, healthy] = await Promise.all([startOpenAIUpstream(), startOpenAIUpstream()]);
      failing.fallback = replyFor(openAIWire('openai'), 'server-error');
      healthy.fallback = replyFor(openAIWire('openai'), 'text');
      await deleteOurBreakerKeys();

      const routes = join(directory.path, 'routes.yaml');
      writeFileSync(
        routes,
        `routes:
  - model: shared
    deployments:
      - { id: failing, provider: openai, model: gpt-4o-mini, baseUrl: "${failing.url}/v1", apiKeyEnv: TEST_OPENAI_KEY, priority: 0, maxRetries: 0 }
      - { id: healthy, provider: openai, model: gpt-4o-mini, baseUrl: "${healthy.url}/v1", apiKeyEnv: TEST_OPENAI_KEY, priority: 1, maxRetries: 0 }
`,
      );
      const environment = {
        REDIS_URL: redisUrl,
        TOLLGATE_ROUTES: routes,
        TEST_OPENAI_KEY: 'sk-test-openai',
        TOLLGATE_BREAKER_FAILURES: '2',
        // Long enough to stay open for the whole test.
        TOLLGATE_BREAKER_COOLDOWN_MS: '60000',
        // Replicas: one meta store (so one org) and one Redis; each its own embedded event store.
        DATABASE_URL: database.url,
        CLICKHOUSE_URL: '',
      };
      // Each starts from source and opens two embedded stores: slow on a busy machine.
      const startTimeoutMs = 180_000;
      // One after the other: the first creates the org and prints its keys, the second finds it.
      first = await startServerProcess(
        { ...environment, TOLLGATE_DATA_DIR: join(directory.path, 'first') },
        startTimeoutMs,
      );
      second = await startServerProcess(
        { ...environment, TOLLGATE_DATA_DIR: join(directory.path, 'second') },
        startTimeoutMs,
      );
      projectKey = first.projectKey!;
    }, 240_000);

    afterAll(async () => {
      await Promise.all([first?.kill('SIGTERM'), second?.kill('SIGTERM')]);
      await Promise.all([failing?.close(), healthy?.close()]);
      await database?.drop();
      if (redis) {
        await deleteOurBreakerKeys();
        await redis.quit();
      }
      directory.remove();
    });

    it('process B skips the deployment whose breaker process A opened, without calling it', async () => {
      expect(projectKey).toMatch(/^tg_/);
      expect(second.projectKey).toBeUndefined();

      // Two failures through A open the failing deployment's breaker, in Redis.
      for (let call = 1; call <= 2; call++) {
        const { id, attemptsHeader } = await ask(first, `shared-a-${call}`);
        expect(attemptsHeader).toBe('2');
        expect(failing.requests).toHaveLength(call);
        expect(healthy.requests).toHaveLength(call);
        expect(await promptCallOf({ url: first.url, key: projectKey }, id)).toMatchObject({
          status: 'success',
          attempts: 2,
          providers_tried: ['failing', 'healthy'],
        });
      }
      const [breakerKey, ...others] = await redis.keys(
        `${BREAKER_KEY_PREFIX}*|failing|openai|gpt-4o-mini|${upstreamDigest(`${failing.url}/v1`)}`,
      );
      expect(others).toEqual([]);
      expect(JSON.parse((await redis.get(breakerKey!)) ?? '{}')).toMatchObject({ state: 'open' });

      // B has never called the failing upstream, yet skips it.
      const { id, attemptsHeader } = await ask(second, 'shared-b');
      expect(failing.requests).toHaveLength(2);
      expect(healthy.requests).toHaveLength(3);
      expect(attemptsHeader).toBe('1');
      expect(await promptCallOf({ url: second.url, key: projectKey }, id)).toMatchObject({
        status: 'success',
        attempts: 1,
        providers_tried: ['healthy'],
      });
    });
  },
);
