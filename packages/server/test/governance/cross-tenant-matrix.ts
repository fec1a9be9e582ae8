/**
 * The cross-tenant matrix: every read endpoint, called with a key of org B
 * (its admin key and a project key), returns nothing of org A: no id, run,
 * event or key of A appears in any answer, and naming A's project or run
 * finds nothing. Run once per meta store (cross-tenant*.test.ts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { postJson, type TestServer } from '../helpers/test-server';

/** Declares the matrix's tests on the server `start` returns (its close() ends it). */
export function crossTenantMatrix(start: () => Promise<TestServer>): void {
  let server: TestServer;
  let otherAdminKey: string;
  let otherProjectKey: string;
  const runOfA = `run-of-org-a-${Date.now()}`;
  const markerOfA = 'secret-marker-of-org-a';

  const READ_PATHS = [
    '/api/v1/events',
    `/api/v1/events?run_id=${runOfA}`,
    `/api/v1/runs/${runOfA}`,
    '/api/v1/metrics/summary',
    '/api/v1/providers/health',
    '/api/v1/analytics/cost/summary',
    '/api/v1/analytics/runs',
    '/api/v1/admin/orgs',
    '/api/v1/admin/projects',
    '/api/v1/admin/keys',
    '/api/v1/admin/audit',
    '/api/v1/admin/routes',
    '/api/v1/admin/credentials',
  ];

  beforeAll(async () => {
    server = await start();
    const { meta } = server.app.stores;
    // Org A (the bootstrap org): an event, a run, an audited admin change, a route.
    const ingested = await postJson(server, '/api/v1/events', [
      { event_type: 'custom', run_id: runOfA, name: markerOfA, metadata: { note: markerOfA } },
    ]);
    expect(ingested.status).toBeLessThan(300);
    const chat = await postJson(server, '/v1/chat/completions', {
      model: 'simulated/tenant-a',
      messages: [{ role: 'user', content: markerOfA }],
    });
    expect(chat.status).toBe(200);
    const project = await postJson(
      server,
      '/api/v1/admin/projects',
      { name: markerOfA },
      server.tenant.adminKey,
    );
    expect(project.status).toBe(201);
    // Org B with its own admin and project keys.
    const other = await meta.createOrganization({ name: 'org b' });
    const otherProject = await meta.createProject({ orgId: other.id, name: 'b' });
    otherAdminKey = (
      await issueApiKey(meta, { orgId: other.id, name: 'b admin', scopes: ['admin', 'read'] })
    ).secret;
    otherProjectKey = (
      await issueApiKey(meta, {
        orgId: other.id,
        projectId: otherProject.id,
        name: 'b read',
        scopes: ['read'],
      })
    ).secret;
    // Wait until A's event is readable by A, so an empty answer to B means something.
    for (let attempt = 0; attempt < 50; attempt++) {
      const own = await server.request(`/api/v1/events?run_id=${runOfA}`);
      if ((await own.text()).includes(markerOfA)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('org A’s event never became readable');
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it.each(READ_PATHS)('GET %s with org B keys shows nothing of org A', async (path) => {
    // A 404 may echo the run id the caller itself sent: only other facts of A count then.
    const secretsOfA = [server.tenant.orgId, server.tenant.projectId, markerOfA];
    if (!path.includes(runOfA)) secretsOfA.push(runOfA);
    for (const key of [otherAdminKey, otherProjectKey]) {
      const response = await server.request(path, { key });
      expect(response.status).toBeLessThan(500);
      const text = await response.text();
      for (const secret of secretsOfA)
        expect(text, `${path} leaked ${secret}`).not.toContain(secret);
    }
  });

  it('org A’s own keys do see the same data (the matrix is not vacuous)', async () => {
    const events = await server.request(`/api/v1/events?run_id=${runOfA}`);
    expect(await events.text()).toContain(markerOfA);
    const audit = await server.request('/api/v1/admin/audit', { key: server.tenant.adminKey });
    expect(await audit.text()).toContain(markerOfA);
  });

  it('naming org A’s project, run, org or key from org B finds nothing', async () => {
    const paths = [
      `/api/v1/events?project_id=${server.tenant.projectId}`,
      `/api/v1/metrics/summary?project_id=${server.tenant.projectId}`,
      `/api/v1/admin/orgs/${server.tenant.orgId}`,
      `/api/v1/admin/projects/${server.tenant.projectId}`,
    ];
    for (const path of paths) {
      const response = await server.request(path, { key: otherAdminKey });
      expect([400, 404]).toContain(response.status);
    }
    const run = await server.request(`/api/v1/runs/${runOfA}`, { key: otherAdminKey });
    expect(run.status === 404 || !(await run.text()).includes(markerOfA)).toBe(true);
  });
}
