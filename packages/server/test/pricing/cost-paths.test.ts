import { parseUsdNanos } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTollgate, trackAIOperation } from '@tollgate/sdk';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import {
  attribute,
  exportRequest,
  hex,
  jsonSpan,
  postJsonTraces,
  text,
} from '../otlp/otlp-json-fixtures';

/**
 * Real usage payloads sent through the ingestion API, the SDK and OTLP, each
 * priced on the server with the org's prices and asserted to the nano-dollar
 * (figures worked by hand from the providers' list prices, USD per million).
 */
let server: TestServer;
const base = Date.now() - 60_000;

type StoredEvent = Record<string, unknown>;

async function eventsOfRun(runId: string, key?: string): Promise<Map<string, StoredEvent>> {
  const response = await server.request(`/api/v1/events?run_id=${runId}&limit=100`, { key });
  expect(response.status).toBe(200);
  const { events } = (await response.json()) as { events: StoredEvent[] };
  return new Map(events.map((event) => [String(event.name), event]));
}

async function ingest(events: unknown[], key?: string) {
  const response = await postJson(server, '/api/v1/events', events, key);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const call = (runId: string, name: string, index: number, fields: Record<string, unknown>) => ({
  event_type: 'prompt_call',
  run_id: runId,
  name,
  ts: base + index,
  ...fields,
});

beforeAll(async () => {
  server = await startTestServer();
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('ingestion API cost', () => {
  it('prices cached, cache-write, reasoning, long-context, tier and image usage to the nano', async () => {
    const run = 'cost-api-fixtures';
    const { status } = await ingest([
      // 6k × 2.50 + 4k cached × 1.25 + 500 × 10 = 0.025
      call(run, 'openai-cached', 1, {
        model: 'gpt-4o-2024-08-06',
        input_tokens: 10_000,
        cached_tokens: 4_000,
        output_tokens: 500,
      }),
      // Anthropic usage as the API reports it: input_tokens excludes cache reads and writes.
      // 2k × 3 + 50k read × 0.30 + 10k 5m × 3.75 + 5k 1h × 6 + 800 × 15 = 0.1005
      call(run, 'anthropic-cache-writes', 2, {
        model: 'claude-sonnet-4-5-20250929',
        usage_convention: 'input_excludes_cached',
        input_tokens: 2_000,
        cached_tokens: 50_000,
        cache_write_5m_tokens: 10_000,
        cache_write_1h_tokens: 5_000,
        output_tokens: 800,
      }),
      // 1k × 1.25 + 5k (4k reasoning) × 10 = 0.05125
      call(run, 'reasoning', 3, {
        model: 'gpt-5.1',
        input_tokens: 1_000,
        output_tokens: 5_000,
        reasoning_tokens: 4_000,
      }),
      // Above 200k: 250k × 2.50 + 1k × 15 = 0.64 (the base rate would give 0.3225)
      call(run, 'long-context', 4, {
        model: 'gemini-2.5-pro',
        input_tokens: 250_000,
        output_tokens: 1_000,
      }),
      // priority: 1k × 4.25 + 1k × 17 = 0.02125
      call(run, 'priority-tier', 5, {
        model: 'gpt-4o',
        service_tier: 'priority',
        input_tokens: 1_000,
        output_tokens: 1_000,
      }),
      // 2 × $0.08 (hd, 1024x1024)
      call(run, 'image', 6, {
        operation: 'image',
        model: 'dall-e-3',
        image_count: 2,
        image_size: '1024x1024',
        image_quality: 'hd',
      }),
    ]);
    expect(status).toBe(200);
    const events = await eventsOfRun(run);
    const cost = (name: string) => events.get(name)?.cost_nanos;
    expect(cost('openai-cached')).toBe(25_000_000);
    expect(cost('anthropic-cache-writes')).toBe(100_500_000);
    expect(cost('reasoning')).toBe(51_250_000);
    expect(cost('long-context')).toBe(640_000_000);
    expect(cost('priority-tier')).toBe(21_250_000);
    expect(cost('image')).toBe(160_000_000);
    // Stored in the one convention, with the detail of the bill.
    expect(events.get('anthropic-cache-writes')).toMatchObject({
      input_tokens: 67_000,
      cached_tokens: 50_000,
      cache_write_5m_tokens: 10_000,
      cache_write_1h_tokens: 5_000,
      cost_source: 'catalogue',
      cost_unpriced: false,
    });
    expect(events.get('reasoning')).toMatchObject({ reasoning_tokens: 4_000 });
  });

  it('charges nothing for a cache hit, and never prices a call without usage at $0', async () => {
    const run = 'cost-api-cache-and-empty';
    await ingest([
      call(run, 'cache-hit', 1, {
        model: 'gpt-4o',
        cache_hit: true,
        input_tokens: 900,
        output_tokens: 90,
      }),
      call(run, 'cached-status', 2, {
        model: 'gpt-4o',
        status: 'cached',
        input_tokens: 900,
        output_tokens: 90,
      }),
      call(run, 'no-usage', 3, { model: 'gpt-4o' }),
    ]);
    const events = await eventsOfRun(run);
    expect(events.get('cache-hit')).toMatchObject({ cost_nanos: 0, cost_source: 'cache' });
    expect(events.get('cached-status')).toMatchObject({ cost_nanos: 0, cost_source: 'cache' });
    expect(events.get('no-usage')).toMatchObject({
      cost_nanos: null,
      cost_usd: null,
      cost_unpriced: true,
    });
  });

  it('keeps a client’s cost only for a model the server cannot price, and prices the rest itself', async () => {
    const run = 'cost-api-reported';
    await ingest([
      call(run, 'in-house', 1, { model: 'in-house-model', input_tokens: 10, cost_usd: 0.42 }),
      call(run, 'known', 2, {
        model: 'gpt-4o',
        input_tokens: 1_000,
        output_tokens: 0,
        cost_usd: 99,
      }),
    ]);
    const events = await eventsOfRun(run);
    expect(events.get('in-house')).toMatchObject({
      cost_nanos: 420_000_000,
      cost_source: 'reported',
      cost_unpriced: false,
    });
    expect(events.get('known')).toMatchObject({ cost_nanos: 2_500_000, cost_source: 'catalogue' });
  });

  it('refuses usage that does not add up, naming the field, instead of clamping it', async () => {
    const { status, body } = await ingest([
      call('cost-api-bad', 'too-many-cached', 1, {
        model: 'claude-sonnet-4-5',
        input_tokens: 1_000,
        cached_tokens: 2_700,
        output_tokens: 10,
      }),
      call('cost-api-bad', 'reasoning-over-output', 2, {
        model: 'gpt-5.1',
        input_tokens: 10,
        output_tokens: 10,
        reasoning_tokens: 11,
      }),
    ]);
    expect(status).toBe(400);
    const details = (
      body.error as { details: { errors: Array<{ field: string; message: string }> } }
    ).details;
    expect(details.errors.map((error) => error.field)).toEqual([
      'cached_tokens',
      'reasoning_tokens',
    ]);
    expect(details.errors[0]!.message).toContain('input_excludes_cached');
  });
});

describe('org and global prices on every path', () => {
  let otherOrgKey: string;

  beforeAll(async () => {
    const meta = server.app.stores.meta;
    const organization = await meta.createOrganization({ name: 'other-org', plan: 'free' });
    const project = await meta.createProject({ orgId: organization.id, name: 'other-project' });
    otherOrgKey = (
      await issueApiKey(meta, {
        orgId: organization.id,
        projectId: project.id,
        name: 'other ingest',
        scopes: ['ingest', 'read', 'gateway'],
      })
    ).secret;
    // The default org (the operator's) negotiates gpt-4o at 1/4 per million, for itself only.
    const response = await server.request('/api/v1/admin/prices', {
      method: 'PUT',
      key: server.tenant.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', price: { provider: 'openai', input: 1, output: 4 } }),
    });
    expect(response.status).toBe(200);
  });

  it('applies the org’s override on the API path, and never to another org', async () => {
    const usage = { model: 'gpt-4o', input_tokens: 1_000_000, output_tokens: 1_000_000 };
    await ingest([call('cost-org-a', 'a', 1, usage)]);
    await ingest([call('cost-org-b', 'b', 1, usage)], otherOrgKey);
    expect((await eventsOfRun('cost-org-a')).get('a')).toMatchObject({
      cost_nanos: 5_000_000_000,
      cost_source: 'override',
    });
    expect((await eventsOfRun('cost-org-b', otherOrgKey)).get('b')).toMatchObject({
      cost_nanos: 12_500_000_000,
      cost_source: 'catalogue',
    });
  });

  it('applies the org’s override to events sent by the SDK, which sends usage only', async () => {
    const tollgate = createTollgate({
      baseUrl: server.url,
      apiKey: server.tenant.projectKey,
      flushIntervalMs: 60_000,
    });
    await trackAIOperation(
      async () => ({ usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } }),
      { model: 'gpt-4o', name: 'sdk-priced-call', tollgate },
    );
    await tollgate.shutdown();
    const listed = await server.request('/api/v1/events?event_type=prompt_call&limit=100');
    const { events } = (await listed.json()) as { events: StoredEvent[] };
    expect(events.find((event) => event.name === 'sdk-priced-call')).toMatchObject({
      cost_nanos: 1_000_000_000,
      cost_source: 'override',
    });
  });

  it('applies the org’s override to OTLP spans', async () => {
    const traceId = hex(16);
    const span = jsonSpan(traceId, 'chat gpt-4o', [
      attribute('gen_ai.operation.name', text('chat')),
      attribute('gen_ai.system', text('openai')),
      attribute('gen_ai.request.model', text('gpt-4o')),
      attribute('gen_ai.usage.input_tokens', { intValue: '1000000' }),
      attribute('gen_ai.usage.output_tokens', { intValue: '0' }),
    ]);
    const response = await postJsonTraces(server, exportRequest([span]));
    expect(response.status).toBe(200);
    const listed = await server.request(`/api/v1/events?run_id=${traceId}&limit=10`);
    const { events } = (await listed.json()) as { events: StoredEvent[] };
    const priced = events.find((event) => event.event_type === 'prompt_call');
    expect(priced).toMatchObject({ cost_nanos: 1_000_000_000, cost_source: 'override' });
  });

  it('lets the operator set a global price that every org pays under its own', async () => {
    const set = await server.request('/api/v1/admin/prices', {
      method: 'PUT',
      key: server.tenant.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'acme-llm', scope: 'global', price: { input: 2, output: 2 } }),
    });
    expect(set.status).toBe(200);
    await ingest(
      [
        call('cost-global', 'g', 1, {
          model: 'acme-llm',
          input_tokens: 1_000_000,
          output_tokens: 0,
        }),
      ],
      otherOrgKey,
    );
    expect((await eventsOfRun('cost-global', otherOrgKey)).get('g')).toMatchObject({
      cost_nanos: 2_000_000_000,
      cost_source: 'global-override',
    });
    const audit = await server.request('/api/v1/admin/audit', { key: server.tenant.adminKey });
    const { entries } = (await audit.json()) as { entries: Array<Record<string, unknown>> };
    expect(
      entries.some((entry) => entry.action === 'price.set' && entry.target_id === 'acme-llm'),
    ).toBe(true);
  });
});

describe('totals', () => {
  it('sum to the events: chargeback and the cost summary equal the sum of recorded costs', async () => {
    const listed = await server.request('/api/v1/events?event_type=prompt_call&limit=1000', {
      key: server.tenant.adminKey,
    });
    const { events } = (await listed.json()) as { events: StoredEvent[] };
    const priced = events.filter((event) => event.cost_unpriced === false);
    const sum = priced.reduce((total, event) => total + BigInt(event.cost_nanos as number), 0n);
    expect(sum).toBeGreaterThan(0n);

    const report = await server.request('/api/v1/analytics/chargeback', {
      key: server.tenant.adminKey,
    });
    const { orgs } = (await report.json()) as { orgs: Array<{ total: { cost_usd: string } }> };
    expect(parseUsdNanos(orgs[0]!.total.cost_usd)).toBe(sum);

    const summary = await server.request('/api/v1/analytics/cost/summary', {
      key: server.tenant.adminKey,
    });
    const body = (await summary.json()) as {
      total: { cost_usd: string };
      unpriced: { calls: number; models: Array<{ model: string; calls: number }> };
    };
    expect(parseUsdNanos(body.total.cost_usd)).toBe(sum);
    expect(body.unpriced.calls).toBe(events.length - priced.length);
    expect(body.unpriced.models.map((row) => row.model)).toContain('gpt-4o');
  });
});
