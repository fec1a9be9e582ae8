/**
 * Gateway rate limits over HTTP: 429 in OpenAI's format with Retry-After and
 * `x-ratelimit-*` headers, token limits settled to the real usage, and
 * limiting in memory (no 5xx) when Redis is unreachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface CreatedKey {
  id: string;
  secret: string;
}

async function createKey(
  server: TestServer,
  rateLimits: Record<string, number>,
): Promise<CreatedKey> {
  const response = await server.request('/api/v1/admin/keys', {
    method: 'POST',
    key: server.tenant.adminKey,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'limited',
      scopes: ['gateway'],
      project_id: server.tenant.projectId,
      rate_limits: rateLimits,
    }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as CreatedKey;
}

function chat(server: TestServer, key: string, body: Record<string, unknown> = {}) {
  return server.request('/v1/chat/completions', {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'simulated/limits',
      messages: [{ role: 'user', content: 'Say hello' }],
      ...body,
    }),
  });
}

describe('rate limits in memory', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it('answers the call over the limit with a 429 in OpenAI format, with headers', async () => {
    const key = await createKey(server, { requests_per_minute: 3 });
    for (let call = 1; call <= 3; call++) {
      const response = await chat(server, key.secret);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('3');
      expect(response.headers.get('x-ratelimit-remaining-requests')).toBe(String(3 - call));
      expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+s$/);
    }
    const refused = await chat(server, key.secret);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const body = (await refused.json()) as { error: Record<string, unknown> };
    expect(body.error).toEqual({
      message: expect.stringContaining('Rate limit reached'),
      type: 'rate_limit_error',
      param: null,
      code: 'rate_limit_exceeded',
    });
    // Another key of the same project is not limited by this key's limit.
    expect((await chat(server, server.tenant.projectKey)).status).toBe(200);
  });

  it('holds a route’s own limit for every key of the org, and refuses a bad one naming the field', async () => {
    const putRoute = (rateLimits: unknown) =>
      server.request('/api/v1/admin/routes/routed-limited', {
        method: 'PUT',
        key: server.tenant.adminKey,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          deployments: [{ id: 'sim', provider: 'simulated', model: 'simulated/routed' }],
          rateLimits,
        }),
      });
    const bad = await putRoute({ requestsPerMinute: -1 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('rateLimits.requestsPerMinute');
    expect((await putRoute({ requestsPerMinute: 2 })).status).toBe(200);

    const other = await createKey(server, {});
    const statuses: number[] = [];
    for (const key of [server.tenant.projectKey, other.secret, server.tenant.projectKey]) {
      statuses.push((await chat(server, key, { model: 'routed-limited' })).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    // Other models are not held by this route's limit.
    expect((await chat(server, other.secret)).status).toBe(200);
  });

  it('charges the estimated tokens up front and settles to the real usage', async () => {
    const key = await createKey(server, { tokens_per_minute: 6_000 });
    // Each call reserves ~5,000 tokens (max_tokens) but uses far fewer: settled, a second fits.
    const first = await chat(server, key.secret, { max_tokens: 5_000 });
    expect(first.status).toBe(200);
    const usage = ((await first.json()) as { usage: { total_tokens: number } }).usage;
    expect(usage.total_tokens).toBeLessThan(500);
    const second = await chat(server, key.secret, { max_tokens: 5_000 });
    expect(second.status).toBe(200);
    const remaining = Number(second.headers.get('x-ratelimit-remaining-tokens'));
    // After admission: 6,000 - first call's real usage - second call's estimate.
    expect(remaining).toBeLessThan(1_000);
    expect(remaining).toBeGreaterThan(0);
    // A call whose estimate alone is over the limit never fits.
    const tooBig = await chat(server, key.secret, { max_tokens: 7_000 });
    expect(tooBig.status).toBe(429);
  });

  it('limits a project across its keys', async () => {
    const projectResponse = await server.request('/api/v1/admin/projects', {
      method: 'POST',
      key: server.tenant.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'limited-project', rate_limits: { requests_per_minute: 2 } }),
    });
    const project = (await projectResponse.json()) as { id: string };
    const keys: string[] = [];
    for (let index = 0; index < 2; index++) {
      const response = await server.request('/api/v1/admin/keys', {
        method: 'POST',
        key: server.tenant.adminKey,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `k${index}`, scopes: ['gateway'], project_id: project.id }),
      });
      keys.push(((await response.json()) as CreatedKey).secret);
    }
    expect((await chat(server, keys[0]!)).status).toBe(200);
    expect((await chat(server, keys[1]!)).status).toBe(200);
    expect((await chat(server, keys[0]!)).status).toBe(429);
    expect((await chat(server, keys[1]!)).status).toBe(429);
  });
});

describe('rate limits with Redis unreachable', () => {
  let server: TestServer;

  beforeAll(async () => {
    // Nothing listens on port 1: every Redis call fails.
    server = await startTestServer({ environment: { REDIS_URL: 'redis://127.0.0.1:1' } });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it('keeps limiting in memory and never answers 5xx', async () => {
    const key = await createKey(server, { requests_per_minute: 2 });
    const statuses: number[] = [];
    for (let call = 0; call < 4; call++) statuses.push((await chat(server, key.secret)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(server.app.governance.rateLimiter.fallbacks).toBeGreaterThanOrEqual(4);
  });
});
