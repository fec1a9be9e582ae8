import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { credentialAssociatedData } from '../../src/secrets/secret-box';
import { adminSender, type ErrorAnswer } from '../helpers/admin-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';

let server: TestServer;
let upstream: ScriptedUpstream;
/** Org B: its own admin key, to prove org A's configuration is out of its reach. */
let otherOrgId: string;
let otherAdminKey: string;

const send = adminSender(() => server);

function chat(model: string) {
  return send(
    'POST',
    '/v1/chat/completions',
    { model, messages: [{ role: 'user', content: 'Say hello' }] },
    server.tenant.projectKey,
  );
}

async function expectError(response: Response, status: number, code: string, field?: string) {
  expect(response.status).toBe(status);
  const answer = (await response.json()) as ErrorAnswer;
  expect(answer.error.code).toBe(code);
  if (field !== undefined) {
    expect(answer.error.details?.field).toBe(field);
    expect(answer.error.message.startsWith(`${field}: `)).toBe(true);
  }
  return answer;
}

beforeAll(async () => {
  [server, upstream] = await Promise.all([startTestServer(), startOpenAIUpstream()]);
  const other = await server.app.stores.meta.createOrganization({ name: 'other org' });
  otherOrgId = other.id;
  otherAdminKey = (
    await issueApiKey(server.app.stores.meta, {
      orgId: other.id,
      name: 'other admin',
      scopes: ['admin', 'read'],
    })
  ).secret;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

describe('admin API: gateway routes', () => {
  it('creates a route the gateway serves at once, and deleting it unroutes the model', async () => {
    const put = await send('PUT', '/api/v1/admin/routes/admin-simulated', {
      deployments: [{ id: 'admin-sim', provider: 'simulated', model: 'simulated/admin' }],
    });
    expect(put.status).toBe(200);
    const created = (await put.json()) as {
      model: string;
      config: { model: string; deployments: Array<Record<string, unknown>> };
      updated_at: string;
    };
    expect(created.model).toBe('admin-simulated');
    // The model is filled in from the path and the defaults are stored with the route.
    expect(created.config.model).toBe('admin-simulated');
    expect(created.config.deployments[0]).toMatchObject({ priority: 0, weight: 1, maxRetries: 1 });
    expect(Number.isNaN(Date.parse(created.updated_at))).toBe(false);

    const served = await chat('admin-simulated');
    expect(served.status).toBe(200);
    expect(served.headers.get('x-tollgate-provider')).toBe('simulated');
    expect(served.headers.get('x-tollgate-model')).toBe('simulated/admin');

    const one = await send('GET', '/api/v1/admin/routes/admin-simulated');
    expect(((await one.json()) as { model: string }).model).toBe('admin-simulated');
    const list = (await (await send('GET', '/api/v1/admin/routes')).json()) as {
      routes: Array<{ model: string }>;
    };
    expect(list.routes.map((route) => route.model)).toContain('admin-simulated');

    const deleted = await send('DELETE', '/api/v1/admin/routes/admin-simulated');
    expect(deleted.status).toBe(204);
    expect((await chat('admin-simulated')).status).toBe(404);
    await expectError(await send('GET', '/api/v1/admin/routes/admin-simulated'), 404, 'not_found');
    await expectError(
      await send('DELETE', '/api/v1/admin/routes/admin-simulated'),
      404,
      'not_found',
    );
  });

  it('replaces a route in place, and takes URL-encoded model names holding "/"', async () => {
    const path = '/api/v1/admin/routes/team%2Fchat';
    const first = { deployments: [{ id: 'one', provider: 'simulated', model: 'simulated/one' }] };
    const second = {
      model: 'team/chat',
      deployments: [{ id: 'two', provider: 'simulated', model: 'simulated/two' }],
    };
    expect((await send('PUT', path, first)).status).toBe(200);
    expect((await chat('team/chat')).headers.get('x-tollgate-model')).toBe('simulated/one');
    expect((await send('PUT', path, second)).status).toBe(200);
    expect((await chat('team/chat')).headers.get('x-tollgate-model')).toBe('simulated/two');
    const stored = (await (await send('GET', path)).json()) as { model: string };
    expect(stored.model).toBe('team/chat');
    expect((await send('DELETE', path)).status).toBe(204);
  });

  it('refuses an invalid route with a 400 naming the field', async () => {
    const put = (body: unknown) => send('PUT', '/api/v1/admin/routes/bad', body);
    const simulated = { provider: 'simulated', model: 'simulated/x' };
    await expectError(
      await put({ model: 'other', deployments: [simulated] }),
      400,
      'invalid_request',
      'model',
    );
    await expectError(await put({ deployments: [] }), 400, 'invalid_request', 'deployments');
    await expectError(
      await put({ deployments: [{ provider: 'nope', model: 'x' }] }),
      400,
      'invalid_request',
      'deployments.0.provider',
    );
    await expectError(
      await put({ deployments: [{ ...simulated, timeoutMs: 5 }] }),
      400,
      'invalid_request',
      'deployments.0.timeoutMs',
    );
    await expectError(
      await put({ deployments: [simulated], surprise: true }),
      400,
      'invalid_request',
    );
    await expectError(await put(['not', 'an', 'object']), 400, 'invalid_request', 'body');
    await expectError(
      await put({ deployments: [simulated, { ...simulated, credential: 'missing-key' }] }),
      400,
      'invalid_request',
      'deployments.1.credential',
    );
    await expectError(
      await put({
        deployments: [{ provider: 'openai', model: 'gpt-4o', apiKeyEnv: 'TOLLGATE_SECRET_KEY' }],
      }),
      400,
      'invalid_request',
      'deployments.0.apiKeyEnv',
    );
    await expectError(
      await put({ deployments: [simulated, { ...simulated, priority: 1 }] }),
      400,
      'invalid_request',
      'deployments.1',
    );
    await expectError(
      await put({ deployments: [{ ...simulated, options: { errorRate: 2 } }] }),
      400,
      'invalid_request',
      'deployments.0.options.errorRate',
    );
    await expectError(await send('GET', '/api/v1/admin/routes/bad'), 404, 'not_found');
  });
});

describe('admin API: provider credentials', () => {
  const secret = 'sk-admin-test-0123456789';

  it('stores the key encrypted, never answers it, and the gateway sends it upstream', async () => {
    const put = await send('PUT', '/api/v1/admin/credentials/upstream-key', {
      provider: 'openai',
      apiKey: secret,
    });
    expect(put.status).toBe(200);
    const text = await put.text();
    expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toMatchObject({ name: 'upstream-key', provider: 'openai' });

    const listed = await (await send('GET', '/api/v1/admin/credentials')).text();
    expect(listed).not.toContain(secret);
    expect(JSON.parse(listed)).toEqual({
      credentials: [{ name: 'upstream-key', provider: 'openai', created_at: expect.any(String) }],
    });

    const orgId = server.tenant.orgId;
    const stored = await server.app.stores.meta.getProviderCredentialCiphertext(
      orgId,
      'upstream-key',
    );
    expect(stored?.provider).toBe('openai');
    expect(stored!.ciphertext).not.toContain(secret);
    const { secretBox } = server.app.gateway;
    expect(
      secretBox.decrypt(stored!.ciphertext, credentialAssociatedData(orgId, 'upstream-key')),
    ).toBe(secret);
    // Bound to its org and name: the same ciphertext is useless under another org.
    expect(() =>
      secretBox.decrypt(stored!.ciphertext, credentialAssociatedData(otherOrgId, 'upstream-key')),
    ).toThrow();

    const route = await send('PUT', '/api/v1/admin/routes/admin-openai', {
      deployments: [
        {
          id: 'admin-openai',
          provider: 'openai',
          model: 'gpt-4o-mini',
          baseUrl: `${upstream.url}/v1`,
          credential: 'upstream-key',
          maxRetries: 0,
        },
      ],
    });
    expect(route.status).toBe(200);
    upstream.script('text');
    const served = await chat('admin-openai');
    expect(served.status).toBe(200);
    expect(served.headers.get('x-tollgate-provider')).toBe('openai');
    expect(upstream.lastRequest().headers.authorization).toBe(`Bearer ${secret}`);

    // A replaced key is used from the next call on.
    await send('PUT', '/api/v1/admin/credentials/upstream-key', {
      provider: 'openai',
      apiKey: 'sk-rotated',
    });
    upstream.script('text');
    expect((await chat('admin-openai')).status).toBe(200);
    expect(upstream.lastRequest().headers.authorization).toBe('Bearer sk-rotated');
  });

  it('refuses to delete a credential a route uses, then deletes it', async () => {
    const refused = await expectError(
      await send('DELETE', '/api/v1/admin/credentials/upstream-key'),
      409,
      'conflict',
    );
    expect(refused.error.details?.routes).toEqual(['admin-openai']);
    expect((await send('DELETE', '/api/v1/admin/routes/admin-openai')).status).toBe(204);
    expect((await send('DELETE', '/api/v1/admin/credentials/upstream-key')).status).toBe(204);
    await expectError(
      await send('DELETE', '/api/v1/admin/credentials/upstream-key'),
      404,
      'not_found',
    );
    expect(
      await server.app.stores.meta.getProviderCredentialCiphertext(
        server.tenant.orgId,
        'upstream-key',
      ),
    ).toBeUndefined();
  });

  it('refuses an invalid credential with a 400 naming the field', async () => {
    await expectError(
      await send('PUT', '/api/v1/admin/credentials/k1', { provider: 'nope', apiKey: 'x' }),
      400,
      'invalid_request',
      'provider',
    );
    await expectError(
      await send('PUT', '/api/v1/admin/credentials/k1', { provider: 'openai', apiKey: ' ' }),
      400,
      'invalid_request',
      'apiKey',
    );
    await expectError(
      await send('PUT', '/api/v1/admin/credentials/k1', { provider: 'openai' }),
      400,
      'invalid_request',
      'apiKey',
    );
    await expectError(
      await send('PUT', '/api/v1/admin/credentials/bad%20name', {
        provider: 'openai',
        apiKey: 'x',
      }),
      400,
      'invalid_request',
      'name',
    );
  });
});

describe('admin API: who may use it', () => {
  const endpoints: Array<[string, string, unknown?]> = [
    ['GET', '/api/v1/admin/routes'],
    ['GET', '/api/v1/admin/routes/any'],
    [
      'PUT',
      '/api/v1/admin/routes/any',
      { deployments: [{ provider: 'simulated', model: 'simulated/x' }] },
    ],
    ['DELETE', '/api/v1/admin/routes/any'],
    ['GET', '/api/v1/admin/credentials'],
    ['PUT', '/api/v1/admin/credentials/any', { provider: 'openai', apiKey: 'sk-x' }],
    ['DELETE', '/api/v1/admin/credentials/any'],
  ];

  it('answers 401 without a key and 403 to project keys, even one carrying "admin"', async () => {
    const projectAdmin = await issueApiKey(server.app.stores.meta, {
      orgId: server.tenant.orgId,
      projectId: server.tenant.projectId,
      name: 'project key with admin',
      scopes: ['admin'],
    });
    for (const [method, path, body] of endpoints) {
      await expectError(await send(method, path, body, server.tenant.projectKey), 403, 'forbidden');
      await expectError(await send(method, path, body, projectAdmin.secret), 403, 'forbidden');
      await expectError(await send(method, path, body, 'tg_not_a_key'), 401, 'unauthorized');
    }
    const routes = await server.app.stores.meta.listGatewayRoutes(server.tenant.orgId);
    expect(routes.map((route) => route.model)).not.toContain('any');
  });

  it("keeps each org's routes and credentials out of another org's reach", async () => {
    await send('PUT', '/api/v1/admin/credentials/shared-name', { provider: 'openai', apiKey: 'a' });
    const route = {
      deployments: [{ id: 'org-a', provider: 'simulated', model: 'simulated/org-a' }],
    };
    expect((await send('PUT', '/api/v1/admin/routes/org-a-model', route)).status).toBe(200);

    const asOther = (method: string, path: string, body?: unknown) =>
      send(method, path, body, otherAdminKey);
    const otherRoutes = (await (await asOther('GET', '/api/v1/admin/routes')).json()) as {
      routes: unknown[];
    };
    expect(otherRoutes.routes).toEqual([]);
    const otherCredentials = (await (await asOther('GET', '/api/v1/admin/credentials')).json()) as {
      credentials: unknown[];
    };
    expect(otherCredentials.credentials).toEqual([]);
    await expectError(await asOther('GET', '/api/v1/admin/routes/org-a-model'), 404, 'not_found');
    await expectError(
      await asOther('DELETE', '/api/v1/admin/routes/org-a-model'),
      404,
      'not_found',
    );
    await expectError(
      await asOther('DELETE', '/api/v1/admin/credentials/shared-name'),
      404,
      'not_found',
    );
    // Org A's credential name means nothing in org B.
    await expectError(
      await asOther('PUT', '/api/v1/admin/routes/org-b-model', {
        deployments: [{ provider: 'openai', model: 'gpt-4o', credential: 'shared-name' }],
      }),
      400,
      'invalid_request',
      'deployments.0.credential',
    );
    // The same model name in org B is org B's own route; org A's is untouched.
    const otherRoute = {
      deployments: [{ id: 'org-b', provider: 'simulated', model: 'simulated/org-b' }],
    };
    expect((await asOther('PUT', '/api/v1/admin/routes/org-a-model', otherRoute)).status).toBe(200);
    const stillA = (await (await send('GET', '/api/v1/admin/routes/org-a-model')).json()) as {
      config: { deployments: Array<{ id: string }> };
    };
    expect(stillA.config.deployments[0]!.id).toBe('org-a');
    expect((await chat('org-a-model')).headers.get('x-tollgate-model')).toBe('simulated/org-a');
    expect(
      await server.app.stores.meta.getProviderCredentialCiphertext(otherOrgId, 'shared-name'),
    ).toBeUndefined();
    expect(
      await server.app.stores.meta.getProviderCredentialCiphertext(
        server.tenant.orgId,
        'shared-name',
      ),
    ).toBeDefined();
  });
});
