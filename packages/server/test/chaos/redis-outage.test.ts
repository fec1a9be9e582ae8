/**
 * Redis outage during load: the server's Redis (a redis-server this test
 * starts on a free port, never the machine's shared one) is killed while
 * clients call the gateway and ingest. No call gets a 5xx, rate limits keep
 * holding in the process's memory, and once Redis is back the limits are
 * counted in Redis again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { describeWithService } from '../helpers/services';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { printSummary } from './chaos-support';

const LOAD_CLIENTS = 4;
const LIMIT = 4;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A throwaway redis-server (no persistence); resolves once it answers PING. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    for (let waited = 0; ; waited += 50) {
      try {
        await probe.connect();
        await probe.ping();
        return child;
      } catch (error) {
        if (waited > 10_000) throw error;
        probe.disconnect();
        await sleep(50);
      }
    }
  } finally {
    probe.disconnect();
  }
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function limitedKey(server: TestServer, limit: number): Promise<string> {
  const response = await postJson(
    server,
    '/api/v1/admin/keys',
    {
      name: 'chaos-limited',
      scopes: ['gateway'],
      project_id: server.tenant.projectId,
      rate_limits: { requests_per_minute: limit },
    },
    server.tenant.adminKey,
  );
  expect(response.status).toBe(201);
  return ((await response.json()) as { secret: string }).secret;
}

async function chat(server: TestServer, key?: string): Promise<number> {
  const response = await server.request('/v1/chat/completions', {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'simulated/redis-outage',
      messages: [{ role: 'user', content: 'Say hello' }],
    }),
  });
  await response.text();
  return response.status;
}

/**
 * Calls with a fresh key limited to LIMIT requests per minute until one is
 * refused: how many were admitted, and how long the calls took. A sliding
 * window may admit a few more when a minute boundary passes, never twice the limit.
 */
async function admittedUntilRefused(server: TestServer): Promise<{ admitted: number; ms: number }> {
  const key = await limitedKey(server, LIMIT);
  const started = performance.now();
  for (let admitted = 0; admitted < 2 * LIMIT; admitted += 1) {
    const status = await chat(server, key);
    if (status === 429) return { admitted, ms: Math.round(performance.now() - started) };
    expect(status).toBe(200);
  }
  throw new Error(`a key limited to ${LIMIT} requests per minute was not refused`);
}

describeWithService('REDIS_URL', 'chaos: Redis outage during load', () => {
  it('answers without a 5xx while Redis is down, limits in memory, then returns to Redis', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const inspector = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
    inspector.on('error', () => undefined);
    const server = await startTestServer({
      environment: { REDIS_URL: `redis://127.0.0.1:${port}` },
    });
    const limiter = server.app.governance.rateLimiter;
    const statuses = new Map<number, number>();
    let stop = false;
    const started = Date.now();
    try {
      const load = Array.from({ length: LOAD_CLIENTS }, async (_, client) => {
        for (let call = 0; !stop; call += 1) {
          const status =
            client === 0
              ? (await postJson(server, '/api/v1/events', [{ event_type: 'custom', name: 'r' }]))
                  .status
              : await chat(server);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      });

      // Redis up: limits counted in Redis.
      const before = await admittedUntilRefused(server);
      expect(before.admitted).toBeGreaterThanOrEqual(LIMIT);
      expect(limiter.fallbacks).toBe(0);
      await inspector.connect();
      expect(await inspector.dbsize()).toBeGreaterThan(0);
      inspector.disconnect();

      // Redis gone: the same limit holds in memory, nothing fails.
      await stopRedis(redis);
      await sleep(500);
      const during = await admittedUntilRefused(server);
      const fallbacksDuring = limiter.fallbacks;
      expect(during.admitted).toBeGreaterThanOrEqual(LIMIT);
      expect(fallbacksDuring).toBeGreaterThanOrEqual(LIMIT + 1);

      // Redis back (empty): once the limiter reconnects (a call under a limit that
      // no longer falls back), limits are counted in Redis again.
      redis = await startRedis(port);
      const probeKey = await limitedKey(server, 1_000_000);
      let settled = limiter.fallbacks;
      for (let waited = 0; waited < 30_000; waited += 250) {
        await chat(server, probeKey);
        if (limiter.fallbacks === settled) break;
        settled = limiter.fallbacks;
        await sleep(250);
      }
      const after = await admittedUntilRefused(server);
      expect(after.admitted).toBeGreaterThanOrEqual(LIMIT);
      expect(limiter.fallbacks).toBe(settled);
      await inspector.connect();
      const keysAfter = await inspector.dbsize();
      expect(keysAfter).toBeGreaterThan(0);

      stop = true;
      await Promise.all(load);
      const fiveHundreds = [...statuses]
        .filter(([status]) => status >= 500)
        .reduce((sum, [, count]) => sum + count, 0);
      const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
      printSummary(
        'Redis outage',
        `${total} calls under load over ${((Date.now() - started) / 1000).toFixed(0)} s with Redis killed and restarted ` +
          `(statuses ${[...statuses].map(([status, count]) => `${status}=${count}`).join(' ')}), 5xx ${fiveHundreds}; ` +
          `limit ${LIMIT}/min held before (${before.admitted} admitted, ${before.ms} ms), during (${during.admitted}, ${during.ms} ms, ${fallbacksDuring} calls limited in memory) ` +
          `and after (${after.admitted}, ${after.ms} ms), ` +
          `back in Redis afterwards (${keysAfter} keys)`,
      );
      expect(fiveHundreds).toBe(0);
      expect([...statuses.keys()].every((status) => status === 200)).toBe(true);
    } finally {
      stop = true;
      inspector.disconnect();
      await server.close();
      await stopRedis(redis);
    }
  }, 180_000);
});
