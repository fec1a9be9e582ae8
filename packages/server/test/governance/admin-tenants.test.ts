/**
 * The tenant admin API over HTTP: orgs, projects and keys, every change in the
 * audit log with before and after, bad input answered with a 400 naming the
 * field, and a revoked key refused on its very next request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSender, expectInvalid, json, type AuditEntryAnswer } from '../helpers/admin-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
const send = adminSender(() => server);

interface AuditAnswer {
  entries: AuditEntryAnswer[];
}

beforeAll(async () => {
  // The key cache is on (5 s by default): revocation must not wait for it.
  server = await startTestServer({ environment: { TOLLGATE_KEY_CACHE_MS: '60000' } });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('organizations', () => {
  it('the operator creates, reads, updates and deletes an org, each change audited', async () => {
    const created = await json<{
      organization: { id: string; plan: string };
      admin_key: { secret: string; prefix: string };
    }>(
      await send('POST', '/api/v1/admin/orgs', {
        name: 'Globex',
        plan: 'pro',
        chargeback_rate: '1.25',
        price_overrides: { 'gpt-4o': { provider: 'openai', input: 2, output: 8 } },
        rate_limits: { requests_per_minute: 100 },
      }),
      201,
    );
    const id = created.organization.id;
    expect(created.organization).toMatchObject({
      name: 'Globex',
      plan: 'pro',
      retention_days: null,
      effective_retention_days: 365,
      chargeback_rate: '1.25',
      price_overrides: { 'gpt-4o': { provider: 'openai', input: 2, output: 8 } },
      rate_limits: { requests_per_minute: 100, tokens_per_minute: null },
      operator: false,
    });
    expect(created.admin_key.secret.startsWith(created.admin_key.prefix)).toBe(true);

    const updated = await json(
      await send('PATCH', `/api/v1/admin/orgs/${id}`, { plan: 'enterprise', retention_days: 800 }),
      200,
    );
    expect(updated).toMatchObject({
      plan: 'enterprise',
      retention_days: 800,
      chargeback_rate: '1.25',
    });

    // The new org's admin sees only its own org and may not change orgs.
    const own = await json<{ organizations: { id: string }[] }>(
      await send('GET', '/api/v1/admin/orgs', undefined, created.admin_key.secret),
      200,
    );
    expect(own.organizations.map((each) => each.id)).toEqual([id]);
    expect(
      (await send('PATCH', `/api/v1/admin/orgs/${id}`, { plan: 'free' }, created.admin_key.secret))
        .status,
    ).toBe(403);
    expect(
      (
        await send(
          'GET',
          `/api/v1/admin/orgs/${server.tenant.orgId}`,
          undefined,
          created.admin_key.secret,
        )
      ).status,
    ).toBe(404);

    const listed = await json<{ organizations: { id: string }[] }>(
      await send('GET', '/api/v1/admin/orgs'),
      200,
    );
    expect(listed.organizations.map((each) => each.id)).toEqual([server.tenant.orgId, id]);

    expect((await send('DELETE', `/api/v1/admin/orgs/${id}`)).status).toBe(204);
    expect((await send('GET', `/api/v1/admin/orgs/${id}`)).status).toBe(404);
    // Its keys went with it.
    expect(
      (await send('GET', '/api/v1/admin/orgs', undefined, created.admin_key.secret)).status,
    ).toBe(401);

    const audit = await json<AuditAnswer>(await send('GET', '/api/v1/admin/audit'), 200);
    const ofOrg = audit.entries.filter((entry) => entry.target_id === id);
    expect(ofOrg.map((entry) => entry.action)).toEqual([
      'organization.deleted',
      'organization.updated',
      'organization.created',
    ]);
    const [deleted, update, creation] = ofOrg;
    expect(creation).toMatchObject({ before: null, after: { name: 'Globex', plan: 'pro' } });
    expect(update).toMatchObject({
      before: { plan: 'pro', retention_days: null },
      after: { plan: 'enterprise', retention_days: 800 },
    });
    expect(deleted).toMatchObject({ before: { plan: 'enterprise' }, after: null });
    expect(update!.actor_key_id).toMatch(/^key_/);
    expect(Date.parse(update!.created_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses bad org bodies with a 400 naming the field', async () => {
    await expectInvalid(await send('POST', '/api/v1/admin/orgs', {}), 'name');
    await expectInvalid(
      await send('POST', '/api/v1/admin/orgs', { name: 'x'.repeat(129) }),
      'name',
    );
    await expectInvalid(
      await send('POST', '/api/v1/admin/orgs', { name: 'a', plan: 'platinum' }),
      'plan',
    );
    await expectInvalid(
      await send('POST', '/api/v1/admin/orgs', { name: 'a', retention_days: -1 }),
      'retention_days',
    );
    await expectInvalid(
      await send('POST', '/api/v1/admin/orgs', { name: 'a', chargeback_rate: '-1' }),
      'chargeback_rate',
    );
    await expectInvalid(
      await send('POST', '/api/v1/admin/orgs', {
        name: 'a',
        rate_limits: { requests_per_minute: -5 },
      }),
      'rate_limits.requests_per_minute',
    );
    await expectInvalid(
      await send('POST', '/api/v1/admin/orgs', {
        name: 'a',
        price_overrides: { m: { provider: 'openai', input: -1, output: 1 } },
      }),
      'price_overrides.m.input',
    );
    await expectInvalid(
      await send('POST', '/api/v1/admin/orgs', { name: 'a', surprise: 1 }),
      'body',
    );
    await expectInvalid(await send('PATCH', '/api/v1/admin/orgs/not-an-id', {}), 'id');
  });
});

describe('projects and keys', () => {
  it('creates, updates and deletes a project; audit shows before and after', async () => {
    const project = await json<{ id: string }>(
      await send('POST', '/api/v1/admin/projects', { name: 'checkout', pii_redaction: true }),
      201,
    );
    expect(project).toMatchObject({ name: 'checkout', content_storage: true, pii_redaction: true });
    expect((await send('POST', '/api/v1/admin/projects', { name: 'checkout' })).status).toBe(409);
    const updated = await json(
      await send('PATCH', `/api/v1/admin/projects/${project.id}`, { content_storage: false }),
      200,
    );
    expect(updated).toMatchObject({ content_storage: false, pii_redaction: true });
    await expectInvalid(
      await send('PATCH', `/api/v1/admin/projects/${project.id}`, { content_storage: 'no' }),
      'content_storage',
    );
    expect((await send('DELETE', `/api/v1/admin/projects/${project.id}`)).status).toBe(204);
    expect((await send('GET', `/api/v1/admin/projects/${project.id}`)).status).toBe(404);

    const audit = await json<AuditAnswer>(await send('GET', '/api/v1/admin/audit?limit=10'), 200);
    const ofProject = audit.entries.filter((entry) => entry.target_id === project.id);
    expect(ofProject.map((entry) => entry.action)).toEqual([
      'project.deleted',
      'project.updated',
      'project.created',
    ]);
    expect(ofProject[1]).toMatchObject({
      before: { content_storage: true },
      after: { content_storage: false },
    });
  });

  it('shows a key once, stores only its prefix, and refuses it on the next request after revocation', async () => {
    const created = await json<{ id: string; secret: string; prefix: string }>(
      await send('POST', '/api/v1/admin/keys', {
        name: 'reader',
        scopes: ['read'],
        project_id: server.tenant.projectId,
        expires_at: new Date(Date.now() + 86_400_000).toISOString(),
      }),
      201,
    );
    expect(created.secret).toMatch(/^tg_\w{40}$/);
    const listed = await send('GET', '/api/v1/admin/keys');
    const listedText = await listed.text();
    expect(listedText).toContain(created.prefix);
    expect(listedText).not.toContain(created.secret);
    expect((await send('GET', `/api/v1/admin/keys/${created.id}`)).status).toBe(200);

    // Used (and so cached) before revocation.
    expect((await send('GET', '/api/v1/events', undefined, created.secret)).status).toBe(200);
    const revoked = await json<{ revoked_at: string | null }>(
      await send('DELETE', `/api/v1/admin/keys/${created.id}`),
      200,
    );
    expect(revoked.revoked_at).not.toBeNull();
    const refused = await send('GET', '/api/v1/events', undefined, created.secret);
    expect(refused.status).toBe(401);

    const audit = await json<AuditAnswer>(await send('GET', '/api/v1/admin/audit'), 200);
    const ofKey = audit.entries.filter((entry) => entry.target_id === created.id);
    expect(ofKey.map((entry) => entry.action)).toEqual(['api_key.revoked', 'api_key.created']);
    expect(ofKey[0]).toMatchObject({
      before: { revoked_at: null },
      after: { revoked_at: revoked.revoked_at },
    });
    expect(JSON.stringify(audit)).not.toContain(created.secret);
  });

  it('refuses bad key bodies with a 400 naming the field', async () => {
    await expectInvalid(
      await send('POST', '/api/v1/admin/keys', { name: 'k', scopes: ['root'] }),
      'scopes.0',
    );
    await expectInvalid(
      await send('POST', '/api/v1/admin/keys', { name: 'k', scopes: [] }),
      'scopes',
    );
    await expectInvalid(
      await send('POST', '/api/v1/admin/keys', { name: 'k', scopes: 'read' }),
      'scopes',
    );
    await expectInvalid(
      await send('POST', '/api/v1/admin/keys', { name: 'k', scopes: ['read', 'read'] }),
      'scopes',
    );
    await expectInvalid(
      await send('POST', '/api/v1/admin/keys', {
        name: 'k',
        scopes: ['read'],
        expires_at: '2001-01-01T00:00:00Z',
      }),
      'expires_at',
    );
    await expectInvalid(
      await send('POST', '/api/v1/admin/keys', {
        name: 'k',
        scopes: ['read'],
        expires_at: 'tomorrow',
      }),
      'expires_at',
    );
    await expectInvalid(
      await send('POST', '/api/v1/admin/keys', {
        name: 'k',
        scopes: ['read'],
        rate_limits: { tokens_per_minute: 1.5 },
      }),
      'rate_limits.tokens_per_minute',
    );
  });

  it('keeps project keys out of the admin API', async () => {
    expect(
      (await send('GET', '/api/v1/admin/keys', undefined, server.tenant.projectKey)).status,
    ).toBe(403);
    expect(
      (await send('GET', '/api/v1/admin/audit', undefined, server.tenant.projectKey)).status,
    ).toBe(403);
  });
});
