import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { createTempDir } from '../helpers/temp-dir';
import { adminSender } from '../helpers/admin-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';

interface DeploymentHealth {
  id: string;
  provider: string;
  model: string;
  routes: string[];
  breaker: {
    state: 'closed' | 'open' | 'half-open';
    failures_in_window: number | null;
    opened_at: string | null;
    next_attempt_at: string | null;
  };
  calls: {
    successes: number;
    failures: number;
    error_rate: number | null;
    last_latency_ms: number | null;
    last_outcome: 'success' | 'failure' | null;
    last_attempt_at: string | null;
  };
}

let server: TestServer;
let upstream: ScriptedUpstream;
const directory = createTempDir();

const send = adminSender(() => server);

function chat(model: string) {
  return send(
    'POST',
    '/v1/chat/completions',
    { model, messages: [{ role: 'user', content: 'Say hello' }] },
    server.tenant.projectKey,
  );
}

async function health(key = server.tenant.projectKey): Promise<DeploymentHealth[]> {
  const response = await server.request('/api/v1/providers/health', { key });
  expect(response.status).toBe(200);
  return ((await response.json()) as { deployments: DeploymentHealth[] }).deployments;
}

async function healthOf(id: string): Promise<DeploymentHealth> {
  const found = (await health()).find((deployment) => deployment.id === id);
  if (!found) throw new Error(`deployment ${id} is not in the health answer`);
  return found;
}

beforeAll(async () => {
  upstream = await startOpenAIUpstream();
  const routes = join(directory.path, 'routes.yaml');
  writeFileSync(
    routes,
    `routes:
  - model: file-simulated
    deployments:
      - { id: shared-sim, provider: simulated, model: simulated/shared }
`,
  );
  server = await startTestServer({
    environment: { TOLLGATE_ROUTES: routes, TOLLGATE_BREAKER_FAILURES: '2' },
  });
  const admin = async (path: string, body: unknown) =>
    expect((await send('PUT', path, body)).status).toBe(200);
  await admin('/api/v1/admin/credentials/flaky-key', { provider: 'openai', apiKey: 'sk-flaky' });
  await admin('/api/v1/admin/routes/flaky', {
    deployments: [
      {
        id: 'flaky-openai',
        provider: 'openai',
        model: 'gpt-4o-mini',
        baseUrl: `${upstream.url}/v1`,
        credential: 'flaky-key',
        maxRetries: 0,
      },
    ],
  });
  // The same deployment as the file route's: one entry, serving both routes.
  await admin('/api/v1/admin/routes/org-simulated', {
    deployments: [{ id: 'shared-sim', provider: 'simulated', model: 'simulated/shared' }],
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await upstream?.close();
  directory.remove();
});

describe('GET /api/v1/providers/health', () => {
  it("lists every deployment of the org's and the file's routes, closed before any call", async () => {
    const deployments = await health();
    expect(deployments.map((deployment) => deployment.id)).toEqual(['flaky-openai', 'shared-sim']);
    const shared = deployments[1]!;
    expect(shared).toMatchObject({
      provider: 'simulated',
      model: 'simulated/shared',
      routes: ['file-simulated', 'org-simulated'],
      breaker: { state: 'closed', failures_in_window: 0, next_attempt_at: null },
      calls: { successes: 0, failures: 0, error_rate: null, last_latency_ms: null },
    });
  });

  it('reports the latency and error rate of the calls made', async () => {
    expect((await chat('org-simulated')).status).toBe(200);
    const shared = await healthOf('shared-sim');
    expect(shared.calls).toMatchObject({ successes: 1, failures: 0, error_rate: 0 });
    expect(shared.calls.last_latency_ms).toEqual(expect.any(Number));
    expect(shared.calls.last_outcome).toBe('success');
    expect(Number.isNaN(Date.parse(shared.calls.last_attempt_at!))).toBe(false);
  });

  it('shows the breaker open, with the next attempt time, after scripted failures', async () => {
    upstream.script('server-error');
    expect((await chat('flaky')).status).toBeGreaterThanOrEqual(500);
    const afterOne = await healthOf('flaky-openai');
    expect(afterOne.breaker).toMatchObject({ state: 'closed', failures_in_window: 1 });

    upstream.script('server-error');
    expect((await chat('flaky')).status).toBeGreaterThanOrEqual(500);
    const opened = await healthOf('flaky-openai');
    expect(opened.breaker.state).toBe('open');
    expect(opened.breaker.failures_in_window).toBeNull();
    const nextAttempt = Date.parse(opened.breaker.next_attempt_at!);
    expect(nextAttempt).toBeGreaterThan(Date.now());
    expect(nextAttempt).toBeLessThanOrEqual(Date.parse(opened.breaker.opened_at!) + 30_000);
    expect(opened.calls).toMatchObject({
      successes: 0,
      failures: 2,
      error_rate: 1,
      last_outcome: 'failure',
    });

    // While open, calls fail fast without reaching the upstream.
    const reached = upstream.requests.length;
    expect((await chat('flaky')).status).toBeGreaterThanOrEqual(500);
    expect(upstream.requests.length).toBe(reached);
  });

  it("shows another org only its own routes' deployments", async () => {
    const other = await server.app.stores.meta.createOrganization({ name: 'other org' });
    const key = await issueApiKey(server.app.stores.meta, {
      orgId: other.id,
      name: 'other reader',
      scopes: ['read'],
    });
    const deployments = await health(key.secret);
    expect(deployments.map((deployment) => deployment.id)).toEqual(['shared-sim']);
    expect(deployments[0]!.routes).toEqual(['file-simulated']);
  });

  it('needs a key with the read scope', async () => {
    const response = await server.request('/api/v1/providers/health', { key: 'tg_not_a_key' });
    expect(response.status).toBe(401);
    const ingestOnly = await issueApiKey(server.app.stores.meta, {
      orgId: server.tenant.orgId,
      projectId: server.tenant.projectId,
      name: 'ingest only',
      scopes: ['ingest'],
    });
    const refused = await server.request('/api/v1/providers/health', { key: ingestOnly.secret });
    expect(refused.status).toBe(403);
  });
});

describe('GET /api/v1/admin/routes-file', () => {
  it("lists the file's routes read-only, without where they go, marking the org's overrides", async () => {
    const response = await server.request('/api/v1/admin/routes-file', {
      key: server.tenant.adminKey,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      routes: [
        {
          model: 'file-simulated',
          overridden: false,
          config: {
            deployments: [
              {
                id: 'shared-sim',
                provider: 'simulated',
                model: 'simulated/shared',
                priority: 0,
                weight: 1,
                timeoutMs: 60_000,
                maxRetries: 1,
              },
            ],
            cacheTtlSeconds: 0,
            deadlineMs: 120_000,
          },
        },
      ],
    });
    const put = await send('PUT', '/api/v1/admin/routes/file-simulated', {
      deployments: [{ provider: 'simulated', model: 'simulated/own' }],
    });
    expect(put.status).toBe(200);
    const after = (await (
      await server.request('/api/v1/admin/routes-file', { key: server.tenant.adminKey })
    ).json()) as { routes: { model: string; overridden: boolean }[] };
    expect(after.routes).toEqual([expect.objectContaining({ overridden: true })]);
    expect((await send('DELETE', '/api/v1/admin/routes/file-simulated')).status).toBe(204);
  });

  it('is for org admin keys only', async () => {
    const response = await server.request('/api/v1/admin/routes-file');
    expect(response.status).toBe(403);
  });
});
