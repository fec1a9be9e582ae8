/**
 * Retention: new rows carry their org's `retention_days` (ingested and
 * gateway-recorded alike), and the retention job applies each org's current
 * policy to rows already stored: it deletes what is older, in the events,
 * their copies and the rollups, records what it deleted per org, and runs in
 * one process at a time (a lock in the hot store, memory or Redis).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETENTION_LOCK_KEY, RetentionJob } from '../../src/governance/retention/retention-job';
import { createHotStore } from '../../src/stores/hot';
import { describeWithService } from '../helpers/services';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { agentStep, promptCall, seedEvents, storedAges, toolCall } from './retention-seed';

let server: TestServer;
/** An org on the free plan (90 days) and an enterprise org with a 30-day override, with their projects. */
let free: { orgId: string; projectId: string };
let enterprise: { orgId: string; projectId: string; projectKey: string };
const silent = { info: () => undefined, error: () => undefined };

async function admin(method: string, path: string, body: unknown, key = server.tenant.adminKey) {
  const response = await server.request(path, {
    method,
    key,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const text = await response.text();
  expect(response.status, text).toBeLessThan(300);
  return JSON.parse(text) as Record<string, unknown> & { id: string };
}

beforeAll(async () => {
  server = await startTestServer();
  free = { orgId: server.tenant.orgId, projectId: server.tenant.projectId };
  const org = (await admin('POST', '/api/v1/admin/orgs', {
    name: 'enterprise org',
    plan: 'enterprise',
    retention_days: 30,
  })) as unknown as { organization: { id: string }; admin_key: { secret: string } };
  const adminKey = org.admin_key.secret;
  const project = await admin('POST', '/api/v1/admin/projects', { name: 'main' }, adminKey);
  const key = (await admin(
    'POST',
    '/api/v1/admin/keys',
    { name: 'app', scopes: ['ingest', 'read', 'gateway'], project_id: project.id },
    adminKey,
  )) as unknown as { secret: string };
  enterprise = { orgId: org.organization.id, projectId: project.id, projectKey: key.secret };
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('retention_days of new rows', () => {
  async function ingestedRetention(key: string, runId: string): Promise<number> {
    const sent = await server.request('/api/v1/events', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ event_type: 'custom', name: 'retention-probe', run_id: runId }]),
    });
    expect(sent.status, await sent.clone().text()).toBeLessThan(300);
    const read = await server.request(`/api/v1/events?run_id=${runId}`, { key });
    const { events } = (await read.json()) as { events: { retention_days: number }[] };
    expect(events).toHaveLength(1);
    return events[0]!.retention_days;
  }

  it("come from the org's plan or override, and follow a change of plan", async () => {
    expect(await ingestedRetention(server.tenant.projectKey, 'probe-free')).toBe(90);
    expect(await ingestedRetention(enterprise.projectKey, 'probe-enterprise')).toBe(30);
    await admin('PATCH', `/api/v1/admin/orgs/${free.orgId}`, { plan: 'pro' });
    expect(await ingestedRetention(server.tenant.projectKey, 'probe-pro')).toBe(365);
    await admin('PATCH', `/api/v1/admin/orgs/${free.orgId}`, { plan: 'free' });
  });

  it('are set on gateway-recorded calls too', async () => {
    const runId = `gateway-retention-${Date.now()}`;
    const call = await server.request('/v1/chat/completions', {
      method: 'POST',
      key: enterprise.projectKey,
      headers: { 'content-type': 'application/json', 'x-tollgate-run-id': runId },
      body: JSON.stringify({
        model: 'simulated/retention',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(call.status, await call.clone().text()).toBe(200);
    let events: { retention_days: number }[] = [];
    for (let attempt = 0; attempt < 100 && events.length === 0; attempt += 1) {
      const read = await server.request(`/api/v1/events?run_id=${runId}&event_type=prompt_call`, {
        key: enterprise.projectKey,
      });
      events = ((await read.json()) as { events: { retention_days: number }[] }).events;
      if (events.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(events.map((event) => event.retention_days)).toEqual([30]);
  });
});

describe('the retention job', () => {
  const now = Date.UTC(2026, 5, 15, 12, 30);

  it("deletes each org's rows older than its current retention, and nothing else", async () => {
    const { events, meta } = server.app.stores;
    await seedEvents(
      events,
      free,
      [
        promptCall(10),
        agentStep(10),
        promptCall(89),
        promptCall(100),
        toolCall(100),
        promptCall(200),
      ],
      now,
    );
    await seedEvents(
      events,
      enterprise,
      [promptCall(5), toolCall(29), promptCall(31), agentStep(45), promptCall(400)],
      now,
    );
    const job = new RetentionJob({ meta, events, hot: server.app.stores.hot, logger: silent });
    const outcome = await job.run(now);
    expect(outcome.ran).toBe(true);
    if (!outcome.ran) return;
    expect(outcome.failedOrgs).toEqual([]);

    const runOf = (orgId: string) => outcome.runs.find((run) => run.orgId === orgId)!;
    expect(runOf(free.orgId)).toMatchObject({ retentionDays: 90 });
    expect(runOf(free.orgId).cutoff.getTime()).toBe(now - 90 * 86_400_000);
    // Every table of the event store that holds the org's rows is visited (more rollups may come).
    expect(Object.keys(runOf(free.orgId).deleted)).toEqual(
      expect.arrayContaining([
        'events',
        'tool_calls',
        'agent_steps',
        'events_hourly',
        'events_daily',
      ]),
    );
    // Free: 100 (prompt and tool call) and 200 days old go; the 10 and 89 days old stay.
    expect(runOf(free.orgId).deleted).toMatchObject({
      events: 3,
      tool_calls: 1,
      agent_steps: 0,
      events_hourly: 3,
      events_daily: 3,
    });
    // Enterprise (30 days): 31, 45 and 400 days old go; 5 and 29 stay.
    expect(runOf(enterprise.orgId)).toMatchObject({ retentionDays: 30 });
    expect(runOf(enterprise.orgId).deleted).toMatchObject({
      events: 3,
      tool_calls: 0,
      agent_steps: 1,
      events_hourly: 3,
      events_daily: 3,
    });

    // The probes ingested above are "now" by the real clock, which is after the job's `now`.
    const freeAges = await storedAges(events, free.orgId, now);
    expect(freeAges.prompt_call).toEqual([10, 89]);
    expect(freeAges.agent_step).toEqual([10]);
    expect(freeAges.tool_call).toBeUndefined();
    const enterpriseAges = await storedAges(events, enterprise.orgId, now);
    expect(enterpriseAges.prompt_call).toEqual([5]);
    expect(enterpriseAges.tool_call).toEqual([29]);
    expect(enterpriseAges.agent_step).toBeUndefined();

    // Recorded in the meta store, a row per org for this run.
    const [latest] = await meta.listRetentionRuns(free.orgId, 1);
    expect(latest).toMatchObject({ runId: outcome.runId, retentionDays: 90 });
    expect(latest!.deleted.events).toBe(3);

    // A second run finds nothing more to delete.
    const again = await job.run(now);
    expect(again.ran && again.runs.every((run) => run.deleted.events === 0)).toBe(true);
    expect(await storedAges(events, free.orgId, now)).toEqual(freeAges);
  });

  it('lets only one of two concurrent runs work; the other reports the lock', async () => {
    const { events, meta, hot } = server.app.stores;
    const jobs = [0, 1].map(() => new RetentionJob({ meta, events, hot, logger: silent }));
    const outcomes = await Promise.all(jobs.map((job) => job.run(now)));
    expect(outcomes.filter((outcome) => outcome.ran)).toHaveLength(1);
    expect(outcomes.filter((outcome) => !outcome.ran)).toEqual([{ ran: false, reason: 'locked' }]);
    // Released at the end: the next run works.
    expect((await jobs[0]!.run(now)).ran).toBe(true);
  });

  it('does nothing while another process holds the lock, and runs once the lock has expired', async () => {
    const { events, meta, hot } = server.app.stores;
    await seedEvents(events, free, [promptCall(150)], now);
    await hot.set(RETENTION_LOCK_KEY, 'another-process', 300);
    const job = new RetentionJob({ meta, events, hot, logger: silent });
    expect(await job.run(now)).toEqual({ ran: false, reason: 'locked' });
    expect((await storedAges(events, free.orgId, now)).prompt_call).toContain(150);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await job.run(now)).ran).toBe(true);
    expect((await storedAges(events, free.orgId, now)).prompt_call).not.toContain(150);
  });
});

describeWithService('REDIS_URL', 'the retention lock in Redis', (redisUrl) => {
  it('lets one of two processes (two Redis connections) run at a time', async () => {
    const { events, meta } = server.app.stores;
    const stores = [createHotStore({ redisUrl }), createHotStore({ redisUrl })];
    try {
      await stores[0]!.delete(RETENTION_LOCK_KEY);
      const jobs = stores.map((hot) => new RetentionJob({ meta, events, hot, logger: silent }));
      const outcomes = await Promise.all(jobs.map((job) => job.run()));
      expect(outcomes.filter((outcome) => outcome.ran)).toHaveLength(1);
      expect(outcomes.filter((outcome) => !outcome.ran)).toHaveLength(1);
      expect((await jobs[1]!.run()).ran).toBe(true);
    } finally {
      await Promise.all(stores.map((hot) => hot.close()));
    }
  });
});
