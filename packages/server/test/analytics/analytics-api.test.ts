/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies, each field checked against the seed */
import { CHARGEBACK_KINDS, parseUsdNanos, type EventRow } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { CHARGEBACK_CSV_HEADER } from '../../src/reports/chargeback-report';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import {
  buildAnalyticsRows,
  DAY,
  fixtureBase,
  groupBy,
  isFailure,
  sumCost,
  toBatch,
  where,
} from './analytics-fixtures';

let server: TestServer;
let rows: EventRow[];
let otherOrgKey: string;
const base = fixtureBase();
const range = `from=${new Date(base).toISOString()}&to=${new Date(base + 3 * DAY).toISOString()}`;
const isCall = (event: EventRow) => event.event_type === 'prompt_call';

async function getJson(path: string, key?: string): Promise<Record<string, any>> {
  const response = await server.request(path, { key });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Record<string, any>;
}

beforeAll(async () => {
  server = await startTestServer();
  const { orgId, projectId } = server.tenant;
  rows = buildAnalyticsRows(base, [
    { orgId, projectId, retentionDays: 365 },
    { orgId: 'org_elsewhere', projectId: 'proj_elsewhere', retentionDays: 365 },
  ]);
  await server.app.stores.events.insert(toBatch('analytics-api-seed', rows));
  const other = await server.app.stores.meta.createOrganization({ name: 'other org' });
  const otherProject = await server.app.stores.meta.createProject({ orgId: other.id, name: 'p' });
  otherOrgKey = (
    await issueApiKey(server.app.stores.meta, {
      orgId: other.id,
      projectId: otherProject.id,
      name: 'other',
      scopes: ['read', 'ingest'],
    })
  ).secret;
});

afterAll(async () => {
  await server?.close();
});

const mine = (predicate: (event: EventRow) => boolean = () => true) =>
  where(rows, { orgId: server.tenant.orgId }, { from: base, to: base + 3 * DAY }, predicate);

describe('cost', () => {
  it('groups by model with exact totals and averages as USD strings', async () => {
    const body = await getJson(`/api/v1/analytics/cost?groupBy=model&${range}`);
    const expected = groupBy(mine(isCall), (event) => event.model);
    expect(body.total.cost_nanos).toBe(sumCost(mine(isCall)).toString());
    for (const row of body.rows) {
      const group = expected.get(row.key)!;
      const cost = sumCost(group);
      expect(row.requests).toBe(group.length);
      expect(row.cost_nanos).toBe(cost.toString());
      expect(parseUsdNanos(row.cost_usd)).toBe(cost);
      const average = BigInt(row.average_cost_nanos);
      expect(average * BigInt(group.length) - cost).toBeLessThanOrEqual(BigInt(group.length));
    }
  });

  it('summarises the tenant by operation and model', async () => {
    const body = await getJson(`/api/v1/analytics/cost/summary?${range}`);
    expect(body.total.requests).toBe(mine(isCall).length);
    const byOperation = groupBy(mine(isCall), (event) => event.operation);
    expect(
      Object.fromEntries(body.by_operation.map((row: any) => [row.key, row.cost_nanos])),
    ).toEqual(
      Object.fromEntries([...byOperation].map(([key, group]) => [key, sumCost(group).toString()])),
    );
    expect(body.by_model).toHaveLength(3);
  });

  it('another org sees none of it; bad parameters are 400s naming the field', async () => {
    const body = await getJson(`/api/v1/analytics/cost?groupBy=model&${range}`, otherOrgKey);
    expect(body.rows).toEqual([]);
    for (const [query, field] of [
      ['groupBy=colour', 'groupBy'],
      ['event_type=prompt_call,nope', 'event_type.1'],
      ['from=yesterday', 'from'],
      ['operation=telepathy', 'operation'],
    ] as const) {
      const response = await server.request(`/api/v1/analytics/cost?${query}`);
      expect(response.status).toBe(400);
      const error = ((await response.json()) as { error: { details: { field: string } } }).error;
      expect(error.details.field).toBe(field);
    }
  });
});

describe('performance, quality, runs and fallbacks', () => {
  it('answers each endpoint from the seeded figures', async () => {
    const performance = await getJson(`/api/v1/analytics/performance?groupBy=provider&${range}`);
    const providers = groupBy(
      mine((event) => ['prompt_call', 'tool_call', 'ai_fallback'].includes(event.event_type)),
      (event) => event.provider,
    );
    expect(Object.fromEntries(performance.rows.map((row: any) => [row.key, row.samples]))).toEqual(
      Object.fromEntries([...providers].map(([key, group]) => [key, group.length])),
    );

    const rates = await getJson(
      `/api/v1/analytics/quality/success-rates?groupBy=service&minSamples=1&event_type=prompt_call&${range}`,
    );
    const services = groupBy(mine(isCall), (event) => event.service);
    for (const row of rates.rows) {
      const group = services.get(row.service)!;
      const successes = group.filter((event) => !isFailure(event)).length;
      expect(row.successes).toBe(successes);
      expect(row.success_rate).toBeCloseTo(successes / group.length, 4);
    }

    const errorRate = await getJson(`/api/v1/analytics/quality/error-rate?bucket=day&${range}`);
    expect(errorRate.rows.reduce((sum: number, row: any) => sum + row.errors, 0)).toBe(
      mine((event) => event.event_type !== 'agent_step' && isFailure(event)).length,
    );

    const failures = await getJson(`/api/v1/analytics/quality/failures?limit=100&${range}`);
    expect(failures.events).toHaveLength(
      mine((event) => event.event_type !== 'agent_step' && isFailure(event)).length,
    );
    expect(failures.events[0]).toHaveProperty('error_message');

    const runs = await getJson(`/api/v1/analytics/runs?${range}`);
    expect(runs.runs).toHaveLength(6);
    const run = runs.runs.find((each: any) => each.run_id === 'run-0-1');
    const runRows = mine((event) => event.run_id === 'run-0-1');
    expect(run.cost_nanos).toBe(sumCost(runRows.filter(isCall)).toString());
    expect(run.status).toBe(runRows.some(isFailure) ? 'error' : 'success');
    const trace = await getJson(`/api/v1/runs/run-0-1?${range}`);
    expect(trace.timing).toEqual({
      started_at: run.started_at,
      ended_at: run.ended_at,
      duration_ms: run.duration_ms,
    });
    expect(trace.events[0].offset_ms).toBe(0);

    const fallbacks = await getJson(`/api/v1/analytics/fallbacks?minCount=5&${range}`);
    const fallbackRows = mine((event) => event.event_type === 'ai_fallback');
    expect(fallbacks.total).toEqual({
      calls: fallbackRows.length,
      cost_nanos: sumCost(fallbackRows).toString(),
      cost_usd: '2.50',
    });
    expect(fallbacks.top_methods).toEqual([
      { service: 'crm', method: 'lookupCustomer', calls: 7, failures: 0, success_rate: 1 },
    ]);
    expect(fallbacks.failures).toHaveLength(1);

    const learning = await getJson(
      `/api/v1/analytics/fallbacks/learning-candidates?minSuccesses=5&${range}`,
    );
    expect(learning.candidates).toHaveLength(1);
    const candidate = learning.candidates[0];
    expect(candidate.cost_so_far_usd).toBe('1.75');
    // 1.75 USD over 3 days, scaled to 30 days.
    expect(candidate.projected_monthly_cost_usd).toBe('17.50');
    expect(candidate.typical_arguments[0]).toEqual([{ id: 'c-1' }]);
  });
});

describe('chargeback', () => {
  it('JSON and CSV agree with the seed to the nano, at the default rate of 1.2', async () => {
    const body = await getJson(`/api/v1/analytics/chargeback?${range}&project_id=ignored`);
    const expected = sumCost(mine(isCall));
    const [org] = body.orgs;
    expect(org.total.cost_nanos).toBe(expected.toString());
    expect(org.chargeback_rate).toBe('1.2');
    expect(parseUsdNanos(org.amount_usd)).toBe((expected * 12n + 5n) / 10n);

    const response = await server.request(`/api/v1/analytics/chargeback?${range}`, {
      headers: { accept: 'text/csv' },
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...lines] = (await response.text()).trim().split('\r\n');
    expect(header).toBe(CHARGEBACK_CSV_HEADER.join(','));
    const records = lines.map((line) => line.split(','));
    const kinds = records.filter((record) => record[1] !== 'total');
    expect(kinds.map((record) => record[1])).toEqual([...CHARGEBACK_KINDS]);
    const sum = kinds.reduce((total, record) => total + parseUsdNanos(record[5]!), 0n);
    const total = records.find((record) => record[1] === 'total')!;
    expect(sum).toBe(expected);
    expect(parseUsdNanos(total[5]!)).toBe(expected);
    expect(Number(total[2])).toBe(mine(isCall).length);
    expect(total[8]).toBe(org.amount_to_charge_usd);

    const cheaper = await getJson(`/api/v1/analytics/chargeback?${range}&rate=1&format=json`);
    expect(cheaper.orgs[0].amount_usd).toBe(cheaper.orgs[0].total.cost_usd);
    const bad = await server.request(`/api/v1/analytics/chargeback?${range}&rate=abc`);
    expect(bad.status).toBe(400);
  });
});

describe('feedback', () => {
  it('stores a score about an event of the project; 404 for another tenant', async () => {
    const target = mine(isCall)[0]!;
    const response = await postJson(server, `/api/v1/events/${target.event_id}/feedback`, {
      score: 4,
      comment: 'good answer',
    });
    expect(response.status).toBe(201);
    const stored = (await response.json()) as { event_id: string };
    const listed = await getJson(
      `/api/v1/events?event_type=custom&run_id=${target.run_id}&from=${base}&to=${Date.now() + 60_000}`,
    );
    const feedback = listed.events.find((event: any) => event.event_id === stored.event_id);
    expect(feedback).toMatchObject({
      name: 'feedback',
      parent_id: target.event_id,
      score: 4,
      output: 'good answer',
    });

    const foreign = await postJson(
      server,
      `/api/v1/events/${target.event_id}/feedback`,
      { score: 1 },
      otherOrgKey,
    );
    expect(foreign.status).toBe(404);
    const elsewhere = rows.find((event) => event.org_id === 'org_elsewhere')!;
    expect(
      (await postJson(server, `/api/v1/events/${elsewhere.event_id}/feedback`, { score: 1 }))
        .status,
    ).toBe(404);
    const badScore = await postJson(server, `/api/v1/events/${target.event_id}/feedback`, {
      score: 6,
    });
    expect(badScore.status).toBe(400);
    expect(((await badScore.json()) as any).error.details.field).toBe('score');
  });
});
