/**
 * Two `tollgate serve` processes sharing one Postgres (meta store) and one
 * Redis (hot state): a key revoked through one is refused by the other on its
 * very next request, though the other had it in its key cache; and a rate
 * limit holds across both. Runs when REDIS_URL and DATABASE_URL are set.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { describeWithService } from '../helpers/services';
import { createTempDir } from '../helpers/temp-dir';
import {
  createPostgresTestDatabase,
  type PostgresTestDatabase,
} from '../stores/meta/postgres-test-database';

describeWithService('REDIS_URL', 'governance shared by two server processes', (redisUrl) => {
  const directory = createTempDir();
  let database: PostgresTestDatabase | undefined;
  let first: ServerProcess;
  let second: ServerProcess;
  let adminKey: string;

  function send(server: ServerProcess, method: string, path: string, key: string, body?: unknown) {
    return fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  beforeAll(async () => {
    const adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) throw new Error('this test needs DATABASE_URL as well as REDIS_URL');
    database = await createPostgresTestDatabase(adminUrl);
    const environment = {
      REDIS_URL: redisUrl,
      DATABASE_URL: database.url,
      CLICKHOUSE_URL: '',
      TOLLGATE_KEY_CACHE_MS: '600000',
      TOLLGATE_SECRET_KEY: 'a'.repeat(64),
    };
    // The first bootstraps the shared meta store (and prints its keys); the second finds it.
    first = await startServerProcess(
      { ...environment, TOLLGATE_DATA_DIR: join(directory.path, 'first') },
      120_000,
    );
    second = await startServerProcess(
      { ...environment, TOLLGATE_DATA_DIR: join(directory.path, 'second') },
      120_000,
    );
    adminKey = first.adminKey!;
  }, 300_000);

  afterAll(async () => {
    await Promise.all([first?.kill('SIGTERM'), second?.kill('SIGTERM')]);
    await database?.drop();
    directory.remove();
  });

  it('a key revoked through one process is refused by the other on the next request', async () => {
    expect(adminKey).toMatch(/^tg_/);
    const createdResponse = await send(first, 'POST', '/api/v1/admin/keys', adminKey, {
      name: 'short-lived',
      scopes: ['read'],
    });
    expect(createdResponse.status).toBe(201);
    const created = (await createdResponse.json()) as { id: string; secret: string };
    // Both processes verify it and keep it in their (ten-minute) key caches.
    for (const server of [first, second]) {
      for (let call = 0; call < 2; call++) {
        expect((await send(server, 'GET', '/api/v1/admin/audit', created.secret)).status).toBe(403);
        expect((await send(server, 'GET', '/api/v1/events', created.secret)).status).toBe(200);
      }
    }
    const revoked = await send(first, 'DELETE', `/api/v1/admin/keys/${created.id}`, adminKey);
    expect(revoked.status).toBe(200);
    expect((await send(second, 'GET', '/api/v1/events', created.secret)).status).toBe(401);
    expect((await send(first, 'GET', '/api/v1/events', created.secret)).status).toBe(401);
    // Other keys still work in both.
    expect((await send(second, 'GET', '/api/v1/events', adminKey)).status).toBe(200);
  });

  it('holds the combined rate of both processes to the key’s limit', async () => {
    const createdResponse = await send(first, 'POST', '/api/v1/admin/keys', adminKey, {
      name: 'limited',
      scopes: ['gateway'],
      project_id: (
        (await (await send(first, 'GET', '/api/v1/admin/projects', adminKey)).json()) as {
          projects: { id: string }[];
        }
      ).projects[0]!.id,
      rate_limits: { requests_per_minute: 10 },
    });
    const key = ((await createdResponse.json()) as { secret: string }).secret;
    const statuses = await Promise.all(
      Array.from({ length: 24 }, (_, index) =>
        send(index % 2 === 0 ? first : second, 'POST', '/v1/chat/completions', key, {
          model: 'simulated/shared-limit',
          messages: [{ role: 'user', content: 'hi' }],
        }).then((response) => response.status),
      ),
    );
    const admitted = statuses.filter((status) => status === 200).length;
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    // Within one request per window (a minute boundary during the burst may let one more by).
    expect(admitted).toBeGreaterThanOrEqual(10);
    expect(admitted).toBeLessThanOrEqual(11);
  });
});
