/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies, each field checked against the seed */
import { parseUsdNanos } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { DAY, fixtureBase, HOUR } from './analytics-fixtures';

/**
 * `GET /api/v1/analytics/overview` against events posted through the real
 * ingest API. Every figure expected here is computed again from the seed in
 * plain TypeScript.
 */

const MINUTE = 60_000;
const base = fixtureBase();
/** Latencies on and around the histogram's edges (an edge belongs to the bin below it). */
const LATENCIES = [50, 100, 101, 240, 250, 400, 900, 1000, 1500, 3000, 8000, 20_000, 45_000];
const EDGES = [100, 250, 500, 1000, 2000, 5000, 10_000, 30_000];

interface Seed {
  project: 'main' | 'second' | 'other-org';
  event_type: string;
  ts: number;
  latency_ms: number;
  cost_nanos: bigint;
  input_tokens: number;
  output_tokens: number;
  status: string;
  error_message?: string;
}

function seed(): Seed[] {
  const events: Seed[] = [];
  for (let index = 0; index < 60; index += 1) {
    const failing = index % 7 === 3;
    const timeout = !failing && index % 11 === 5;
    events.push({
      project: 'main',
      event_type: 'prompt_call',
      // Spread over the first 36 hours from `base`, minutes apart within an hour.
      ts: base + (index % 36) * HOUR + ((index * 7) % 60) * MINUTE,
      latency_ms: LATENCIES[index % LATENCIES.length]!,
      // A call answered from a cache costs nothing, whatever cost it reports.
      cost_nanos:
        !failing && !timeout && index % 9 === 0 ? 0n : BigInt(((index % 5) + 1) * 10_000_000 + 3),
      input_tokens: 100 + index,
      output_tokens: 10 + (index % 9),
      status: failing ? 'error' : timeout ? 'timeout' : index % 9 === 0 ? 'cached' : 'success',
      error_message: failing ? `boom ${index % 2}` : timeout ? 'deadline exceeded' : undefined,
    });
  }
  for (let index = 0; index < 4; index += 1) {
    events.push({
      project: 'main',
      event_type: 'tool_call',
      ts: base + (index + 2) * HOUR,
      latency_ms: 250,
      cost_nanos: 0n,
      input_tokens: 0,
      output_tokens: 0,
      status: index === 0 ? 'error' : 'success',
      error_message: index === 0 ? 'tool broke' : undefined,
    });
  }
  // After the two days every range below ends with.
  events.push({ ...events[0]!, ts: base + 2 * DAY + 10 * MINUTE });
  for (let index = 0; index < 5; index += 1) {
    events.push({
      ...events[index]!,
      project: 'second',
      ts: base + HOUR + index * MINUTE,
      latency_ms: 700,
    });
  }
  for (let index = 0; index < 7; index += 1) {
    events.push({
      ...events[index]!,
      project: 'other-org',
      status: 'error',
      error_message: 'elsewhere failed',
    });
  }
  return events;
}

let server: TestServer;
const events = seed();
const keys: Record<Seed['project'], string> = { main: '', second: '', 'other-org': '' };
let secondProjectId: string;
let otherOrgAdminKey: string;

async function overview(query: string, key = server.tenant.adminKey): Promise<any> {
  const response = await server.request(`/api/v1/analytics/overview?${query}`, { key });
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

const iso = (ms: number) => new Date(ms).toISOString();
const isFailure = (event: Seed) => event.status !== 'success' && event.status !== 'cached';

/** The seed's events a read of [from, to) counts: whole hours, from the hour of `from` to the end of `to`'s. */
function expected(
  from: number,
  to: number,
  options: { projects?: Seed['project'][]; types?: string[] } = {},
): Seed[] {
  const start = from - (from % HOUR);
  const end = Math.ceil(to / HOUR) * HOUR;
  const projects = options.projects ?? ['main', 'second'];
  const types = options.types ?? ['prompt_call'];
  return events.filter(
    (event) =>
      projects.includes(event.project) &&
      types.includes(event.event_type) &&
      event.ts >= start &&
      event.ts < end,
  );
}

function figuresOf(group: Seed[]) {
  const cost = group.reduce((sum, event) => sum + event.cost_nanos, 0n);
  const errors = group.filter(isFailure).length;
  return {
    requests: group.length,
    errors,
    input_tokens: group.reduce((sum, event) => sum + event.input_tokens, 0),
    output_tokens: group.reduce((sum, event) => sum + event.output_tokens, 0),
    cost_nanos: cost.toString(),
    success_rate: Math.round(((group.length - errors) / group.length) * 10_000) / 10_000,
  };
}

/** A t-digest estimate lies between the sorted values around its rank. */
function expectQuantile(estimate: number, group: Seed[], q: number): void {
  const sorted = group.map((event) => event.latency_ms).sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  expect(estimate).toBeGreaterThanOrEqual(sorted[Math.max(0, Math.floor(rank) - 1)]!);
  expect(estimate).toBeLessThanOrEqual(sorted[Math.min(sorted.length - 1, Math.ceil(rank) + 1)]!);
}

function histogramOf(group: Seed[]): number[] {
  const bins = [...EDGES, Number.POSITIVE_INFINITY].map(() => 0);
  for (const event of group) {
    const index = EDGES.findIndex((edge) => event.latency_ms <= edge);
    bins[index === -1 ? EDGES.length : index]! += 1;
  }
  return bins;
}

function topErrorsOf(group: Seed[]): { error_message: string; occurrences: number }[] {
  const counts = new Map<string, number>();
  for (const event of group.filter((each) => each.error_message)) {
    counts.set(event.error_message!, (counts.get(event.error_message!) ?? 0) + 1);
  }
  return [...counts]
    .map(([error_message, occurrences]) => ({ error_message, occurrences }))
    .sort(
      (a, b) => b.occurrences - a.occurrences || a.error_message.localeCompare(b.error_message),
    );
}

function expectOverview(body: any, group: Seed[]): void {
  expect(body.totals).toMatchObject(figuresOf(group));
  expectQuantile(body.totals.latency_p50_ms, group, 0.5);
  expectQuantile(body.totals.latency_p95_ms, group, 0.95);
  expect(body.totals.latency_p99_ms).toBeGreaterThanOrEqual(body.totals.latency_p95_ms);
  expect(body.latency_histogram.map((bin: any) => bin.calls)).toEqual(histogramOf(group));
  expect(
    body.top_errors.map(({ error_message, occurrences }: any) => ({ error_message, occurrences })),
  ).toEqual(topErrorsOf(group));
}

beforeAll(async () => {
  server = await startTestServer();
  const { orgId } = server.tenant;
  keys.main = server.tenant.projectKey;
  const second = await server.app.stores.meta.createProject({ orgId, name: 'second' });
  secondProjectId = second.id;
  const other = await server.app.stores.meta.createOrganization({ name: 'other org' });
  const otherProject = await server.app.stores.meta.createProject({ orgId: other.id, name: 'p' });
  for (const [name, tenant] of [
    ['second', { orgId, projectId: second.id }],
    ['other-org', { orgId: other.id, projectId: otherProject.id }],
  ] as const) {
    keys[name] = (
      await issueApiKey(server.app.stores.meta, {
        ...tenant,
        name,
        scopes: ['read', 'ingest'],
      })
    ).secret;
  }
  otherOrgAdminKey = (
    await issueApiKey(server.app.stores.meta, { orgId: other.id, name: 'admin', scopes: ['read'] })
  ).secret;
  for (const project of ['main', 'second', 'other-org'] as const) {
    const batch = events
      .filter((event) => event.project === project)
      .map(({ project: _project, cost_nanos, ts, error_message, ...event }) => {
        const { input_tokens, output_tokens, ...common } = event;
        // A tool call has no model usage: the ingestion API refuses fields an event type lacks.
        const usage =
          event.event_type === 'tool_call'
            ? { tool_name: 'search' }
            : {
                input_tokens,
                output_tokens,
                provider: 'openai',
                // A model the catalogue does not price: its reported cost is what is stored.
                model: 'house-model-mini',
                cost_usd: Number(cost_nanos) / 1e9,
              };
        return {
          ...common,
          ...usage,
          ts: iso(ts),
          ...(error_message ? { error_message } : {}),
        };
      });
    const response = await postJson(server, '/api/v1/events', batch, keys[project]);
    expect(response.status, await response.clone().text()).toBe(200);
  }
});

afterAll(async () => {
  await server?.close();
});

describe('GET /api/v1/analytics/overview', () => {
  it('answers the totals, days, histogram and top errors of whole days', async () => {
    const body = await overview(`from=${iso(base)}&to=${iso(base + 2 * DAY)}&bucket=day`);
    const group = expected(base, base + 2 * DAY);
    expect(group).toHaveLength(65);
    expect(body).toMatchObject({
      from: iso(base),
      to: iso(base + 2 * DAY),
      bucket: 'day',
      event_types: ['prompt_call'],
    });
    expect(parseUsdNanos(body.totals.cost_usd)).toBe(BigInt(figuresOf(group).cost_nanos));
    expectOverview(body, group);
    expect(body.latency_histogram[0]).toEqual({ above_ms: 0, up_to_ms: 100, calls: 10 });
    expect(body.latency_histogram.at(-1)).toMatchObject({ above_ms: 30_000, up_to_ms: null });
    expect(body.buckets.map((row: any) => row.bucket)).toEqual([iso(base), iso(base + DAY)]);
    for (const [index, row] of body.buckets.entries()) {
      const day = expected(base + index * DAY, base + (index + 1) * DAY);
      expect(row).toMatchObject(figuresOf(day));
      expectQuantile(row.latency_p50_ms, day, 0.5);
    }
  });

  it('answers hours, and widens a range to whole hours as the rollups do', async () => {
    const from = base + 90 * MINUTE;
    const to = base + DAY + 30 * MINUTE;
    const body = await overview(`from=${iso(from)}&to=${iso(to)}`);
    expect(body.bucket).toBe('hour');
    const group = expected(from, to);
    expectOverview(body, group);
    const hours = new Map<number, Seed[]>();
    for (const event of group) {
      const hour = event.ts - (event.ts % HOUR);
      hours.set(hour, [...(hours.get(hour) ?? []), event]);
    }
    expect(body.buckets.map((row: any) => row.bucket)).toEqual(
      [...hours.keys()].sort((a, b) => a - b).map(iso),
    );
    for (const row of body.buckets) {
      const hour = hours.get(Date.parse(row.bucket))!;
      expect(row).toMatchObject(figuresOf(hour));
      expectQuantile(row.latency_p50_ms, hour, 0.5);
    }
  });

  it('chooses day buckets beyond two days; reads whole days and the hours around them', async () => {
    const from = base - DAY + 30 * MINUTE;
    const to = base + 2 * DAY + 30 * MINUTE;
    const body = await overview(`from=${iso(from)}&to=${iso(to)}&limit=2`);
    expect(body.bucket).toBe('day');
    const group = expected(from, to);
    expect(body.totals).toMatchObject(figuresOf(group));
    expect(body.latency_histogram.map((bin: any) => bin.calls)).toEqual(histogramOf(group));
    expect(body.top_errors).toHaveLength(2);
    expect(body.top_errors).toMatchObject(topErrorsOf(group).slice(0, 2));
    expect(body.buckets.map((row: any) => [row.bucket, row.requests])).toEqual([
      [iso(base), expected(base, base + DAY).length],
      [iso(base + DAY), expected(base + DAY, base + 2 * DAY).length],
      // The last hour counts whole (its call is before `to`, as the rollups count it).
      [iso(base + 2 * DAY), 1],
    ]);
  });

  it('counts the event types asked for', async () => {
    const range = `from=${iso(base)}&to=${iso(base + 2 * DAY)}`;
    const body = await overview(`${range}&event_type=prompt_call,tool_call`);
    const group = expected(base, base + 2 * DAY, { types: ['prompt_call', 'tool_call'] });
    expect(body.event_types).toEqual(['prompt_call', 'tool_call']);
    expectOverview(body, group);
    expect(body.top_errors.map((row: any) => row.error_message)).toContain('tool broke');
  });

  it('sees only the caller’s tenant: its project, or one project of its org', async () => {
    const range = `from=${iso(base)}&to=${iso(base + 2 * DAY)}`;
    const mainOnly = expected(base, base + 2 * DAY, { projects: ['main'] });
    expectOverview(await overview(range, keys.main), mainOnly);
    expectOverview(await overview(`${range}&project_id=${server.tenant.projectId}`), mainOnly);
    const second = await overview(`${range}&project_id=${secondProjectId}`);
    expectOverview(second, expected(base, base + 2 * DAY, { projects: ['second'] }));
    const otherOrg = await overview(range, keys['other-org']);
    expectOverview(otherOrg, expected(base, base + 2 * DAY, { projects: ['other-org'] }));
    expect(otherOrg.top_errors).toMatchObject([
      { error_message: 'elsewhere failed', occurrences: 7 },
    ]);
    // Naming another org's project shows nothing of it: a project key sees its own project,
    // another org's admin key gets a 404 naming the field.
    expectOverview(
      await overview(`${range}&project_id=${secondProjectId}`, keys['other-org']),
      expected(base, base + 2 * DAY, { projects: ['other-org'] }),
    );
    const response = await server.request(
      `/api/v1/analytics/overview?${range}&project_id=${secondProjectId}`,
      { key: otherOrgAdminKey },
    );
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).error.details.field).toBe('project_id');
  });

  it('answers an empty range with zeros and no buckets', async () => {
    const body = await overview(`from=${iso(base - 10 * DAY)}&to=${iso(base - 9 * DAY)}`);
    expect(body.totals).toMatchObject({
      requests: 0,
      errors: 0,
      cost_nanos: '0',
      success_rate: null,
      latency_p50_ms: null,
    });
    expect(body.buckets).toEqual([]);
    expect(body.top_errors).toEqual([]);
    expect(body.latency_histogram.every((bin: any) => bin.calls === 0)).toBe(true);
  });

  it('answers a bad parameter with a 400 naming the field', async () => {
    for (const [query, field] of [
      ['bucket=week', 'bucket'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['from=yesterday', 'from'],
      ['event_type=prompt_call,nope', 'event_type.1'],
    ] as const) {
      const response = await server.request(`/api/v1/analytics/overview?${query}`);
      expect(response.status, query).toBe(400);
      const error = ((await response.json()) as { error: { details: { field: string } } }).error;
      expect(error.details.field).toBe(field);
    }
    const anonymous = await fetch(`${server.url}/api/v1/analytics/overview`);
    expect(anonymous.status).toBe(401);
  });
});
