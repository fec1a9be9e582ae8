/**
 * A budget reached under concurrency by two `tollgate serve` processes that
 * share one Postgres (budgets) and one Redis (spend counters): together they
 * overshoot the hard limit by at most the calls in flight, and both refuse
 * from then on. Runs when REDIS_URL and DATABASE_URL are set.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateCost } from '@tollgate/core';
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

/** The cost of one call answered with the `chat-text` fixture, priced as gpt-4o-mini. */
const CALL_NANOS = calculateCost('gpt-4o-mini', {
  inputTokens: 19,
  outputTokens: 10,
  cachedInputTokens: 4,
}).costNanos;

describeWithService('REDIS_URL', 'a budget shared by two server processes', (redisUrl) => {
  const directory = createTempDir();
  let database: PostgresTestDatabase | undefined;
  let upstream: ScriptedUpstream;
  let first: ServerProcess;
  let second: ServerProcess;

  function send(server: ServerProcess, path: string, key: string, body: unknown) {
    return fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  beforeAll(async () => {
    const adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) throw new Error('this test needs DATABASE_URL as well as REDIS_URL');
    database = await createPostgresTestDatabase(adminUrl);
    upstream = await startOpenAIUpstream();
    upstream.fallback = replyFor(openAIWire('openai'), 'text');
    const routes = join(directory.path, 'routes.yaml');
    writeFileSync(
      routes,
      `routes:\n  - model: shared-budget\n    deployments:\n      - { provider: openai, model: gpt-4o-mini, baseUrl: "${upstream.url}/v1", apiKeyEnv: TEST_OPENAI_KEY, maxRetries: 0 }\n`,
    );
    const environment = {
      REDIS_URL: redisUrl,
      DATABASE_URL: database.url,
      CLICKHOUSE_URL: '',
      TOLLGATE_ROUTES: routes,
      TEST_OPENAI_KEY: 'sk-test',
      TOLLGATE_SECRET_KEY: 'b'.repeat(64),
    };
    first = await startServerProcess(
      { ...environment, TOLLGATE_DATA_DIR: join(directory.path, 'first') },
      120_000,
    );
    second = await startServerProcess(
      { ...environment, TOLLGATE_DATA_DIR: join(directory.path, 'second') },
      120_000,
    );
  }, 300_000);

  afterAll(async () => {
    await Promise.all([first?.kill('SIGTERM'), second?.kill('SIGTERM')]);
    await upstream?.close();
    await database?.drop();
    directory.remove();
  });

  it('holds the combined spend to the limit plus the calls in flight', async () => {
    const adminKey = first.adminKey!;
    const projectKey = first.projectKey!;
    const amountNanos = 8 * CALL_NANOS;
    const created = await send(first, '/api/v1/admin/budgets', adminKey, {
      scope: 'org',
      period: 'month',
      amount_usd: (amountNanos / 1e9).toFixed(9),
    });
    expect(created.status).toBe(201);
    const concurrency = 6;
    let succeeded = 0;
    const refusedBy = new Set<string>();
    for (let wave = 0; wave < 10; wave++) {
      const statuses = await Promise.all(
        Array.from({ length: concurrency }, (_, index) =>
          send(index % 2 === 0 ? first : second, '/v1/chat/completions', projectKey, {
            model: 'shared-budget',
            messages: [{ role: 'user', content: 'hi' }],
          }).then(async (response) => {
            if (response.status === 402) {
              const body = (await response.json()) as { error: { code: string } };
              expect(body.error.code).toBe('budget_exceeded');
              refusedBy.add(index % 2 === 0 ? 'first' : 'second');
            } else await response.body?.cancel();
            return response.status;
          }),
        ),
      );
      expect(statuses.every((status) => status === 200 || status === 402)).toBe(true);
      succeeded += statuses.filter((status) => status === 200).length;
      if (statuses.every((status) => status === 402)) break;
    }
    expect(refusedBy).toEqual(new Set(['first', 'second']));
    expect(succeeded).toBeGreaterThanOrEqual(7);
    expect(succeeded * CALL_NANOS).toBeLessThan(amountNanos + concurrency * CALL_NANOS);
    expect(upstream.requests.length).toBe(succeeded);
  });
});
