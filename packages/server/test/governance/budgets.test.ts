/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies, each field checked where it matters */
/**
 * Budgets and cost control through the real server, the official clients and
 * loopback upstreams: the hard limit under concurrent calls, the soft
 * threshold's event and webhook (once per period, across a day boundary: the
 * server's manual clock is moved over it), `x-tollgate-max-cost-usd` refused before the
 * upstream is reached, reconciliation from the event store, bad input, and
 * one org never seeing or checking another's budgets.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { calculateCost, ManualClock, type Budget } from '@tollgate/core';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { periodOf } from '../../src/governance/budgets/budget-period';
import { parseExposition, sumOf } from '../metrics/exposition';
import { createTempDir } from '../helpers/temp-dir';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import {
  startLoopbackUpstream,
  type LoopbackUpstream,
} from '../helpers/upstreams/loopback-upstream';
import { openAIWire, startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import { advanceUntil, waitFor } from '../helpers/poll';
import { replyFor, type ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';

const directory = createTempDir();
let server: TestServer;
/** Metered calls (the `chat-text` fixture, priced as gpt-4o-mini). */
let metered: ScriptedUpstream;
/** Only reached by calls `max_cost_usd` should let through. */
let capped: ScriptedUpstream;
let receiver: LoopbackUpstream;
/**
 * The server's clock: it runs the webhook's backoff and is moved across a day
 * boundary by the last scenario (a manual clock never goes back). It starts
 * ten minutes before the UTC day ends, still today as the calls' records are,
 * so that move wakes few of the server's periodic passes (alerts, videos).
 */
const clock = new ManualClock(Math.max(Date.now(), periodOf('day', Date.now()).end - 600_000));
/** The cost of one metered call: 19 prompt tokens (4 cached) and 10 completion tokens. */
const CALL_NANOS = calculateCost('gpt-4o-mini', {
  inputTokens: 19,
  outputTokens: 10,
  cachedInputTokens: 4,
}).costNanos;

const usd = (nanos: number) => (nanos / 1e9).toFixed(9);

interface Tenant {
  orgId: string;
  projectId: string;
  adminKey: string;
  projectKey: string;
  projectKeyId: string;
}

/** A fresh org with an admin key and a project key, so scenarios never share a budget. */
async function newTenant(name: string): Promise<Tenant> {
  const { meta } = server.app.stores;
  const org = await meta.createOrganization({ name });
  const project = await meta.createProject({ orgId: org.id, name: 'app' });
  const admin = await issueApiKey(meta, {
    orgId: org.id,
    name: 'admin',
    scopes: ['admin', 'read'],
  });
  const key = await issueApiKey(meta, {
    orgId: org.id,
    projectId: project.id,
    name: 'app',
    scopes: ['gateway', 'read', 'ingest'],
  });
  return {
    orgId: org.id,
    projectId: project.id,
    adminKey: admin.secret,
    projectKey: key.secret,
    projectKeyId: key.key.id,
  };
}

async function createBudget(tenant: Tenant, body: Record<string, unknown>): Promise<Response> {
  return postJson(server, '/api/v1/admin/budgets', body, tenant.adminKey);
}

async function json(response: Response): Promise<Record<string, any>> {
  return (await response.json()) as Record<string, any>;
}

function openAIClient(key: string): OpenAI {
  return new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 });
}

async function budgetsSeenBy(key: string): Promise<Array<Record<string, any>>> {
  const response = await server.request('/api/v1/budgets', { key });
  expect(response.status).toBe(200);
  return (await json(response)).budgets as Array<Record<string, any>>;
}

beforeAll(async () => {
  [metered, capped, receiver] = await Promise.all([
    startOpenAIUpstream(),
    startOpenAIUpstream(),
    startLoopbackUpstream(),
  ]);
  metered.fallback = replyFor(openAIWire('openai'), 'text');
  capped.fallback = replyFor(openAIWire('openai'), 'text');
  receiver.fallback = { type: 'json', status: 200, body: { ok: true } };
  const deployment = (upstream: ScriptedUpstream) =>
    `      - { provider: openai, model: gpt-4o-mini, baseUrl: "${upstream.url}/v1", apiKeyEnv: TEST_OPENAI_KEY, maxRetries: 0 }`;
  const routes = join(directory.path, 'routes.yaml');
  writeFileSync(
    routes,
    [
      'routes:',
      '  - model: metered',
      '    deployments:',
      deployment(metered),
      '  - model: capped',
      '    deployments:',
      deployment(capped),
      '',
    ].join('\n'),
  );
  server = await startTestServer({
    environment: { TOLLGATE_ROUTES: routes, TEST_OPENAI_KEY: 'sk-test' },
    build: {
      clock,
      budgets: { webhook: { backoffMs: 20 } },
    },
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([metered?.close(), capped?.close(), receiver?.close()]);
  directory.remove();
});

describe('admin API', () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await newTenant('admin checks');
  });

  it.each([
    ['a negative amount', { scope: 'org', amount_usd: -5 }, 'amount_usd'],
    ['a negative amount as text', { scope: 'org', amount_usd: '-0.01' }, 'amount_usd'],
    ['an amount with 10 decimals', { scope: 'org', amount_usd: '0.0000000001' }, 'amount_usd'],
    ['an amount of the wrong type', { scope: 'org', amount_usd: true }, 'amount_usd'],
    ['no amount', { scope: 'org' }, 'amount_usd'],
    ['a soft threshold of 0', { scope: 'org', amount_usd: 1, soft_threshold: 0 }, 'soft_threshold'],
    [
      'a soft threshold over 1',
      { scope: 'org', amount_usd: 1, soft_threshold: 1.5 },
      'soft_threshold',
    ],
    [
      'a soft threshold as text',
      { scope: 'org', amount_usd: 1, soft_threshold: '0.5' },
      'soft_threshold',
    ],
    ['an unknown scope', { scope: 'team', scope_id: 'x', amount_usd: 1 }, 'scope'],
    ['an unknown period', { scope: 'org', amount_usd: 1, period: 'week' }, 'period'],
    [
      'a very long user id',
      { scope: 'user', scope_id: 'u'.repeat(10_000), amount_usd: 1 },
      'scope_id',
    ],
    ['a user budget without its user', { scope: 'user', amount_usd: 1 }, 'scope_id'],
    [
      'a webhook that is not http',
      { scope: 'org', amount_usd: 1, webhook_url: 'file:///etc/passwd' },
      'webhook_url',
    ],
    [
      'a very long webhook URL',
      { scope: 'org', amount_usd: 1, webhook_url: `https://x.test/${'a'.repeat(5_000)}` },
      'webhook_url',
    ],
    ['an unknown field', { scope: 'org', amount_usd: 1, limit: 5 }, ''],
  ])('refuses %s with a 400 naming the field, storing nothing', async (_case, body, field) => {
    const response = await createBudget(tenant, body);
    expect(response.status).toBe(400);
    const error = (await json(response)).error;
    expect(error.code).toBe('invalid_request');
    if (field) {
      expect(error.details.field).toBe(field);
      expect(error.message).toContain(field);
    }
    expect(JSON.stringify(error)).not.toMatch(/\bat .+\.ts:\d+/);
    expect(await server.app.stores.meta.listBudgets(tenant.orgId)).toEqual([]);
  });

  it('refuses a malformed JSON body and a bad id', async () => {
    const malformed = await server.request('/api/v1/admin/budgets', {
      method: 'POST',
      key: tenant.adminKey,
      headers: { 'content-type': 'application/json' },
      body: '{"scope": ',
    });
    expect(malformed.status).toBe(400);
    const badId = await server.request('/api/v1/admin/budgets/not-an-id', { key: tenant.adminKey });
    expect(badId.status).toBe(400);
    expect((await json(badId)).error.details.field).toBe('id');
  });

  it('refuses a project key on the admin API', async () => {
    const response = await createBudget(
      { ...tenant, adminKey: tenant.projectKey },
      {
        scope: 'org',
        amount_usd: 1,
      },
    );
    expect(response.status).toBe(403);
  });

  it('creates, lists, updates and deletes a budget, auditing each change', async () => {
    const created = await createBudget(tenant, {
      scope: 'project',
      scope_id: tenant.projectId,
      period: 'day',
      amount_usd: '12.5',
      webhook_url: 'https://hooks.example.test/budget',
    });
    expect(created.status).toBe(201);
    const budget = await json(created);
    expect(budget).toMatchObject({
      org_id: tenant.orgId,
      scope: 'project',
      scope_id: tenant.projectId,
      period: 'day',
      amount_usd: '12.50',
      soft_threshold: 0.8,
      spent_usd: '0.00',
      state: 'ok',
    });
    const duplicate = await createBudget(tenant, {
      scope: 'project',
      scope_id: tenant.projectId,
      period: 'day',
      amount_usd: 1,
    });
    expect(duplicate.status).toBe(409);

    const patched = await server.request(`/api/v1/admin/budgets/${budget.id}`, {
      method: 'PATCH',
      key: tenant.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount_usd: 20, soft_threshold: 0.5, webhook_url: null }),
    });
    expect(patched.status).toBe(200);
    expect(await json(patched)).toMatchObject({
      amount_usd: '20.00',
      soft_threshold: 0.5,
      webhook_url: null,
    });
    const badPatch = await server.request(`/api/v1/admin/budgets/${budget.id}`, {
      method: 'PATCH',
      key: tenant.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount_usd: -1 }),
    });
    expect(badPatch.status).toBe(400);
    expect((await json(badPatch)).error.details.field).toBe('amount_usd');

    const listed = await json(
      await server.request('/api/v1/admin/budgets', { key: tenant.adminKey }),
    );
    expect(listed.budgets.map((each: { id: string }) => each.id)).toEqual([budget.id]);
    expect(listed.budgets[0].amount_usd).toBe('20.00');

    const deleted = await server.request(`/api/v1/admin/budgets/${budget.id}`, {
      method: 'DELETE',
      key: tenant.adminKey,
    });
    expect(deleted.status).toBe(204);
    const gone = await server.request(`/api/v1/admin/budgets/${budget.id}`, {
      key: tenant.adminKey,
    });
    expect(gone.status).toBe(404);

    const audit = await json(await server.request('/api/v1/admin/audit', { key: tenant.adminKey }));
    const entries = audit.entries.filter(
      (entry: { target_id: string }) => entry.target_id === budget.id,
    );
    expect(entries.map((entry: { action: string }) => entry.action)).toEqual([
      'budget.deleted',
      'budget.updated',
      'budget.created',
    ]);
    expect(entries[1].before.amount_usd).toBe('12.50');
    expect(entries[1].after.amount_usd).toBe('20.00');
    expect(entries[0].after).toBeNull();
  });
});

describe('hard limit', () => {
  it('blocks calls once reached, overshooting by at most the calls in flight', async () => {
    const tenant = await newTenant('hard limit');
    const amountNanos = 10 * CALL_NANOS;
    const created = await createBudget(tenant, {
      scope: 'project',
      scope_id: tenant.projectId,
      period: 'month',
      amount_usd: usd(amountNanos),
    });
    expect(created.status).toBe(201);
    const client = openAIClient(tenant.projectKey);
    const concurrency = 4;
    let succeeded = 0;
    let blocked = 0;
    const blockedBefore = await blockedTotal();
    const upstreamBefore = metered.requests.length;
    // Waves of concurrent calls until every call of a wave is refused.
    for (let wave = 0; wave < 20; wave++) {
      const outcomes = await Promise.allSettled(
        Array.from({ length: concurrency }, () =>
          client.chat.completions.create({
            model: 'metered',
            messages: [{ role: 'user', content: 'hi' }],
          }),
        ),
      );
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') succeeded += 1;
        else {
          expect(outcome.reason).toBeInstanceOf(OpenAI.APIError);
          const error = outcome.reason as InstanceType<typeof OpenAI.APIError>;
          expect(error.status).toBe(402);
          expect(error.code).toBe('budget_exceeded');
          expect(error.message).toContain('budget');
          blocked += 1;
        }
      }
      if (outcomes.every((outcome) => outcome.status === 'rejected')) break;
    }
    expect(blocked).toBeGreaterThanOrEqual(concurrency);
    // Never past the limit by more than the calls already in flight when it was reached.
    expect(succeeded * CALL_NANOS).toBeLessThan(amountNanos + concurrency * CALL_NANOS);
    expect(succeeded).toBeGreaterThanOrEqual(9);
    // A refused call never reached the upstream.
    expect(metered.requests.length - upstreamBefore).toBe(succeeded);
    expect((await blockedTotal()) - blockedBefore).toBe(blocked);

    const [status] = await budgetsSeenBy(tenant.projectKey);
    expect(status).toMatchObject({
      state: 'blocked',
      limit_usd: usd(amountNanos).replace(/0+$/, ''),
    });
    expect(Number(status!.spent_usd) * 1e9).toBeCloseTo(succeeded * CALL_NANOS, 0);
    const check = await json(
      await server.request('/api/v1/budgets/check?scope=project', { key: tenant.projectKey }),
    );
    expect(check).toMatchObject({ scope: 'project', id: tenant.projectId, over_budget: true });

    // Anthropic's wire format on /v1/messages, from the official client.
    const anthropic = new Anthropic({
      apiKey: tenant.projectKey,
      baseURL: server.url,
      maxRetries: 0,
    });
    const refused = await anthropic.messages
      .create({ model: 'metered', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(Anthropic.APIError);
    expect((refused as InstanceType<typeof Anthropic.APIError>).status).toBe(402);
    expect((refused as { error?: { type?: string } }).error?.type).toBe('error');
    expect(metered.requests.length - upstreamBefore).toBe(succeeded);
  });

  it('counts a key budget against that key only', async () => {
    const tenant = await newTenant('key budget');
    const other = await issueApiKey(server.app.stores.meta, {
      orgId: tenant.orgId,
      projectId: tenant.projectId,
      name: 'other',
      scopes: ['gateway'],
    });
    const created = await createBudget(tenant, {
      scope: 'key',
      scope_id: tenant.projectKeyId,
      period: 'day',
      amount_usd: usd(2 * CALL_NANOS),
    });
    expect(created.status).toBe(201);
    const call = (key: string) =>
      postJson(
        server,
        '/v1/chat/completions',
        { model: 'metered', messages: [{ role: 'user', content: 'hi' }] },
        key,
      ).then(async (response) => ({ status: response.status, body: await json(response) }));
    expect((await call(tenant.projectKey)).status).toBe(200);
    expect((await call(tenant.projectKey)).status).toBe(200);
    const refused = await call(tenant.projectKey);
    expect(refused.status).toBe(402);
    expect(refused.body.error).toMatchObject({
      code: 'budget_exceeded',
      type: expect.any(String),
      message: expect.stringContaining(`daily budget of key ${tenant.projectKeyId}`),
    });
    expect((await call(other.secret)).status).toBe(200);
    const check = await json(
      await server.request('/api/v1/budgets/check?scope=key', { key: tenant.projectKey }),
    );
    expect(check).toMatchObject({ id: tenant.projectKeyId, over_budget: true, state: 'blocked' });
  });

  async function blockedTotal(): Promise<number> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return sumOf(parseExposition(text), 'tollgate_budget_blocked_total');
  }
});

describe('max_cost_usd', () => {
  it('refuses a call whose estimate exceeds it before the upstream is called', async () => {
    const tenant = await newTenant('max cost');
    const client = openAIClient(tenant.projectKey);
    const before = capped.requests.length;
    const refused = await client.chat.completions
      .create(
        { model: 'capped', max_tokens: 1_000, messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-tollgate-max-cost-usd': '0.0001' } },
      )
      .then(
        () => undefined,
        (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
      );
    expect(refused?.status).toBe(402);
    expect(refused?.code).toBe('max_cost_exceeded');
    expect(refused?.message).toContain('x-tollgate-max-cost-usd');

    const cappedEmbedding = await server.request('/v1/embeddings', {
      method: 'POST',
      key: tenant.projectKey,
      headers: { 'content-type': 'application/json', 'x-tollgate-max-cost-usd': '0' },
      body: JSON.stringify({ model: 'capped', input: 'hello' }),
    });
    expect(cappedEmbedding.status).toBe(402);
    expect((await json(cappedEmbedding)).error).toMatchObject({
      code: 'max_cost_exceeded',
      type: expect.any(String),
    });

    const messages = await server.request('/v1/messages', {
      method: 'POST',
      key: tenant.projectKey,
      headers: { 'content-type': 'application/json', 'x-tollgate-max-cost-usd': '0.0001' },
      body: JSON.stringify({
        model: 'capped',
        max_tokens: 1_000,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(messages.status).toBe(402);
    expect(await json(messages)).toMatchObject({
      type: 'error',
      error: { type: expect.any(String) },
    });

    // None of them reached the upstream.
    expect(capped.requests.length - before).toBe(0);

    const allowed = await client.chat.completions.create(
      { model: 'capped', max_tokens: 1_000, messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-tollgate-max-cost-usd': '0.01' } },
    );
    expect(allowed.choices[0]!.message.content).toBe('Hello! How can I help you today?');
    expect(capped.requests.length - before).toBe(1);
  });

  it.each(['abc', '-1', '1e-3', '0.0000000001'])(
    'answers a malformed header (%s) with a 400 naming it',
    async (value) => {
      const before = capped.requests.length;
      const response = await server.request('/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tollgate-max-cost-usd': value },
        body: JSON.stringify({ model: 'capped', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(400);
      expect((await json(response)).error.message).toContain('x-tollgate-max-cost-usd');
      expect(capped.requests.length).toBe(before);
    },
  );
});

describe('reconciliation', () => {
  it('restores lost counters from the event store', async () => {
    const tenant = await newTenant('reconcile');
    const created = await createBudget(tenant, {
      scope: 'org',
      period: 'month',
      amount_usd: 1,
    });
    const budgetId = (await json(created)).id as string;
    const client = openAIClient(tenant.projectKey);
    for (let index = 0; index < 3; index++) {
      await client.chat.completions.create({
        model: 'metered',
        messages: [{ role: 'user', content: 'hi' }],
      });
    }
    const budget = (await server.app.stores.meta.getBudget(tenant.orgId, budgetId)) as Budget;
    const { counters, reconciler } = {
      counters: server.app.budgets.guard.counters,
      reconciler: server.app.budgets.reconciler,
    };
    const window = periodOf('month', clock.now());
    await waitFor(
      () => counters.spent(budget, window),
      (spent) => spent === 3 * CALL_NANOS,
      'the live counter',
    );
    // The hot state is lost (a Redis restart): the counter reads zero...
    await server.app.stores.hot.delete(counters.keyOf(budget, window));
    expect(await counters.spent(budget, window)).toBe(0);
    // ...until the reconciler sets it back from what was recorded.
    expect(await reconciler.reconcile([budget])).toBe(1);
    expect(await counters.spent(budget, window)).toBe(3 * CALL_NANOS);
    const [status] = await budgetsSeenBy(tenant.projectKey);
    expect(status).toMatchObject({
      scope: 'org',
      spent_usd: usd(3 * CALL_NANOS).replace(/0+$/, ''),
    });
  });
});

describe('tenancy', () => {
  it('never shows or checks another org’s budgets', async () => {
    const a = await newTenant('tenant a');
    const b = await newTenant('tenant b');
    const created = await createBudget(a, {
      scope: 'project',
      scope_id: a.projectId,
      amount_usd: 3,
    });
    const idOfA = (await json(created)).id as string;
    await createBudget(b, { scope: 'org', amount_usd: 1 });

    for (const key of [b.adminKey, b.projectKey]) {
      const seen = await budgetsSeenBy(key);
      expect(seen.length).toBe(1);
      expect(JSON.stringify(seen)).not.toContain(a.orgId);
      expect(JSON.stringify(seen)).not.toContain(idOfA);
    }
    const adminList = await json(
      await server.request('/api/v1/admin/budgets', { key: b.adminKey }),
    );
    expect(JSON.stringify(adminList)).not.toContain(idOfA);
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const response = await server.request(`/api/v1/admin/budgets/${idOfA}`, {
        method,
        key: b.adminKey,
        ...(method === 'PATCH'
          ? { headers: { 'content-type': 'application/json' }, body: '{"amount_usd":0}' }
          : {}),
      });
      expect(response.status, method).toBe(404);
    }
    expect((await server.app.stores.meta.getBudget(a.orgId, idOfA))?.amountNanos).toBe(
      3_000_000_000n,
    );
    // B may neither budget nor check A's project or org.
    const foreign = await createBudget(b, {
      scope: 'project',
      scope_id: a.projectId,
      amount_usd: 1,
    });
    expect(foreign.status).toBe(404);
    for (const path of [
      `/api/v1/budgets/check?scope=project&id=${a.projectId}`,
      `/api/v1/budgets/check?scope=org&id=${a.orgId}`,
    ]) {
      for (const key of [b.adminKey, b.projectKey]) {
        const response = await server.request(path, { key });
        expect(response.status, path).toBe(404);
        expect(await response.text()).not.toContain(idOfA);
      }
    }
    const own = await json(
      await server.request(`/api/v1/budgets/check?scope=project&id=${a.projectId}`, {
        key: a.projectKey,
      }),
    );
    expect(own).toMatchObject({ over_budget: false, state: 'ok' });
    expect(own.budgets[0].id).toBe(idOfA);
    const badScope = await server.request('/api/v1/budgets/check?scope=galaxy', {
      key: a.projectKey,
    });
    expect(badScope.status).toBe(400);
    expect((await json(badScope)).error.details.field).toBe('scope');
  });
});

describe('soft threshold', () => {
  it('records the event and calls the webhook once per period, with retries', async () => {
    const tenant = await newTenant('soft threshold');
    const user = 'alice@example.test';
    receiver.reply({ type: 'json', status: 500, body: { error: 'try again' } });
    const created = await createBudget(tenant, {
      scope: 'user',
      scope_id: user,
      period: 'day',
      amount_usd: usd(10 * CALL_NANOS),
      soft_threshold: 0.25,
      webhook_url: `${receiver.url}/budget-hook`,
    });
    expect(created.status).toBe(201);
    const budget = await json(created);
    const client = openAIClient(tenant.projectKey);
    const call = () =>
      client.chat.completions.create({
        model: 'metered',
        user,
        messages: [{ role: 'user', content: 'hi' }],
      });
    const stored = (await server.app.stores.meta.getBudget(tenant.orgId, budget.id)) as Budget;
    const { guard } = server.app.budgets;
    const spentAfter = (calls: number) =>
      waitFor(
        () => guard.counters.spent(stored, periodOf('day', clock.now())),
        (spent) => spent === calls * CALL_NANOS,
        `${calls} calls counted`,
        { intervalMs: 10 },
      );
    // Every delivery ended: each retry waits on the server's clock, moved past its backoff.
    const deliveriesEnded = () =>
      advanceUntil(clock, () => guard.deliveries.size === 0, 'the deliveries to end');
    const receivedBefore = receiver.requests.length;
    // 2 calls stay under 25%; the 3rd crosses it; the 4th and 5th are past it already.
    await call();
    await call();
    await spentAfter(2);
    expect(guard.deliveries.size).toBe(0);
    expect(receiver.requests.length).toBe(receivedBefore);
    await Promise.all([call(), call(), call()]);
    // The first delivery got a 500, the retry a 200: two requests, one notice.
    await spentAfter(5);
    await deliveriesEnded();
    const deliveries = receiver.requests.slice(receivedBefore);
    expect(deliveries).toHaveLength(2);
    expect(deliveries[0]!.json).toEqual(deliveries[1]!.json);
    const notice = deliveries[1]!.json as Record<string, any>;
    const today = periodOf('day', clock.now()).key;
    expect(notice).toMatchObject({
      type: 'budget.soft_threshold_exceeded',
      budget: { id: budget.id, scope: 'user', scope_id: user, period: 'day' },
      period: today,
    });
    expect(deliveries[1]!.url).toBe('/budget-hook');

    const events = await waitFor(
      async () =>
        (
          await json(
            await server.request('/api/v1/events?event_type=cost_threshold_exceeded', {
              key: tenant.projectKey,
            }),
          )
        ).events as Array<Record<string, any>>,
      (found) => found.length > 0,
      'the cost_threshold_exceeded event',
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event_type: 'cost_threshold_exceeded', user_id: user });
    expect(events[0]!.value).toBeGreaterThanOrEqual(events[0]!.threshold);

    // A user's budget is an admin's to list (a project key sees it by naming the user).
    const [status] = await budgetsSeenBy(tenant.adminKey);
    expect(status).toMatchObject({ id: budget.id, state: 'soft', period_key: today });

    // The next UTC day is a new period: the threshold fires again, once.
    await clock.advance(periodOf('day', clock.now()).end - clock.now() + 1_000);
    const nextDay = periodOf('day', clock.now()).key;
    const [fresh] = await budgetsSeenBy(tenant.adminKey);
    expect(fresh).toMatchObject({ period_key: nextDay, spent_usd: '0.00', state: 'ok' });
    const before = receiver.requests.length;
    for (let index = 0; index < 4; index++) await call();
    await spentAfter(4);
    await deliveriesEnded();
    const next = receiver.requests.slice(before);
    expect(next).toHaveLength(1);
    expect(next[0]!.json).toMatchObject({ period: nextDay });
  });
});
