/**
 * Exactly once by event_id: a batch re-sent after a lost answer, sent several
 * times at once, or holding the same id twice is stored and counted once (raw
 * rows, rollups, chargeback, budget spend), and the copies are answered as
 * accepted. Across two app instances sharing Redis when REDIS_URL is set.
 */
import { calculateCost, createEventId, type Budget } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { loadConfiguration } from '../../src/config';
import { periodOf } from '../../src/governance/budgets/budget-period';
import { createHotStore } from '../../src/stores/hot';
import { closeStores, openStores } from '../../src/stores/open-stores';
import { withOutage } from '../helpers/store-outage';
import { newTenant, type TestTenant } from '../helpers/new-tenant';
import { describeWithService } from '../helpers/services';
import { createTempDir } from '../helpers/temp-dir';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

const CALL_NANOS = calculateCost('gpt-4o', {
  inputTokens: 1000,
  outputTokens: 500,
  cachedInputTokens: 0,
}).costNanos;

/** A batch of prompt calls with ids of their own, as a client that retries sends it each time. */
function batchOf(size: number): Record<string, unknown>[] {
  const ts = Date.now() - 60_000;
  return Array.from({ length: size }, (_, index) => ({
    event_id: createEventId(ts + index),
    ts: ts + index,
    event_type: 'prompt_call',
    provider: 'openai',
    model: 'gpt-4o',
    input_tokens: 1000,
    output_tokens: 500,
    name: `call-${index}`,
  }));
}

function send(url: string, key: string, body: unknown): Promise<Response> {
  return fetch(`${url}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function readJson<T>(url: string, path: string, key: string): Promise<T> {
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function storedIds(url: string, key: string): Promise<string[]> {
  const body = await readJson<{ events: { event_id: string }[] }>(
    url,
    '/api/v1/events?limit=1000',
    key,
  );
  return body.events.map((event) => event.event_id).sort();
}

async function duplicatesMetric(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((each) => each.startsWith('tollgate_events_duplicates_total '));
  return Number(line?.split(' ')[1]);
}

describe('the same event_id on one server', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('a batch sent three times is stored once and counted once everywhere', async () => {
    const tenant = await newTenant(server.app.stores.meta, 'resent');
    const budgetAnswer = await postJson(
      server,
      '/api/v1/admin/budgets',
      { scope: 'org', period: 'month', amount_usd: 100 },
      tenant.adminKey,
    );
    expect(budgetAnswer.status).toBe(201);
    const budgetId = ((await budgetAnswer.json()) as { id: string }).id;
    const batch = batchOf(5);
    const duplicatesBefore = await duplicatesMetric(server.url);
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = await send(server.url, tenant.projectKey, batch);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({
        accepted: 5,
        event_ids: batch.map((event) => event.event_id),
      });
    }

    expect(await storedIds(server.url, tenant.projectKey)).toEqual(
      batch.map((event) => event.event_id).sort(),
    );
    // The rollups (materialized views) behind analytics and chargeback.
    const cost = await readJson<{ total: { requests: number; cost_nanos: string } }>(
      server.url,
      '/api/v1/analytics/cost/summary',
      tenant.projectKey,
    );
    expect(cost.total).toMatchObject({ requests: 5, cost_nanos: String(5 * CALL_NANOS) });
    const chargeback = await readJson<{
      orgs: { total: { requests: number; cost_nanos: string } }[];
    }>(server.url, '/api/v1/analytics/chargeback', tenant.adminKey);
    expect(chargeback.orgs[0]!.total).toMatchObject({
      requests: 5,
      cost_nanos: String(5 * CALL_NANOS),
    });
    // Budget spend, as the reconciler recomputes it from what was recorded.
    const budget = (await server.app.stores.meta.getBudget(tenant.orgId, budgetId)) as Budget;
    const { counters, reconciler } = {
      counters: server.app.budgets.guard.counters,
      reconciler: server.app.budgets.reconciler,
    };
    expect(await reconciler.reconcile([budget])).toBe(1);
    expect(await counters.spent(budget, periodOf('month', Date.now()))).toBe(5 * CALL_NANOS);
    expect((await duplicatesMetric(server.url)) - duplicatesBefore).toBe(10);
  });

  it('copies sent at the same time, and a copy inside one batch, are stored once', async () => {
    const tenant = await newTenant(server.app.stores.meta, 'concurrent');
    const batch = batchOf(4);
    const withCopy = [...batch, batch[0]!];
    const answers = await Promise.all(
      [withCopy, withCopy, withCopy].map((body) => send(server.url, tenant.projectKey, body)),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(await storedIds(server.url, tenant.projectKey)).toEqual(
      batch.map((event) => event.event_id).sort(),
    );
  });

  it('never drops one org’s event because another org used the same id', async () => {
    const first = await newTenant(server.app.stores.meta, 'first');
    const second = await newTenant(server.app.stores.meta, 'second');
    const batch = batchOf(2);
    expect((await send(server.url, first.projectKey, batch)).status).toBe(200);
    expect((await send(server.url, second.projectKey, batch)).status).toBe(200);
    const ids = batch.map((event) => event.event_id).sort();
    expect(await storedIds(server.url, first.projectKey)).toEqual(ids);
    expect(await storedIds(server.url, second.projectKey)).toEqual(ids);
  });
});

describe('a copy of a batch that was not stored', () => {
  it('is stored: a failed attempt gives its claims back', async () => {
    const directory = createTempDir();
    const configuration = loadConfiguration({ TOLLGATE_DATA_DIR: directory.path });
    const stores = await openStores(configuration);
    const outage = withOutage(stores.events);
    // The store is down and the spool too small: the first attempt is answered 503, nothing kept.
    const server = await startTestServer({
      environment: { TOLLGATE_DATA_DIR: directory.path, TOLLGATE_SPOOL_MAX_BYTES: '1024' },
      build: { stores: { ...stores, events: outage.store } },
    });
    try {
      const tenant = await newTenant(server.app.stores.meta, 'released');
      const batch = batchOf(3);
      outage.setDown(true);
      expect((await send(server.url, tenant.projectKey, batch)).status).toBe(503);
      outage.setDown(false);
      // The writer finds the store back on its next retry (every 2 s).
      while (server.app.eventWriter.isSpooling) await new Promise((wake) => setTimeout(wake, 50));
      expect((await send(server.url, tenant.projectKey, batch)).status).toBe(200);
      expect(await storedIds(server.url, tenant.projectKey)).toEqual(
        batch.map((event) => event.event_id).sort(),
      );
    } finally {
      await server.close();
      await closeStores(stores);
      directory.remove();
    }
  }, 120_000); // start-up of a second server on a busy machine
});

describeWithService(
  'REDIS_URL',
  'the same event_id on two app instances sharing Redis',
  (redisUrl) => {
    let first: TestServer;
    let second: Awaited<ReturnType<typeof buildApp>>;
    let secondUrl: string;
    const secondDirectory = createTempDir();
    const secondHot = createHotStore({ redisUrl });
    let tenant: TestTenant;

    beforeAll(async () => {
      first = await startTestServer({ environment: { REDIS_URL: redisUrl } });
      // A second replica: its own writer, spool and Redis connection; the same event and meta stores.
      const configuration = loadConfiguration({
        TOLLGATE_DATA_DIR: secondDirectory.path,
        REDIS_URL: redisUrl,
        LOG_LEVEL: 'warn',
        PORT: '0',
      });
      second = await buildApp(configuration, {
        logger: false,
        stores: { ...first.app.stores, hot: secondHot },
      });
      secondUrl = await second.listen({ port: 0, host: '127.0.0.1' });
      tenant = await newTenant(first.app.stores.meta, 'replicas');
    });
    afterAll(async () => {
      await second.close();
      await secondHot.close();
      secondDirectory.remove();
      await first.close();
    });

    it('a batch answered by one replica and re-sent to the other is stored once', async () => {
      const batch = batchOf(3);
      expect((await send(first.url, tenant.projectKey, batch)).status).toBe(200);
      expect((await send(secondUrl, tenant.projectKey, batch)).status).toBe(200);
      const concurrent = batchOf(3);
      const answers = await Promise.all([
        send(first.url, tenant.projectKey, concurrent),
        send(secondUrl, tenant.projectKey, concurrent),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      expect(await storedIds(first.url, tenant.projectKey)).toEqual(
        [...batch, ...concurrent].map((event) => event.event_id).sort(),
      );
    });
  },
);
