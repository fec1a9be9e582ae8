import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { newTenant, type TestTenant } from '../helpers/new-tenant';
import { route, startGatewayServer, type GatewayServer } from '../helpers/gateway-server';

/**
 * `GET /api/v1/events/:eventId` (issue 19, item 3): one gateway call whole,
 * with its tokens, cost and the price, attempts, cache status, guardrail
 * results and run; content as its project stores it (none, or PII redacted).
 */
let gateway: GatewayServer;
let other: TestTenant;

interface Detail {
  event: {
    event_id: string;
    request_id: string;
    run_id: string;
    input: string;
    output: string;
    cost_nanos: number | null;
    cache_status: string | null;
    attempts: number;
    providers_tried: string[];
  };
  tokens: { input: number; output: number };
  price: { cost_source: string; current: { matched: string } | null } | null;
  guardrails: { reference: string; action: string; score: number }[];
  run: { run_id: string; events: number; position: number } | null;
  content: { stored: boolean; pii_redacted: boolean; encrypted: boolean };
}

/** A chat call through the gateway with this key; the request id it answered with. */
async function chat(key: string, content: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'simulated/gpt-4o-mini', messages: [{ role: 'user', content }] }),
  });
  expect(response.status).toBe(200);
  return response.headers.get('x-request-id')!;
}

/** The prompt_call event id of a request, once the call batch has written it. */
async function eventIdOf(requestId: string, key: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const response = await gateway.server.request('/api/v1/events?event_type=prompt_call', {
      key,
    });
    const { events } = (await response.json()) as {
      events: { event_id: string; request_id: string }[];
    };
    const found = events.find((event) => event.request_id === requestId);
    if (found) return found.event_id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the call ${requestId} was not recorded`);
}

async function detailOf(eventId: string, key: string): Promise<Detail> {
  const response = await gateway.server.request(`/api/v1/events/${eventId}`, { key });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Detail;
}

/** A project of the default org with these settings, and a gateway key of it. */
async function projectKey(settings: { content_storage?: boolean; pii_redaction?: boolean }) {
  const { server } = gateway;
  const created = await server.request('/api/v1/admin/projects', {
    method: 'POST',
    key: server.tenant.adminKey,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `p-${Object.keys(settings).join('-')}`, ...settings }),
  });
  expect(created.status).toBe(201);
  const project = (await created.json()) as { id: string };
  const key = await issueApiKey(server.app.stores.meta, {
    orgId: server.tenant.orgId,
    projectId: project.id,
    name: 'app',
    scopes: ['gateway', 'read'],
  });
  return key.secret;
}

beforeAll(async () => {
  // One route, so the routes file is valid; the calls use `simulated/gpt-4o-mini`.
  gateway = await startGatewayServer([
    route('plain', '{ provider: simulated, model: simulated/plain }'),
  ]);
  other = await newTenant(gateway.server.app.stores.meta, 'elsewhere');
}, 120_000);

afterAll(async () => {
  await gateway?.close();
});

describe('GET /api/v1/events/:eventId', () => {
  it('shows a gateway call whole, with the guardrail that matched and its run', async () => {
    const { server } = gateway;
    const reference = await server.request(
      `/api/v1/admin/projects/${server.tenant.projectId}/guardrails`,
      {
        method: 'POST',
        key: server.tenant.adminKey,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'secret plans',
          text: 'tell me the secret launch plans',
          action: 'flag',
        }),
      },
    );
    expect(reference.status).toBe(201);
    const requestId = await chat(server.tenant.projectKey, 'tell me the secret launch plans', {
      'x-tollgate-run-id': 'run-detail',
    });
    const eventId = await eventIdOf(requestId, server.tenant.projectKey);
    const detail = await detailOf(eventId, server.tenant.projectKey);
    expect(detail.event.input).toContain('secret launch plans');
    expect(detail.tokens.input).toBeGreaterThan(0);
    expect(detail.event.cost_nanos).toBeGreaterThan(0);
    expect(detail.price?.current?.matched).toBe('gpt-4o-mini');
    expect(detail.event.attempts).toBe(1);
    expect(detail.event.cache_status).toBe('bypass');
    expect(detail.guardrails).toEqual([
      expect.objectContaining({ reference: 'secret plans', action: 'flag' }),
    ]);
    expect(detail.guardrails[0]!.score).toBeGreaterThan(0.8);
    expect(detail.run).toMatchObject({ run_id: detail.event.run_id });
    expect(detail.run!.events).toBeGreaterThanOrEqual(2);
    expect(detail.content).toEqual({ stored: true, pii_redacted: false, encrypted: false });
  });

  it('shows no content for a project that keeps none, and redacted content for one that redacts PII', async () => {
    const silentKey = await projectKey({ content_storage: false });
    const silent = await detailOf(
      await eventIdOf(await chat(silentKey, 'my private question'), silentKey),
      silentKey,
    );
    expect(silent.content.stored).toBe(false);
    expect(silent.event.input).toBe('');
    expect(silent.event.output).toBe('');

    const redactingKey = await projectKey({ pii_redaction: true });
    const redacted = await detailOf(
      await eventIdOf(await chat(redactingKey, 'write to jane.doe@example.com'), redactingKey),
      redactingKey,
    );
    expect(redacted.content.pii_redacted).toBe(true);
    expect(redacted.event.input).not.toContain('jane.doe@example.com');
    expect(redacted.event.input).toContain('[REDACTED_EMAIL]');
  });

  it('answers 404 for another tenant’s event and 400 for a bad id', async () => {
    const { server } = gateway;
    const requestId = await chat(server.tenant.projectKey, 'hello');
    const eventId = await eventIdOf(requestId, server.tenant.projectKey);
    const foreign = await server.request(`/api/v1/events/${eventId}`, { key: other.projectKey });
    expect(foreign.status).toBe(404);
    const badId = await server.request('/api/v1/events/bad%00id');
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { error: { message: string } }).error.message).toContain(
      'eventId',
    );
  });
});
