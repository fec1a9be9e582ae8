/**
 * `?org_id=` on reads: an admin key of the operator organization reads any
 * org's figures as that org's own admin sees them; every other key naming
 * another org gets the answer of an org that does not exist (404), and a
 * write never takes another org (400).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
let orgB: string;
let projectB: string;
let adminKeyB: string;
let projectKeyB: string;
/** An org-wide key of the operator org without the admin scope. */
let operatorReadKey: string;
const markerOfA = `marker-of-org-a-${Date.now()}`;
const markerOfB = `marker-of-org-b-${Date.now()}`;

/** The fields of the answers this file reads (each answer has some of them). */
interface Answer {
  rows: { key: string; requests: number }[];
  total: unknown;
  budgets: { org_id: string; amount_usd: string }[];
  projects: { id: string }[];
  error: { code: string; message: string; details?: Record<string, unknown> };
}

async function json(path: string, key: string): Promise<{ status: number; body: Answer }> {
  const response = await server.request(path, { key });
  return { status: response.status, body: (await response.json()) as Answer };
}

beforeAll(async () => {
  server = await startTestServer();
  const { meta } = server.app.stores;
  const organizationB = await meta.createOrganization({ name: 'org b' });
  orgB = organizationB.id;
  projectB = (await meta.createProject({ orgId: orgB, name: 'b' })).id;
  adminKeyB = (await issueApiKey(meta, { orgId: orgB, name: 'b admin', scopes: ['admin', 'read'] }))
    .secret;
  projectKeyB = (
    await issueApiKey(meta, {
      orgId: orgB,
      projectId: projectB,
      name: 'b project',
      scopes: ['read', 'ingest', 'gateway'],
    })
  ).secret;
  operatorReadKey = (
    await issueApiKey(meta, { orgId: server.tenant.orgId, name: 'operator read', scopes: ['read'] })
  ).secret;
  // Org A (the operator's) makes one model call, org B three, each with its own marker.
  const callA = await postJson(server, '/v1/chat/completions', {
    model: 'simulated/scope-a',
    messages: [{ role: 'user', content: markerOfA }],
  });
  expect(callA.status).toBe(200);
  for (let index = 0; index < 3; index++) {
    const callB = await postJson(
      server,
      '/v1/chat/completions',
      { model: 'simulated/scope-b', messages: [{ role: 'user', content: markerOfB }] },
      projectKeyB,
    );
    expect(callB.status).toBe(200);
  }
  const budget = await postJson(
    server,
    '/api/v1/admin/budgets',
    { scope: 'org', amount_usd: '42.5' },
    adminKeyB,
  );
  expect(budget.status).toBe(201);
  // Wait until B's calls are readable by B itself.
  for (let attempt = 0; attempt < 100; attempt++) {
    const own = await json('/api/v1/metrics/summary', adminKeyB);
    if (own.body.rows?.[0]?.requests === 3) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('org B’s calls never became readable');
}, 120_000);

afterAll(async () => {
  await server?.close();
});

it('the operator admin reads org B’s figures with org_id=B, equal to what B’s admin sees', async () => {
  const { adminKey } = server.tenant;
  const asB = await json('/api/v1/metrics/summary', adminKeyB);
  const asOperator = await json(`/api/v1/metrics/summary?org_id=${orgB}`, adminKey);
  expect(asOperator.status).toBe(200);
  expect(asOperator.body.rows).toEqual(asB.body.rows);
  expect(asOperator.body.rows[0]?.requests).toBe(3);
  // Without org_id the operator still reads its own org (one call).
  const own = await json('/api/v1/metrics/summary', adminKey);
  expect(own.body.rows[0]?.requests).toBe(1);

  const events = await server.request(`/api/v1/events?org_id=${orgB}&limit=50`, {
    key: adminKey,
  });
  const text = await events.text();
  expect(text).toContain(markerOfB);
  expect(text).not.toContain(markerOfA);

  const cost = await json(`/api/v1/analytics/cost?groupBy=model&org_id=${orgB}`, adminKey);
  const costOfB = await json('/api/v1/analytics/cost?groupBy=model', adminKeyB);
  expect(cost.status).toBe(200);
  expect(cost.body.total).toEqual(costOfB.body.total);
  expect(cost.body.rows.map((row: { key: string }) => row.key)).toEqual(['simulated/scope-b']);

  // Admin reads too: B's budgets (with B's spend), B's projects.
  const budgets = await json(`/api/v1/admin/budgets?org_id=${orgB}`, adminKey);
  expect(budgets.status).toBe(200);
  expect(budgets.body.budgets).toHaveLength(1);
  expect(budgets.body.budgets[0]?.org_id).toBe(orgB);
  expect(Number(budgets.body.budgets[0]?.amount_usd)).toBe(42.5);
  const projects = await json(`/api/v1/admin/projects?org_id=${orgB}`, adminKey);
  expect(projects.body.projects.map((project: { id: string }) => project.id)).toEqual([projectB]);
  // A project of B narrows the read; a project of A does not exist in B.
  const narrowed = await json(
    `/api/v1/metrics/summary?org_id=${orgB}&project_id=${projectB}`,
    adminKey,
  );
  expect(narrowed.body.rows[0]?.requests).toBe(3);
  const foreignProject = await json(
    `/api/v1/metrics/summary?org_id=${orgB}&project_id=${server.tenant.projectId}`,
    adminKey,
  );
  expect(foreignProject.status).toBe(404);
});

it('naming one’s own org changes nothing', async () => {
  const plain = await json('/api/v1/metrics/summary', adminKeyB);
  const named = await json(`/api/v1/metrics/summary?org_id=${orgB}`, adminKeyB);
  expect(named.status).toBe(200);
  expect(named.body.rows).toEqual(plain.body.rows);
});

it('org B’s admin cannot read org A: the same 404 as for an org that does not exist', async () => {
  const paths = ['/api/v1/metrics/summary', '/api/v1/events', '/api/v1/admin/budgets'];
  for (const path of paths) {
    const existing = await json(`${path}?org_id=${server.tenant.orgId}`, adminKeyB);
    const missing = await json(`${path}?org_id=org_does_not_exist`, adminKeyB);
    expect(existing.status, path).toBe(404);
    expect(existing.body.error.code).toBe('not_found');
    expect(existing.body.error.details).toEqual({ field: 'org_id' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expect(JSON.stringify(existing.body)).not.toContain(markerOfA);
  }
  // The operator admin naming an org that does not exist gets that same answer.
  const operatorMissing = await json(
    '/api/v1/metrics/summary?org_id=org_does_not_exist',
    server.tenant.adminKey,
  );
  expect(operatorMissing.status).toBe(404);
  expect(operatorMissing.body.error.code).toBe('not_found');
});

it('a project key or a non-admin key cannot widen its scope, even in the operator org', async () => {
  const attempts: [string, string][] = [
    [projectKeyB, server.tenant.orgId],
    [server.tenant.projectKey, orgB],
    [operatorReadKey, orgB],
  ];
  for (const [key, orgId] of attempts) {
    const response = await json(`/api/v1/events?org_id=${orgId}`, key);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  }
  // The operator's project key still reads its own project.
  const own = await json('/api/v1/metrics/summary', server.tenant.projectKey);
  expect(own.body.rows[0]?.requests).toBe(1);
});

it('writes never take another org, and a bad org_id is a 400 naming it', async () => {
  const write = await server.request(`/api/v1/admin/budgets?org_id=${orgB}`, {
    key: server.tenant.adminKey,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scope: 'org', period: 'day', amount_usd: '1' }),
  });
  expect(write.status).toBe(400);
  const refused = (await write.json()) as { error: { code: string; details: { field: string } } };
  expect(refused.error.code).toBe('invalid_request');
  expect(refused.error.details.field).toBe('org_id');
  const budgetsOfB = await json('/api/v1/admin/budgets', adminKeyB);
  expect(budgetsOfB.body.budgets).toHaveLength(1);
  const budgetsOfA = await json('/api/v1/admin/budgets', server.tenant.adminKey);
  expect(budgetsOfA.body.budgets).toHaveLength(0);

  const twice = await json(
    `/api/v1/metrics/summary?org_id=${orgB}&org_id=${orgB}`,
    server.tenant.adminKey,
  );
  expect(twice.status).toBe(400);
  expect(twice.body.error.details?.field).toBe('org_id');
});
