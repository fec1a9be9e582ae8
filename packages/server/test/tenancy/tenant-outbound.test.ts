/**
 * Org B misbehaves: it points deployments and webhooks at loopback, metadata
 * and private addresses, at names that resolve there, and at Tollgate itself.
 * Everything is refused by the outbound policy (the default: nothing
 * private is allowed), nothing reaches the targets, error texts reveal
 * nothing of what answered, and org A (the operator) sees no change.
 */
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import type { OutboundLookup } from '../../src/outbound/outbound-policy';
import { adminSender, json, type ErrorAnswer } from '../helpers/admin-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Every name resolves to loopback, as a rebinding name would after a write-time check. */
const rebindingLookup: OutboundLookup = (_hostname, callback) =>
  callback(null, [{ address: '127.0.0.1', family: 4 }]);

let server: TestServer;
let target: Server;
let targetPort: number;
const targetHits: string[] = [];
let orgB: { adminKey: string; gatewayKey: string };
const send = adminSender(() => server);

function listen(on: Server | TcpServer): Promise<number> {
  return new Promise((resolve) =>
    on.listen(0, '127.0.0.1', () => resolve((on.address() as AddressInfo).port)),
  );
}

beforeAll(async () => {
  // An internal service: answers anything, with a body that must never reach a caller.
  target = createServer((request, response) => {
    targetHits.push(request.url ?? '');
    response.writeHead(404, { 'content-type': 'text/plain' }).end('internal-secret-page');
  });
  targetPort = await listen(target);
  server = await startTestServer({
    environment: { TOLLGATE_OUTBOUND_ALLOW: '' },
    build: { outbound: { lookup: rebindingLookup } },
  });
  const { meta } = server.app.stores;
  const organization = await meta.createOrganization({ name: 'org b' });
  const project = await meta.createProject({ orgId: organization.id, name: 'b' });
  orgB = {
    adminKey: (
      await issueApiKey(meta, { orgId: organization.id, name: 'b admin', scopes: ['admin'] })
    ).secret,
    gatewayKey: (
      await issueApiKey(meta, {
        orgId: organization.id,
        projectId: project.id,
        name: 'b gateway',
        scopes: ['gateway'],
      })
    ).secret,
  };
}, 120_000);

afterAll(async () => {
  await server?.close();
  target?.closeAllConnections();
  await new Promise((resolve) => target?.close(resolve));
});

function putRoute(model: string, baseUrl: string, key: string, extra: object = {}) {
  return send(
    'PUT',
    `/api/v1/admin/routes/${model}`,
    {
      deployments: [
        { id: 'd', provider: 'openai-compatible', model: 'm', baseUrl, maxRetries: 0, ...extra },
      ],
    },
    key,
  );
}

function chat(model: string, key: string): Promise<Response> {
  return server.request('/v1/chat/completions', {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe("a tenant's deployments", () => {
  it.each([
    `http://127.0.0.1:${4000}/v1`,
    'http://localhost:8080/v1',
    'http://169.254.169.254/latest/meta-data',
    'http://metadata.google.internal/computeMetadata/v1',
    'http://[::1]:4000/',
    'http://[::ffff:127.0.0.1]/',
    'http://10.0.0.5:8000/v1',
    'http://192.168.1.10/',
    'http://0.0.0.0:4000/',
  ])('refuses the base URL %s when stored, with a 400 naming the field', async (baseUrl) => {
    const answer = await json<ErrorAnswer>(await putRoute('ssrf', baseUrl, orgB.adminKey), 400);
    expect(answer.error.details?.field).toBe('deployments.0.baseUrl');
    expect(answer.error.message).toContain('refused by outbound policy');
  });

  it('refuses a base URL with a query string, which would steer the provider’s path', async () => {
    const answer = await json<ErrorAnswer>(
      await putRoute('steer', 'https://api.example.com/admin?x=', orgB.adminKey),
      400,
    );
    expect(answer.error.details?.field).toBe('deployments.0.baseUrl');
  });

  it('refuses a Host header and Tollgate’s own headers on a deployment', async () => {
    const answer = await json<ErrorAnswer>(
      await putRoute('hosted', 'https://api.example.com/v1', orgB.adminKey, {
        headers: { Host: 'metadata.google.internal' },
      }),
      400,
    );
    expect(answer.error.details?.field).toBe('deployments.0.headers.Host');
  });

  it('refuses at connect time a name that resolves to loopback (DNS rebinding)', async () => {
    await json(
      await putRoute('rebind', `http://rebind.example.com:${targetPort}/v1`, orgB.adminKey),
      200,
    );
    const before = targetHits.length;
    const response = await chat('rebind', orgB.gatewayKey);
    const text = await response.text();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(text).toContain('refused by outbound policy');
    expect(text).not.toContain('internal-secret-page');
    expect(targetHits).toHaveLength(before);
  });
});

describe("a tenant's webhooks", () => {
  it.each(['http://127.0.0.1:9/hook', 'http://169.254.169.254/', 'http://localhost/hook'])(
    'refuses the budget webhook %s',
    async (url) => {
      const answer = await json<ErrorAnswer>(
        await send(
          'POST',
          '/api/v1/admin/budgets',
          { scope: 'org', amount_usd: 5, webhook_url: url },
          orgB.adminKey,
        ),
        400,
      );
      expect(answer.error.details?.field).toBe('webhook_url');
    },
  );

  it('refuses an alert rule whose webhook is internal', async () => {
    const answer = await json<ErrorAnswer>(
      await send(
        'POST',
        '/api/v1/admin/alerts',
        {
          name: 'internal',
          kind: 'breaker_open',
          forSeconds: 1,
          webhook: { url: `http://127.0.0.1:${targetPort}/hook` },
        },
        orgB.adminKey,
      ),
      400,
    );
    expect(answer.error.details?.field).toBe('webhook.url');
  });
});

describe('loops back into Tollgate', () => {
  it('refuses any request carrying the outbound header with 508 loop_detected', async () => {
    const response = await server.request('/api/v1/events', {
      headers: { 'x-tollgate-outbound': '1' },
    });
    const answer = await json<ErrorAnswer>(response, 508);
    expect(answer.error.code).toBe('loop_detected');
  });

  it("ends a route pointing at Tollgate itself at the first hop, even the operator's", async () => {
    const key = server.tenant.adminKey;
    await json(
      await putRoute('loop', `${server.url}/v1`, key, {
        apiKey: undefined,
        headers: { authorization: `Bearer ${server.tenant.projectKey}` },
      }),
      200,
    );
    const response = await chat('loop', server.tenant.projectKey);
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(await response.text()).not.toContain('loop_detected');
  });
});

describe("what the operator's own deployments may tell a caller", () => {
  let silent: TcpServer;
  let silentPort: number;

  beforeAll(async () => {
    // Open, but not HTTP: writes garbage and closes.
    silent = createTcpServer((socket) =>
      socket.end('SSH-2.0-OpenSSH_9.0\r\n', () => socket.destroy()),
    );
    silentPort = await listen(silent);
  });
  afterAll(() => new Promise((resolve) => silent.close(resolve)));

  async function errorOf(model: string, baseUrl: string): Promise<string> {
    await json(await putRoute(model, baseUrl, server.tenant.adminKey), 200);
    const response = await chat(model, server.tenant.projectKey);
    expect(response.status).toBeGreaterThanOrEqual(400);
    return ((await response.json()) as { error: { message: string } }).error.message;
  }

  it('says the same for a closed port and an open port that does not speak HTTP', async () => {
    const closed = await errorOf('closed', 'http://127.0.0.1:9/v1');
    const open = await errorOf('open', `http://127.0.0.1:${silentPort}/v1`);
    expect(closed).toBe(open);
    expect(closed).toContain('no HTTP answer');
  });

  it('never quotes a body that is not the provider’s documented error shape', async () => {
    const message = await errorOf('page', `http://127.0.0.1:${targetPort}/v1`);
    expect(message).not.toContain('internal-secret-page');
    expect(message).toContain('HTTP 404');
  });
});

describe('the well-behaved org', () => {
  it('is served as before while the other org misbehaves', async () => {
    const response = await server.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'simulated/fine',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(response.status).toBe(200);
  });
});
