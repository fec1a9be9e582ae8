import { calculateCost, nanosToUsd } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
const runId = 'run-events-api-1';
const base = Date.now() - 60_000;

const promptCall = (index: number, extra: Record<string, unknown> = {}) => ({
  event_type: 'prompt_call',
  run_id: runId,
  ts: base + index,
  provider: 'openai',
  model: 'gpt-4o',
  input_tokens: 1000,
  output_tokens: 500,
  latency_ms: 100 + index,
  user_id: `user-${index % 2}`,
  input: [{ role: 'user', content: `question ${index}` }],
  output: `answer ${index}`,
  ...extra,
});

async function listAll(path: string, key?: string): Promise<Array<Record<string, unknown>>> {
  const events: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const response = await server.request(
      `${path}${separator}limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { key },
    );
    expect(response.status).toBe(200);
    const page = (await response.json()) as {
      events: Array<Record<string, unknown>>;
      next_cursor: string | null;
    };
    events.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor);
  return events;
}

beforeAll(async () => {
  server = await startTestServer();
  const response = await postJson(server, '/api/v1/events', [
    promptCall(0),
    promptCall(1, { status: 'error', error_message: 'upstream 500' }),
    promptCall(2, { model: 'no-such-model-xyz' }),
    {
      event_type: 'agent_step',
      run_id: runId,
      ts: base + 3,
      step_number: 1,
      step_name: 'plan',
      input: 'goal',
    },
    {
      event_type: 'tool_call',
      run_id: runId,
      ts: base + 4,
      tool_name: 'search',
      input: { q: 'x' },
      output: 'y',
    },
    { event_type: 'custom', run_id: 'another-run', ts: base + 5, name: 'note', metadata: { a: 1 } },
  ]);
  expect(response.status).toBe(200);
  const body = (await response.json()) as {
    accepted: number;
    rejected: number;
    event_ids: string[];
  };
  expect(body.accepted).toBe(6);
  expect(body.rejected).toBe(0);
  expect(body.event_ids).toHaveLength(6);
});

afterAll(async () => {
  await server?.close();
});

describe('POST /api/v1/events', () => {
  it('stores valid events with cost computed from the catalogue, and flags unknown models', async () => {
    const events = await listAll(`/api/v1/events?run_id=${runId}&event_type=prompt_call`);
    expect(events).toHaveLength(3);
    const byModel = new Map(events.map((event) => [`${event.model}:${event.status}`, event]));
    const expected = calculateCost('gpt-4o', { inputTokens: 1000, outputTokens: 500 });
    // 1000 × $2.50/M + 500 × $10/M = $0.0075
    expect(expected.costNanos).toBe(7_500_000);
    const known = byModel.get('gpt-4o:success')!;
    expect(known.cost_nanos).toBe(7_500_000);
    expect(known.cost_usd).toBe(nanosToUsd(7_500_000));
    expect(known.cost_unpriced).toBe(false);
    expect(known.input).toBe(JSON.stringify([{ role: 'user', content: 'question 0' }]));
    expect(known.ts).toBe(new Date(base).toISOString());
    const unknown = byModel.get('no-such-model-xyz:success')!;
    // Unknown, shown as unknown: never $0.
    expect(unknown.cost_nanos).toBeNull();
    expect(unknown.cost_usd).toBeNull();
    expect(unknown.cost_unpriced).toBe(true);
    expect(byModel.get('gpt-4o:error')!.error_message).toBe('upstream 500');
  });

  it('stores the valid items of a mixed batch and names the field of each invalid one', async () => {
    const response = await postJson(server, '/api/v1/events', [
      { event_type: 'custom', run_id: 'mixed', name: 'ok-1' },
      { event_type: 'prompt_call', run_id: 'mixed', input_tokens: -5 },
      { event_type: 'nonsense', run_id: 'mixed' },
      { event_type: 'tool_call', run_id: 'mixed' },
      { event_type: 'custom', run_id: 'mixed', name: 'ok-2' },
    ]);
    expect(response.status).toBe(207);
    const body = (await response.json()) as {
      accepted: number;
      rejected: number;
      errors: Array<{ index: number; field: string; message: string }>;
    };
    expect(body.accepted).toBe(2);
    expect(body.rejected).toBe(3);
    expect(body.errors.map((error) => [error.index, error.field])).toEqual([
      [1, 'input_tokens'],
      [2, 'event_type'],
      [3, 'tool_name'],
    ]);
    const stored = await listAll('/api/v1/events?run_id=mixed');
    expect(stored.map((event) => event.name).sort()).toEqual(['ok-1', 'ok-2']);
  });

  it('accepts NDJSON and reports a line that is not JSON by its line index', async () => {
    const ndjson = [
      JSON.stringify({ event_type: 'custom', run_id: 'ndjson', name: 'line-0' }),
      '{not json',
      JSON.stringify({ event_type: 'custom', run_id: 'ndjson', name: 'line-2' }),
      JSON.stringify({ event_type: 'custom', run_id: 'ndjson', latency_ms: 'slow' }),
    ].join('\n');
    const response = await server.request('/api/v1/events', {
      method: 'POST',
      body: ndjson,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(response.status).toBe(207);
    const body = (await response.json()) as {
      accepted: number;
      errors: Array<{ index: number; field: string }>;
    };
    expect(body.accepted).toBe(2);
    expect(body.errors.map((error) => [error.index, error.field])).toEqual([
      [1, '(event)'],
      [3, 'latency_ms'],
    ]);
    const stored = await listAll('/api/v1/events?run_id=ndjson');
    expect(stored.map((event) => event.name).sort()).toEqual(['line-0', 'line-2']);
  });

  it('answers bad requests with a catalogued error and writes nothing', async () => {
    const allInvalid = await postJson(server, '/api/v1/events', [
      { event_type: 'custom', tags: 'x', run_id: 'bad' },
    ]);
    expect(allInvalid.status).toBe(400);
    expect(((await allInvalid.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_events',
    );

    const badJson = await server.request('/api/v1/events', {
      method: 'POST',
      body: '[{"event_type":',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    const badJsonBody = (await badJson.json()) as { error: { code: string; message: string } };
    expect(badJsonBody.error.code).toBe('invalid_request');
    expect(JSON.stringify(badJsonBody)).not.toMatch(/at .*\.(ts|js):\d+/);

    const empty = await postJson(server, '/api/v1/events', []);
    expect(empty.status).toBe(400);

    const tooLarge = await postJson(server, '/api/v1/events', [
      { event_type: 'custom', run_id: 'bad', input: 'x'.repeat(11 * 1024 * 1024) },
    ]);
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe(
      'payload_too_large',
    );

    const wrongType = await server.request('/api/v1/events', {
      method: 'POST',
      body: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    expect(wrongType.status).toBe(415);

    expect(await listAll('/api/v1/events?run_id=bad')).toHaveLength(0);
  });

  it('requires a valid key with the ingest scope', async () => {
    const anonymous = await fetch(`${server.url}/api/v1/events`, { method: 'POST', body: '[]' });
    expect(anonymous.status).toBe(401);
    const unknown = await postJson(
      server,
      '/api/v1/events',
      [{ event_type: 'custom' }],
      'tg_not_a_real_key',
    );
    expect(unknown.status).toBe(401);
    const readOnly = await issueApiKey(server.app.stores.meta, {
      orgId: server.tenant.orgId,
      projectId: server.tenant.projectId,
      name: 'read only',
      scopes: ['read'],
    });
    const forbidden = await postJson(
      server,
      '/api/v1/events',
      [{ event_type: 'custom' }],
      readOnly.secret,
    );
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const revokedKey = await issueApiKey(server.app.stores.meta, {
      orgId: server.tenant.orgId,
      projectId: server.tenant.projectId,
      name: 'revoked',
      scopes: ['read'],
    });
    await server.app.stores.meta.revokeApiKey(server.tenant.orgId, revokedKey.key.id);
    const revoked = await server.request('/api/v1/events', { key: revokedKey.secret });
    expect(revoked.status).toBe(401);
  });
});

describe('GET /api/v1/events', () => {
  it('filters by type, user, model and status, and pages through every event once', async () => {
    const all = await listAll(`/api/v1/events?run_id=${runId}`);
    expect(all).toHaveLength(5);
    expect(new Set(all.map((event) => event.event_id)).size).toBe(5);
    // newest first
    const times = all.map((event) => Date.parse(event.ts as string));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(await listAll(`/api/v1/events?run_id=${runId}&user_id=user-1`)).toHaveLength(1);
    expect(await listAll(`/api/v1/events?run_id=${runId}&model=no-such-model-xyz`)).toHaveLength(1);
    expect(await listAll(`/api/v1/events?run_id=${runId}&status=error`)).toHaveLength(1);
    expect(await listAll(`/api/v1/events?run_id=${runId}&event_type=tool_call`)).toHaveLength(1);
  });

  it('reads only inside the time range', async () => {
    const from = new Date(base + 2).toISOString();
    const to = new Date(base + 4).toISOString();
    const inRange = await listAll(`/api/v1/events?run_id=${runId}&from=${from}&to=${to}`);
    expect(inRange.map((event) => Date.parse(event.ts as string) - base).sort()).toEqual([2, 3]);
  });

  it('rejects a bad parameter naming it', async () => {
    const response = await server.request('/api/v1/events?status=weird');
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: { code: string; message: string; details: { field: string } };
    };
    expect(body.error.details.field).toBe('status');
    const badRange = await server.request(
      '/api/v1/events?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
    );
    expect(badRange.status).toBe(400);
  });
});

describe('GET /api/v1/runs/:runId', () => {
  it('returns every event, agent step and tool call of the run in order', async () => {
    const response = await server.request(`/api/v1/runs/${runId}`);
    expect(response.status).toBe(200);
    const run = (await response.json()) as {
      events: Array<{ ts: string; event_type: string }>;
      agent_steps: Array<{ step_name: string }>;
      tool_calls: Array<{ tool_name: string }>;
    };
    expect(run.events.map((event) => Date.parse(event.ts) - base)).toEqual([0, 1, 2, 3, 4]);
    expect(run.agent_steps.map((step) => step.step_name)).toEqual(['plan']);
    expect(run.tool_calls.map((call) => call.tool_name)).toEqual(['search']);
    expect((await server.request('/api/v1/runs/no-such-run')).status).toBe(404);
  });
});

describe('GET /api/v1/metrics/summary', () => {
  it('sums requests, errors, tokens and cost by model from the rollups', async () => {
    const response = await server.request('/api/v1/metrics/summary?groupBy=model');
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      rows: Array<{
        key: string;
        requests: number;
        errors: number;
        input_tokens: number;
        cost_nanos: number;
      }>;
    };
    const gpt4o = body.rows.find((row) => row.key === 'gpt-4o')!;
    expect(gpt4o.requests).toBe(2);
    expect(gpt4o.errors).toBe(1);
    expect(gpt4o.input_tokens).toBe(2000);
    expect(gpt4o.cost_nanos).toBe(15_000_000);
    expect((await server.request('/api/v1/metrics/summary?groupBy=colour')).status).toBe(400);
  });
});

describe('tenancy', () => {
  it('a project key reads nothing of another project; the org admin key reads both', async () => {
    const other = await server.app.stores.meta.createProject({
      orgId: server.tenant.orgId,
      name: 'other',
    });
    const otherKey = await issueApiKey(server.app.stores.meta, {
      orgId: server.tenant.orgId,
      projectId: other.id,
      name: 'other',
      scopes: ['ingest', 'read'],
    });
    const posted = await postJson(
      server,
      '/api/v1/events',
      [{ event_type: 'custom', run_id: 'secret-run', name: 'secret' }],
      otherKey.secret,
    );
    expect(posted.status).toBe(200);
    expect(await listAll('/api/v1/events?run_id=secret-run')).toHaveLength(0);
    expect((await server.request('/api/v1/runs/secret-run')).status).toBe(404);
    expect(await listAll(`/api/v1/events?run_id=${runId}`, otherKey.secret)).toHaveLength(0);
    expect(await listAll('/api/v1/events?run_id=secret-run', otherKey.secret)).toHaveLength(1);
    expect(await listAll('/api/v1/events?run_id=secret-run', server.tenant.adminKey)).toHaveLength(
      1,
    );
    expect(
      await listAll(
        `/api/v1/events?run_id=secret-run&project_id=${server.tenant.projectId}`,
        server.tenant.adminKey,
      ),
    ).toHaveLength(0);
  });
});

describe('health and request ids', () => {
  it('answers /healthz and /readyz, and echoes the request id', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const ready = await fetch(`${server.url}/readyz`, {
      headers: { 'x-request-id': 'trace-abc-123' },
    });
    expect(ready.status).toBe(200);
    expect(ready.headers.get('x-request-id')).toBe('trace-abc-123');
    const body = (await ready.json()) as {
      status: string;
      stores: Array<{ store: string; ok: boolean }>;
    };
    expect(body.status).toBe('ready');
    expect(body.stores.map((store) => [store.store, store.ok])).toEqual([
      ['events', true],
      ['meta', true],
      ['hot', true],
    ]);
    const missing = await fetch(`${server.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
