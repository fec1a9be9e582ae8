import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../helpers/temp-dir';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { parseExposition, sumOf, type Sample } from './exposition';

let server: TestServer;
let openai: OpenAI;
const directory = createTempDir();

/** What the scripted traffic says it did, from the gateway's own response headers and bodies. */
const sent = {
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  servedModel: new Map<string, string>(),
};

async function scrape(): Promise<{ response: Response; text: string; samples: Sample[] }> {
  const response = await fetch(`${server.url}/metrics`);
  const text = await response.text();
  return { response, text, samples: parseExposition(text) };
}

async function chat(model: string, content: string) {
  const { data, response } = await openai.chat.completions
    .create({ model, messages: [{ role: 'user', content }] })
    .withResponse();
  sent.servedModel.set(model, response.headers.get('x-tollgate-model')!);
  if (response.headers.get('x-tollgate-cache') !== 'hit') {
    sent.inputTokens += data.usage!.prompt_tokens;
    sent.outputTokens += data.usage!.completion_tokens;
    sent.costUsd += Number(response.headers.get('x-tollgate-cost-usd'));
  }
  return response.headers;
}

/** The gateway's call events, once the writer has stored `count` of them. */
async function storedPromptCalls(count: number): Promise<{ cost_nanos: number }[]> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const response = await server.request('/api/v1/events?event_type=prompt_call&limit=1000');
    const { events } = (await response.json()) as { events: { cost_nanos: number }[] };
    if (events.length >= count) return events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${count} gateway calls were not recorded`);
}

beforeAll(async () => {
  const routes = join(directory.path, 'routes.yaml');
  writeFileSync(
    routes,
    `routes:
  - model: priced
    deployments:
      - { id: priced, provider: simulated, model: gpt-4o-mini }
  - model: cached
    cacheTtlSeconds: 60
    deployments:
      - { id: cached, provider: simulated, model: simulated/cached }
  - model: broken
    deployments:
      - { id: broken, provider: simulated, model: simulated/broken, maxRetries: 0, options: { errorRate: 1 } }
`,
  );
  server = await startTestServer({
    environment: { TOLLGATE_ROUTES: routes, TOLLGATE_BREAKER_FAILURES: '2' },
  });
  openai = new OpenAI({
    baseURL: `${server.url}/v1`,
    apiKey: server.tenant.projectKey,
    maxRetries: 0,
  });

  // Gateway: 3 priced calls and a stream (no cache on the route), a cache miss then a hit,
  // and two failures that open the failing deployment's breaker.
  for (let index = 0; index < 3; index += 1) await chat('priced', `hello ${index}`);
  const stream = await openai.chat.completions.create({
    model: 'priced',
    messages: [{ role: 'user', content: 'stream please' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    if (chunk.usage) {
      sent.inputTokens += chunk.usage.prompt_tokens;
      sent.outputTokens += chunk.usage.completion_tokens;
    }
  }
  expect((await chat('cached', 'same question')).get('x-tollgate-cache')).toBe('miss');
  expect((await chat('cached', 'same question')).get('x-tollgate-cache')).toBe('hit');
  for (let index = 0; index < 2; index += 1) {
    await expect(chat('broken', 'fail')).rejects.toMatchObject({ status: 502 });
  }

  // Ingestion: two valid events and one invalid in one batch (207), then a batch of one invalid (400).
  const valid = { event_type: 'custom', name: 'metrics-test' };
  const invalid = { event_type: 'no-such-type' };
  expect((await postJson(server, '/api/v1/events', [valid, invalid, valid])).status).toBe(207);
  expect((await postJson(server, '/api/v1/events', [invalid])).status).toBe(400);
}, 180_000);

afterAll(async () => {
  await server?.close();
  directory.remove();
});

describe('GET /metrics', () => {
  it('answers the Prometheus text format without a key', async () => {
    const { response } = await scrape();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts gateway calls by provider, served model and status', async () => {
    const { samples } = await scrape();
    const priced = sent.servedModel.get('priced')!;
    const cached = sent.servedModel.get('cached')!;
    const requests = 'tollgate_llm_requests_total';
    expect(
      sumOf(samples, requests, { provider: 'simulated', model: priced, status: 'success' }),
    ).toBe(4);
    expect(sumOf(samples, requests, { model: cached, status: 'success' })).toBe(1);
    expect(sumOf(samples, requests, { model: cached, status: 'cached' })).toBe(1);
    expect(
      sumOf(samples, requests, { provider: 'simulated', model: 'broken', status: 'error' }),
    ).toBe(2);
    expect(sumOf(samples, requests)).toBe(8);
  });

  it('times the calls that reached a provider, and the first token of streams', async () => {
    const { samples } = await scrape();
    const priced = sent.servedModel.get('priced')!;
    const duration = 'tollgate_llm_request_duration_seconds_count';
    expect(sumOf(samples, duration, { model: priced })).toBe(4);
    expect(sumOf(samples, duration, { model: sent.servedModel.get('cached')! })).toBe(1);
    expect(sumOf(samples, duration, { model: 'broken' })).toBe(2);
    expect(sumOf(samples, duration)).toBe(7);
    expect(sumOf(samples, 'tollgate_llm_time_to_first_token_seconds_count')).toBe(1);
    expect(
      sumOf(samples, 'tollgate_llm_request_duration_seconds_bucket', { model: priced, le: '+Inf' }),
    ).toBe(4);
  });

  it('adds up the tokens and the cost the gateway answered with', async () => {
    const { samples } = await scrape();
    expect(sent.costUsd).toBeGreaterThan(0);
    expect(sumOf(samples, 'tollgate_llm_tokens_total', { direction: 'input' })).toBe(
      sent.inputTokens,
    );
    expect(sumOf(samples, 'tollgate_llm_tokens_total', { direction: 'output' })).toBe(
      sent.outputTokens,
    );
    expect(sumOf(samples, 'tollgate_llm_tokens_total', { direction: 'cached' })).toBe(0);
    const { orgId, projectId } = server.tenant;
    // The stream's cost is in its event only: compare with what the event store holds.
    const stored = await storedPromptCalls(8);
    const storedNanos = stored.reduce((total, event) => total + event.cost_nanos, 0);
    expect(storedNanos / 1e9).toBeGreaterThan(sent.costUsd);
    const cost = sumOf(samples, 'tollgate_llm_cost_usd_total', {
      org: orgId,
      project: projectId,
      model: 'gpt-4o-mini',
    });
    expect(cost).toBeCloseTo(storedNanos / 1e9, 12);
    expect(sumOf(samples, 'tollgate_llm_cost_usd_total')).toBe(cost);
  });

  it('counts cache hits, misses and bypasses', async () => {
    const { samples } = await scrape();
    expect(sumOf(samples, 'tollgate_cache_requests_total', { result: 'hit' })).toBe(1);
    expect(sumOf(samples, 'tollgate_cache_requests_total', { result: 'miss' })).toBe(1);
    expect(sumOf(samples, 'tollgate_cache_requests_total', { result: 'bypass' })).toBe(4);
  });

  it('shows the failing deployment breaker open', async () => {
    const { samples } = await scrape();
    const breakers = samples.filter((sample) => sample.name === 'tollgate_circuit_breaker_state');
    expect(breakers).toEqual([
      {
        name: 'tollgate_circuit_breaker_state',
        labels: { deployment: `${server.tenant.orgId}|broken|simulated|simulated/broken` },
        value: 2,
      },
    ]);
  });

  it('counts ingested events accepted and rejected, and the spool', async () => {
    const { samples } = await scrape();
    expect(sumOf(samples, 'tollgate_ingest_events_total', { result: 'accepted' })).toBe(2);
    expect(sumOf(samples, 'tollgate_ingest_events_total', { result: 'rejected' })).toBe(2);
    expect(sumOf(samples, 'tollgate_ingest_spool_bytes')).toBe(0);
  });

  it('declares rate-limit and budget counters, recorded through app.metrics', async () => {
    const before = await scrape();
    expect(sumOf(before.samples, 'tollgate_budget_blocked_total')).toBe(0);
    expect(before.text).toMatch(/^# TYPE tollgate_rate_limited_total counter$/m);
    server.app.metrics.rateLimited('project');
    server.app.metrics.rateLimited('project');
    server.app.metrics.budgetBlocked();
    const { samples } = await scrape();
    expect(sumOf(samples, 'tollgate_rate_limited_total', { scope: 'project' })).toBe(2);
    expect(sumOf(samples, 'tollgate_budget_blocked_total')).toBe(1);
  });

  it('exports the Node process metrics under their default names', async () => {
    const { samples } = await scrape();
    const names = new Set(samples.map((sample) => sample.name));
    expect(names).toContain('process_cpu_user_seconds_total');
    expect(names).toContain('nodejs_heap_size_used_bytes');
    expect(names).toContain('process_resident_memory_bytes');
  });

  it('labels no series with a request, run or user id', async () => {
    const { samples } = await scrape();
    const labelNames = new Set(samples.flatMap((sample) => Object.keys(sample.labels)));
    for (const name of labelNames) expect(name).not.toMatch(/request|run|user|session|trace/);
  });
});

describe('TOLLGATE_METRICS_TOKEN', () => {
  it('makes /metrics ask for the bearer token', async () => {
    // chDB serves one data directory per process: the second app shares the first one's stores.
    const guarded = await startTestServer({
      environment: { TOLLGATE_METRICS_TOKEN: 's3cret-token' },
      build: { stores: server.app.stores },
    });
    try {
      const anonymous = await fetch(`${guarded.url}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe(
        'unauthorized',
      );
      const wrong = await fetch(`${guarded.url}/metrics`, {
        headers: { authorization: 'Bearer nope' },
      });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${guarded.url}/metrics`, {
        headers: { authorization: 'Bearer s3cret-token' },
      });
      expect(right.status).toBe(200);
      expect(await right.text()).toContain('tollgate_llm_requests_total');
    } finally {
      await guarded.close();
    }
  });
});
