import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, type TestTenant } from '../helpers/new-tenant';
import { route, startGatewayServer, type GatewayServer } from '../helpers/gateway-server';

/**
 * What the dashboard needs from the API to tell the truth (issue 19, item 5):
 * who the key is without probing the admin API, a call's cache status, the
 * built-in flags and the names in the chargeback report.
 */
let gateway: GatewayServer;
let other: TestTenant;

async function json<T>(path: string, key: string): Promise<T> {
  const response = await gateway.server.request(path, { key });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

interface StoredEvent {
  request_id: string;
  cache_hit: boolean;
  cache_status: string | null;
}

/** The prompt_call events of these request ids, once the call batch has written them. */
async function eventsOf(requestIds: string[]): Promise<StoredEvent[]> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const answer = await json<{ events: StoredEvent[] }>(
      '/api/v1/events?event_type=prompt_call&limit=1000',
      gateway.server.tenant.projectKey,
    );
    const events = requestIds.map((id) => answer.events.find((event) => event.request_id === id));
    if (events.every(Boolean)) return events as StoredEvent[];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`events of ${requestIds.join(', ')} were not recorded`);
}

beforeAll(async () => {
  gateway = await startGatewayServer([
    [
      '  - model: cached',
      '    cacheTtlSeconds: 60',
      '    deployments:',
      '      - { provider: simulated, model: simulated/cached }',
    ].join('\n'),
    route('plain', '{ provider: simulated, model: simulated/plain }'),
  ]);
  other = await newTenant(gateway.server.app.stores.meta, 'Other Corp');
}, 120_000);

afterAll(async () => {
  await gateway?.close();
});

describe('GET /api/v1/me', () => {
  it('tells a project key it is one, with its project, and no admin', async () => {
    const { tenant } = gateway.server;
    const me = await json<{
      org: { id: string; name: string };
      project_id: string;
      admin: boolean;
      scopes: string[];
      projects: { id: string }[];
    }>('/api/v1/me', tenant.projectKey);
    expect(me.org.id).toBe(tenant.orgId);
    expect(me.project_id).toBe(tenant.projectId);
    expect(me.admin).toBe(false);
    expect(me.projects.map((project) => project.id)).toEqual([tenant.projectId]);
  });

  it('tells an org admin key it is an admin, with the org’s projects', async () => {
    const me = await json<{ project_id: null; admin: boolean; projects: { id: string }[] }>(
      '/api/v1/me',
      other.adminKey,
    );
    expect(me.admin).toBe(true);
    expect(me.project_id).toBeNull();
    expect(me.projects.map((project) => project.id)).toEqual([other.projectId]);
  });

  it('refuses a request without a valid key', async () => {
    const response = await gateway.server.request('/api/v1/me', { key: 'tg_nope' });
    expect(response.status).toBe(401);
  });
});

describe('cache status of gateway calls', () => {
  it('records hit, miss and bypass, and the API shows them', async () => {
    const ask = (model: string, headers: Record<string, string> = {}) =>
      gateway.openai.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'cache status' }] }, { headers })
        .withResponse();
    const first = await ask('cached');
    const second = await ask('cached');
    const skipped = await ask('cached', { 'x-tollgate-cache': 'bypass' });
    const uncached = await ask('plain');
    const ids = [first, second, skipped, uncached].map((call) =>
      call.response.headers.get('x-request-id')!,
    );
    const events = await eventsOf(ids);
    expect(events.map((event) => event.cache_status)).toEqual(['miss', 'hit', 'bypass', 'bypass']);
    // The headers the client saw say the same.
    expect(
      [first, second, skipped, uncached].map((call) =>
        call.response.headers.get('x-tollgate-cache'),
      ),
    ).toEqual(['miss', 'hit', 'bypass', 'bypass']);
    expect(events[1]!.cache_hit).toBe(true);
  });

  it('leaves the status unknown for a call an app reported itself', async () => {
    const response = await gateway.server.request('/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          event_type: 'prompt_call',
          request_id: 'sdk-reported',
          model: 'gpt-4o-mini',
          input_tokens: 1,
          output_tokens: 1,
        },
      ]),
    });
    expect(response.status).toBe(200);
    const [event] = await eventsOf(['sdk-reported']);
    expect(event!.cache_status).toBeNull();
  });
});

describe('admin flags and chargeback names', () => {
  it('lists the built-in flags with their defaults until the org defines them', async () => {
    const before = await json<{ built_in: { name: string; default: boolean; defined: boolean }[] }>(
      '/api/v1/admin/flags',
      other.adminKey,
    );
    expect(before.built_in).toEqual([
      { name: 'cache', default: true, defined: false },
      { name: 'guardrails', default: true, defined: false },
      { name: 'pii_redaction_upstream', default: false, defined: false },
    ]);
    const put = await gateway.server.request('/api/v1/admin/flags/cache', {
      method: 'PUT',
      key: other.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ default: false }),
    });
    expect(put.status).toBe(200);
    const after = await json<{ flags: { name: string }[]; built_in: { defined: boolean }[] }>(
      '/api/v1/admin/flags',
      other.adminKey,
    );
    expect(after.flags.map((flag) => flag.name)).toEqual(['cache']);
    expect(after.built_in[0]!.defined).toBe(true);
  });

  it('names the org (and a project key’s project) in the chargeback report', async () => {
    const report = await json<{ orgs: { org_name: string; project_name: string | null }[] }>(
      '/api/v1/analytics/chargeback',
      other.adminKey,
    );
    expect(report.orgs[0]).toMatchObject({ org_name: 'Other Corp', project_name: null });
    const project = await json<{ orgs: { org_name: string; project_name: string | null }[] }>(
      '/api/v1/analytics/chargeback',
      other.projectKey,
    );
    expect(project.orgs[0]).toMatchObject({ org_name: 'Other Corp', project_name: 'app' });
  });
});
