/**
 * The SDK's cost tracker against the real server: events ingested over HTTP
 * with a project key, then read back by `createCostTracker` through
 * `GET /api/v1/analytics/cost/summary`, through a proxy the tests can stop
 * (server unreachable) and that counts the requests (the cache).
 */
import { createCostTracker, isCostsUnavailableError, type CostTracker } from '@tollgate/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { startPausableProxy, type PausableProxy } from './pausable-proxy';

const DAY = 86_400_000;
let server: TestServer;
let proxy: PausableProxy;
let otherProjectKey: string;
let otherProjectId: string;
/** The tracker's fake now: just after the seeded events. */
let now: number;
const clock = { now: () => now };

// Reported costs (the model has no price, so the client's cost_usd stands); 0.1 + 0.2 is not 0.3 in floats.
const CALLS = [
  { user_id: 'alice', cost_usd: 0.1, model: 'acme-meter-1', operation: 'chat' },
  { user_id: 'alice', cost_usd: 0.2, model: 'acme-meter-1', operation: 'chat' },
  { user_id: 'alice', cost_usd: 0.000000007, model: 'acme-embed-1', operation: 'embedding' },
  { user_id: 'bob', cost_usd: 1.5, model: 'acme-meter-1', operation: 'chat' },
  // No price and no reported cost: unpriced, never $0.
  { user_id: 'alice', model: 'acme-unpriced', operation: 'chat' },
];

function tracker(overrides: Partial<Parameters<typeof createCostTracker>[0]> = {}) {
  const warnings: string[] = [];
  const costs: CostTracker = createCostTracker({
    baseUrl: proxy.url,
    apiKey: server.tenant.projectKey,
    clock,
    onWarning: (message) => warnings.push(message),
    ...overrides,
  });
  return { costs, warnings };
}

beforeAll(async () => {
  server = await startTestServer();
  proxy = await startPausableProxy(server.url);
  const ts = Date.now() - 1000;
  now = ts + 1;
  const response = await postJson(
    server,
    '/api/v1/events',
    CALLS.map((call) => ({
      event_type: 'prompt_call',
      ts,
      provider: 'acme',
      input_tokens: 10,
      output_tokens: 5,
      ...call,
    })),
  );
  expect(response.status, await response.clone().text()).toBe(200);
  const otherProject = await server.app.stores.meta.createProject({
    orgId: server.tenant.orgId,
    name: 'another project',
  });
  otherProjectId = otherProject.id;
  otherProjectKey = (
    await issueApiKey(server.app.stores.meta, {
      orgId: server.tenant.orgId,
      projectId: otherProject.id,
      name: 'other project',
      scopes: ['read', 'ingest'],
    })
  ).secret;
});

afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

describe('costs.summary', () => {
  it('totals one user exactly, by operation, model and day', async () => {
    const { costs } = tracker();
    const summary = await costs.summary({ userId: 'alice', from: now - DAY, to: now + DAY });
    expect(summary.userId).toBe('alice');
    expect(summary.totalUsd).toBe('0.300000007');
    expect(summary.totalNanos).toBe('300000007');
    expect(summary.operations).toBe(4);
    expect(summary.unpricedOperations).toBe(1);
    expect(Object.fromEntries(summary.byOperation.map((row) => [row.key, row.costUsd]))).toEqual({
      chat: '0.30',
      embedding: '0.000000007',
    });
    expect(Object.fromEntries(summary.byModel.map((row) => [row.key, row.operations]))).toEqual({
      'acme-meter-1': 2,
      'acme-embed-1': 1,
      'acme-unpriced': 1,
    });
    const day = new Date(now - (now % DAY)).toISOString();
    expect(summary.byDay).toEqual([expect.objectContaining({ key: day, costUsd: '0.300000007' })]);
  });

  it("totals the key's project when no user is named", async () => {
    const { costs } = tracker();
    const summary = await costs.summary({ from: now - DAY, to: now + DAY });
    expect(summary.totalUsd).toBe('1.800000007');
    expect(summary.operations).toBe(5);
    expect(summary.projectId).toBe(server.tenant.projectId);
  });

  it('sees only its own tenant: another project has spent nothing', async () => {
    const { costs } = tracker({ apiKey: otherProjectKey });
    const summary = await costs.summary({ userId: 'alice', from: now - DAY, to: now + DAY });
    expect(summary.totalUsd).toBe('0.00');
    expect(summary.operations).toBe(0);
    await expect(
      costs.summary({ projectId: server.tenant.projectId, from: now - DAY, to: now + DAY }),
    ).rejects.toMatchObject({ status: 404, code: 'not_found' });
    expect(otherProjectId).not.toBe(server.tenant.projectId);
  });

  it('reuses an answer within the cache time and reads again after it', async () => {
    const { costs } = tracker({ cacheTtlMs: 30_000 });
    const before = proxy.requests;
    const range = { userId: 'bob', from: now - DAY, to: now + DAY };
    const [first, second] = await Promise.all([costs.summary(range), costs.summary(range)]);
    await costs.summary(range);
    expect(first.totalUsd).toBe('1.50');
    expect(second).toBe(first);
    expect(proxy.requests - before).toBe(1);
    now += 30_000;
    try {
      await costs.summary(range);
    } finally {
      now -= 30_000;
    }
    expect(proxy.requests - before).toBe(2);
  });

  it('rejects with CostsUnavailableError when the server is away', async () => {
    const { costs } = tracker();
    await proxy.stop();
    try {
      const failure = await costs
        .summary({ userId: 'alice', from: now - DAY, to: now + DAY })
        .catch((error: unknown) => error);
      expect(isCostsUnavailableError(failure)).toBe(true);
    } finally {
      await proxy.start();
    }
  });
});

describe('costs.isOverBudget and costs.remaining', () => {
  it('meters a user against a monthly limit with exact money', async () => {
    const { costs } = tracker();
    expect(await costs.isOverBudget({ userId: 'alice', limitUsd: '0.30' })).toBe(true);
    expect(await costs.isOverBudget({ userId: 'alice', limitUsd: '0.300000008' })).toBe(false);
    expect(await costs.isOverBudget({ userId: 'bob', limitUsd: 2, period: 'day' })).toBe(false);
    const status = await costs.remaining({ userId: 'alice', limitUsd: '1', period: 'week' });
    expect(status).toMatchObject({
      limitUsd: '1.00',
      spentUsd: '0.300000007',
      remainingUsd: '0.699999993',
      overBudget: false,
      unpricedOperations: 1,
      period: 'week',
      source: 'server',
    });
    expect(Date.parse(status.from)).toBeLessThanOrEqual(now);
    expect(Date.parse(status.to)).toBeGreaterThan(now);
    const over = await costs.remaining({ userId: 'bob', limitUsd: '1.00', period: 'month' });
    expect(over).toMatchObject({ spentUsd: '1.50', remainingUsd: '0.00', overBudget: true });
  });

  it('refuses a malformed limit as a programming error', async () => {
    const { costs } = tracker();
    await expect(costs.isOverBudget({ userId: 'alice', limitUsd: '-1' })).rejects.toThrow(
      /limitUsd/,
    );
  });

  it('answers from the last figures, then by policy, when the server is away; never throws', async () => {
    const open = tracker({ cacheTtlMs: 1000, maxStaleMs: 60_000 });
    const closed = tracker({ whenUnreachable: 'closed' });
    const request = { userId: 'bob', limitUsd: '1.00', period: 'day' as const };
    expect(await open.costs.isOverBudget(request)).toBe(true);
    await proxy.stop();
    try {
      now += 5000;
      // Past the cache time: the read fails, the last figures (still within maxStaleMs) answer.
      const stale = await open.costs.remaining(request);
      expect(stale).toMatchObject({ source: 'stale', overBudget: true, spentUsd: '1.50' });
      now += 60_000;
      // Past maxStaleMs: no figures, so the policy answers (open: not over budget).
      const unknown = await open.costs.remaining(request);
      expect(unknown).toMatchObject({
        source: 'policy',
        overBudget: false,
        spentUsd: null,
        remainingUsd: null,
      });
      expect(await open.costs.isOverBudget(request)).toBe(false);
      expect(await closed.costs.isOverBudget(request)).toBe(true);
      // One warning per outage, however many checks.
      expect(open.warnings).toHaveLength(1);
      expect(open.warnings[0]).toMatch(/cannot read spend.*not over budget/);
      expect(closed.warnings[0]).toMatch(/over budget \(whenUnreachable: closed\)/);
    } finally {
      await proxy.start();
    }
    // Back: after retryAfterFailureMs the tracker asks again and says so.
    now += 5000;
    expect(await open.costs.remaining(request)).toMatchObject({
      source: 'server',
      overBudget: true,
    });
    expect(open.warnings[1]).toMatch(/answers again/);
    now -= 75_000;
  });

  it('does not ask the server again for every check while it is away', async () => {
    let attempts = 0;
    const counting: typeof fetch = (input, init) => {
      attempts += 1;
      return fetch(input, init);
    };
    const { costs } = tracker({ retryAfterFailureMs: 5000, fetch: counting });
    const request = { userId: 'carol', limitUsd: '1', period: 'day' as const };
    await proxy.stop();
    try {
      for (let check = 0; check < 20; check += 1) {
        expect(await costs.isOverBudget(request)).toBe(false);
      }
      expect(attempts).toBe(1);
      now += 5000;
      expect(await costs.isOverBudget(request)).toBe(false);
      expect(attempts).toBe(2);
    } finally {
      now -= 5000;
      await proxy.start();
    }
  });
});

describe('cost summary endpoint', () => {
  it('names user_id in a 400 when it is empty', async () => {
    const response = await server.request('/api/v1/analytics/cost/summary?user_id=');
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/user_id/);
  });
});
