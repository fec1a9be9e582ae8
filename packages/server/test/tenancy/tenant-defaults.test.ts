/**
 * Safe defaults: the dashboard's security headers, a private data directory,
 * the key checked before a body is read, the operator's `org_id` on every
 * read, prototype-like names as ordinary missing names, and read keys seeing
 * only the budgets that apply to them.
 */
import { statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { adminSender, json, type ErrorAnswer } from '../helpers/admin-requests';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
let otherOrgId: string;
const send = adminSender(() => server);

beforeAll(async () => {
  server = await startTestServer();
  const organization = await server.app.stores.meta.createOrganization({ name: 'org b' });
  otherOrgId = organization.id;
  await issueApiKey(server.app.stores.meta, { orgId: otherOrgId, name: 'b', scopes: ['admin'] });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('the dashboard', () => {
  it('answers with a CSP, no framing, nosniff and no referrer', async () => {
    const response = await fetch(`${server.url}/costs`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });
});

describe('the data directory', () => {
  it('is the owner’s only: directories 0700, the spool 0600', () => {
    const { dataDir } = server.configuration;
    const mode = (path: string) => [path, statSync(path).mode & 0o777];
    expect(mode(dataDir)).toEqual([dataDir, 0o700]);
    expect(mode(join(dataDir, 'events'))).toEqual([join(dataDir, 'events'), 0o700]);
    // PGlite sets its own directory to 0750, as Postgres' initdb does: inside 0700, and no one else's.
    expect((mode(join(dataDir, 'meta'))[1] as number) & 0o007).toBe(0);
    expect(mode(join(dataDir, 'spool'))).toEqual([join(dataDir, 'spool'), 0o700]);
    expect(mode(join(dataDir, 'spool', 'events.spool'))).toEqual([
      join(dataDir, 'spool', 'events.spool'),
      0o600,
    ]);
  });
});

describe('ingestion', () => {
  it('refuses a request without a key before reading its body', async () => {
    const url = new URL(`${server.url}/api/v1/events`);
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': 9 * 1024 * 1024 },
        },
        (response) => {
          resolve(response.statusCode ?? 0);
          response.resume();
          outgoing.destroy();
        },
      );
      outgoing.on('error', reject);
      // A sliver of the announced 9 MiB: the answer comes without the rest.
      outgoing.write('[{"event_type":"custom"');
    });
    expect(status).toBe(401);
  });

  it('says why a body with __proto__ is refused', async () => {
    const response = await server.request('/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[{"event_type":"custom","__proto__":{"polluted":true}}]',
    });
    const answer = await json<ErrorAnswer>(response, 400);
    expect(answer.error.message).toContain('__proto__');
  });
});

describe('feature flags', () => {
  it.each(['constructor', 'valueof'])('treats %s as a flag never set', async (name) => {
    const response = await server.request(`/api/v1/flags/${name}`);
    expect((await json<ErrorAnswer>(response, 404)).error.code).toBe('not_found');
  });
});

describe("the operator's org_id", () => {
  it.each([
    '/api/v1/admin/audit',
    '/api/v1/flags',
    '/api/v1/budgets/check?scope=org',
    '/api/v1/admin/retention/runs',
    '/api/v1/admin/keys',
  ])('is accepted on %s', async (path) => {
    const separator = path.includes('?') ? '&' : '?';
    const response = await send('GET', `${path}${separator}org_id=${otherOrgId}`);
    expect(response.status, await response.clone().text()).toBe(200);
  });
});

describe('budgets seen by a read key', () => {
  it('are the ones that apply to it, without webhook URLs or end users', async () => {
    const webhook = 'https://hooks.slack.com/services/T000/B000/secret-token';
    for (const body of [
      { scope: 'org', amount_usd: 100, webhook_url: webhook },
      { scope: 'user', scope_id: 'jane@example.com', amount_usd: 5 },
    ]) {
      await json(await send('POST', '/api/v1/admin/budgets', body), 201);
    }
    const seen = await json<{ budgets: Array<Record<string, unknown>> }>(
      await server.request('/api/v1/budgets'),
      200,
    );
    expect(seen.budgets.map((budget) => budget.scope)).toEqual(['org']);
    const text = JSON.stringify(seen);
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('jane@example.com');
    // Naming the user shows that user's budget; the admin sees everything.
    const check = await json<{ budgets: unknown[] }>(
      await server.request('/api/v1/budgets/check?scope=user&id=jane%40example.com'),
      200,
    );
    expect(check.budgets).toHaveLength(1);
    const admin = await json<{ budgets: unknown[] }>(await send('GET', '/api/v1/budgets'), 200);
    expect(JSON.stringify(admin)).toContain('secret-token');
  });
});
