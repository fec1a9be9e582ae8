/**
 * Admin and API inputs the stores cannot keep (NUL, unpaired surrogates) and
 * time ranges outside what events can have are a 400 naming the field, never
 * a 500 (issue 13, item 7); nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSender, expectInvalid, json } from '../helpers/admin-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
const send = adminSender(() => server);
const HOSTILE = { nul: 'before\u0000after', surrogate: 'half \ud800 pair' } as const;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe.each(Object.entries(HOSTILE))('admin inputs holding a %s', (kind, text) => {
  const says = kind === 'nul' ? /NUL/ : /surrogate/;

  async function expectRefused(response: Response, field: string) {
    const body = await response.clone().text();
    await expectInvalid(response, field);
    expect(body).toMatch(says);
  }

  it('a project name is refused, and no project is made', async () => {
    const before = await json<{ projects: unknown[] }>(
      await send('GET', '/api/v1/admin/projects'),
      200,
    );
    await expectRefused(await send('POST', '/api/v1/admin/projects', { name: text }), 'name');
    const after = await json<{ projects: unknown[] }>(
      await send('GET', '/api/v1/admin/projects'),
      200,
    );
    expect(after.projects).toHaveLength(before.projects.length);
  });

  it('a project id in the path or a query is refused', async () => {
    if (kind === 'surrogate') {
      // A URL carries UTF-8, which has no unpaired surrogate: its nearest, the bytes
      // ED A0 80, is malformed UTF-8 and refused as such.
      const path = await send('PATCH', '/api/v1/admin/projects/half%ED%A0%80', { name: 'x' });
      expect(path.status).toBe(400);
      const query = await send('GET', '/api/v1/events?project_id=half%ED%A0%80');
      expect([400, 404]).toContain(query.status);
      return;
    }
    await expectRefused(
      await send('PATCH', `/api/v1/admin/projects/${encodeURIComponent(text)}`, { name: 'x' }),
      'id',
    );
    await expectRefused(
      await send('GET', `/api/v1/events?project_id=${encodeURIComponent(text)}`),
      'project_id',
    );
    await expectRefused(await send('GET', `/api/v1/runs/${encodeURIComponent(text)}`), 'runId');
  });

  it('a budget scope_id is refused, and no budget is made', async () => {
    await expectRefused(
      await send('POST', '/api/v1/admin/budgets', {
        scope: 'user',
        scope_id: text,
        amount_usd: '5',
      }),
      'scope_id',
    );
    const budgets = await json<{ budgets: unknown[] }>(
      await send('GET', '/api/v1/admin/budgets'),
      200,
    );
    expect(budgets.budgets).toHaveLength(0);
  });

  it('a flag description and an override user id are refused', async () => {
    await expectRefused(
      await send('PUT', '/api/v1/admin/flags/new-checkout', { default: true, description: text }),
      'description',
    );
    await expectRefused(
      await send('PUT', '/api/v1/admin/flags/new-checkout', {
        default: true,
        overrides: [{ user_id: text, enabled: false }],
      }),
      'overrides.0.user_id',
    );
    const flags = await json<{ flags: unknown[] }>(await send('GET', '/api/v1/admin/flags'), 200);
    expect(flags.flags).toHaveLength(0);
  });

  it('a prompt template and text nested in a route body are refused', async () => {
    await expectRefused(
      await send('POST', `/api/v1/prompts?project_id=${server.tenant.projectId}`, {
        name: 'greeting',
        template: text,
      }),
      'template',
    );
    await expectRefused(
      await send('PUT', '/api/v1/admin/routes/hostile-model', {
        deployments: [{ provider: 'simulated', model: text }],
      }),
      'deployments.0.model',
    );
  });
});

describe('time range parameters', () => {
  it.each([
    ['from', 'from=8640000000000000'],
    ['to', 'from=8640000000000001&to=8640000000000002'],
    ['to', 'to=99999999999999999999'],
    ['from', 'from=1900-01-01T00:00:00Z'],
    ['to', 'from=2300-01-01T00:00:00Z&to=2300-01-02T00:00:00Z'],
  ])('a %s outside 1970..2299 is a 400 naming it (%s)', async (field, query) => {
    for (const path of ['/api/v1/events', '/api/v1/analytics/cost', '/api/v1/runs/any-run']) {
      const response = await server.request(`${path}?${query}`);
      await expectInvalid(response, field);
    }
  });

  it('a range inside the bounds still reads', async () => {
    const response = await server.request('/api/v1/events?from=0&to=86400000');
    expect(response.status).toBe(200);
  });
});
