import {
  buildEventRow,
  eventInputSchema,
  type AnalyticsFilters,
  type EventRow,
  type EventStore,
  type TenantScope,
} from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseEventStore } from '../../src/stores/events/clickhouse-event-store';
import type { EventDriver } from '../../src/stores/events/driver';
import {
  buildAnalyticsRows,
  DAY,
  eventTime,
  fixtureBase,
  groupBy,
  HOUR,
  isFailure,
  quantileOf,
  sumCost,
  toBatch,
  where,
} from './analytics-fixtures';

/** The analytics reads on one engine, checked against figures computed from the seed rows. */
export function runAnalyticsStoreContract(options: {
  create: () => Promise<{ driver: EventDriver; cleanup: () => Promise<void> }>;
}): void {
  let store: EventStore;
  let cleanup: () => Promise<void>;
  let rows: EventRow[];
  const base = fixtureBase();
  const tenants = [
    { orgId: 'org_x', projectId: 'proj_1', retentionDays: 365 },
    { orgId: 'org_x', projectId: 'proj_2', retentionDays: 365 },
    { orgId: 'org_y', projectId: 'proj_1', retentionDays: 365 },
  ];
  const orgX: TenantScope = { orgId: 'org_x' };
  const x1: TenantScope = { orgId: 'org_x', projectId: 'proj_1' };
  const days = { from: base, to: base + 3 * DAY };
  const hours = { from: base + 5 * HOUR, to: base + 29 * HOUR };
  const calls: AnalyticsFilters = { eventTypes: ['prompt_call'] };
  const callTypes: AnalyticsFilters = { eventTypes: ['prompt_call', 'tool_call', 'ai_fallback'] };
  const isCall = (event: EventRow) => event.event_type === 'prompt_call';
  const isCallType = (event: EventRow) => callTypes.eventTypes.includes(event.event_type);

  beforeAll(async () => {
    const created = await options.create();
    cleanup = created.cleanup;
    store = new ClickHouseEventStore(created.driver);
    await store.migrate();
    rows = buildAnalyticsRows(base, tenants);
    await store.insert(toBatch('analytics-seed-1', rows.slice(0, 200)));
    await store.insert(toBatch('analytics-seed-2', rows.slice(200)));
  });

  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  describe('cost', () => {
    it('by model over whole days (daily rollup) matches the seed exactly', async () => {
      const answer = await store.analytics.cost(orgX, {
        ...days,
        filters: calls,
        groupBy: 'model',
      });
      const expected = groupBy(where(rows, orgX, days, isCall), (event) => event.model);
      expect(answer).toHaveLength(expected.size);
      for (const row of answer) {
        const group = expected.get(row.key)!;
        expect(row.requests).toBe(group.length);
        expect(row.cost_nanos).toBe(sumCost(group));
        expect(row.input_tokens).toBe(group.reduce((sum, event) => sum + event.input_tokens, 0));
        expect(row.output_tokens).toBe(group.reduce((sum, event) => sum + event.output_tokens, 0));
      }
      // Sorted by cost, dearest first.
      const costs = answer.map((row) => row.cost_nanos);
      expect([...costs].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))).toEqual(costs);
    });

    it('by hour over an hour-aligned range (hourly rollup), one project', async () => {
      const answer = await store.analytics.cost(x1, { ...hours, filters: calls, groupBy: 'hour' });
      const expected = groupBy(where(rows, x1, hours, isCall), (event) =>
        new Date(eventTime(event) - (eventTime(event) % HOUR)).toISOString(),
      );
      expect(answer.map((row) => row.key)).toEqual([...expected.keys()].sort());
      for (const row of answer) expect(row.cost_nanos).toBe(sumCost(expected.get(row.key)!));
    });

    it('by day, by user (raw events) and with filters', async () => {
      const byDay = await store.analytics.cost(orgX, { ...days, filters: calls, groupBy: 'day' });
      const expectedDays = groupBy(where(rows, orgX, days, isCall), (event) =>
        new Date(eventTime(event) - (eventTime(event) % DAY)).toISOString(),
      );
      expect(byDay.map((row) => [row.key, row.cost_nanos])).toEqual(
        [...expectedDays.keys()].sort().map((key) => [key, sumCost(expectedDays.get(key)!)]),
      );
      const byUser = await store.analytics.cost(x1, { ...days, filters: calls, groupBy: 'user' });
      const users = groupBy(where(rows, x1, days, isCall), (event) => event.user_id);
      expect(byUser).toHaveLength(users.size);
      for (const row of byUser) expect(row.cost_nanos).toBe(sumCost(users.get(row.key)!));

      const filtered = await store.analytics.cost(orgX, {
        ...days,
        filters: { ...calls, service: 'billing', method: 'classify', provider: 'openai' },
        groupBy: 'none',
      });
      const expected = where(
        rows,
        orgX,
        days,
        (event) =>
          isCall(event) &&
          event.service === 'billing' &&
          event.name === 'classify' &&
          event.provider === 'openai',
      );
      expect(expected.length).toBeGreaterThan(0);
      expect(filtered).toEqual([
        expect.objectContaining({
          key: '',
          requests: expected.length,
          cost_nanos: sumCost(expected),
        }),
      ]);
    });

    it('another tenant sees nothing of these rows', async () => {
      for (const scope of [{ orgId: 'org_z' }, { orgId: 'org_y', projectId: 'proj_2' }]) {
        expect(
          await store.analytics.cost(scope, { ...days, filters: calls, groupBy: 'model' }),
        ).toEqual([]);
        expect(await store.analytics.runs(scope, { ...days, limit: 100 })).toEqual([]);
        expect(await store.analytics.chargeback(scope, days)).toEqual([]);
      }
      const event = rows.find((each) => each.org_id === 'org_y')!;
      expect(await store.analytics.findEvent(orgX, event.event_id, days)).toBeUndefined();
      expect(
        (await store.analytics.findEvent({ orgId: 'org_y' }, event.event_id, days))?.event_id,
      ).toBe(event.event_id);
    });
  });

  describe('performance', () => {
    it('latency quantiles and samples by model; ttft only where calls streamed', async () => {
      const answer = await store.analytics.latency(orgX, {
        ...days,
        filters: callTypes,
        groupBy: 'model',
      });
      const expected = groupBy(where(rows, orgX, days, isCallType), (event) => event.model);
      expect(answer).toHaveLength(expected.size);
      for (const row of answer) {
        const group = expected.get(row.key)!;
        expect(row.samples).toBe(group.length);
        const latencies = group.map((event) => event.latency_ms);
        expect(Math.abs(row.latency_p50_ms - quantileOf(latencies, 0.5))).toBeLessThanOrEqual(10);
        expect(row.latency_p99_ms).toBeLessThanOrEqual(Math.max(...latencies));
        const ttfts = group.map((event) => event.ttft_ms).filter((value) => value > 0);
        if (ttfts.length === 0) expect(row.ttft_p50_ms).toBeNull();
        else expect(Math.abs(row.ttft_p50_ms! - quantileOf(ttfts, 0.5))).toBeLessThanOrEqual(2);
      }
    });

    it('AI fallbacks by decision type', async () => {
      const answer = await store.analytics.latency(x1, {
        ...days,
        filters: callTypes,
        groupBy: 'decision',
      });
      const expected = groupBy(
        where(rows, x1, days, (event) => event.event_type === 'ai_fallback'),
        (event) => event.decision,
      );
      expect(Object.fromEntries(answer.map((row) => [row.key, row.samples]))).toEqual(
        Object.fromEntries([...expected].map(([key, group]) => [key, group.length])),
      );
    });
  });

  describe('quality', () => {
    it('success rates by method leave out groups under the minimum sample size', async () => {
      const all = await store.analytics.successRates(orgX, {
        ...days,
        filters: callTypes,
        groupBy: 'method',
        minSamples: 0,
      });
      const expected = groupBy(
        where(rows, orgX, days, isCallType),
        (event) => `${event.service}/${event.name}`,
      );
      expect(all).toHaveLength(expected.size);
      for (const row of all) {
        const group = expected.get(`${row.service}/${row.method}`)!;
        expect(row.requests).toBe(group.length);
        expect(row.errors).toBe(group.filter(isFailure).length);
      }
      const minimum = 20;
      const frequent = await store.analytics.successRates(orgX, {
        ...days,
        filters: callTypes,
        groupBy: 'method',
        minSamples: minimum,
      });
      expect(frequent.length).toBe(
        [...expected.values()].filter((group) => group.length >= minimum).length,
      );
      expect(frequent.length).toBeLessThan(all.length);
    });

    it('error rate per hour, top errors, slowest and failed calls', async () => {
      const rates = await store.analytics.errorRate(x1, {
        ...hours,
        filters: callTypes,
        bucket: 'hour',
      });
      const expected = groupBy(where(rows, x1, hours, isCallType), (event) =>
        String(eventTime(event) - (eventTime(event) % HOUR)),
      );
      expect(rates.map((row) => [String(row.bucket), row.requests, row.errors])).toEqual(
        [...expected.keys()]
          .sort()
          .map((key) => [
            key,
            expected.get(key)!.length,
            expected.get(key)!.filter(isFailure).length,
          ]),
      );

      const failed = where(rows, x1, days, (event) => isCallType(event) && isFailure(event));
      const messages = groupBy(failed, (event) => event.error_message);
      const top = await store.analytics.topErrors(x1, { ...days, filters: callTypes, limit: 3 });
      const expectedTop = [...messages]
        .map(([message, group]) => [message, group.length] as const)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 3);
      expect(top.map((row) => [row.error_message, row.occurrences])).toEqual(expectedTop);

      const slowest = await store.analytics.slowest(x1, { ...days, filters: callTypes, limit: 5 });
      const maxLatency = Math.max(
        ...where(rows, x1, days, isCallType).map((event) => event.latency_ms),
      );
      expect(slowest[0]!.latency_ms).toBe(maxLatency);
      expect(slowest).toHaveLength(5);

      const failures = await store.analytics.failures(x1, {
        ...days,
        filters: callTypes,
        limit: 100,
      });
      expect(failures.map((event) => event.event_id).sort()).toEqual(
        failed.map((event) => event.event_id).sort(),
      );
      expect(failures.every((event) => event.error_message !== '')).toBe(true);
    });
  });

  it('runs with their totals', async () => {
    const runs = await store.analytics.runs(x1, { ...days, limit: 100 });
    const expected = groupBy(where(rows, x1, days), (event) => event.run_id);
    expected.delete('');
    expect(runs).toHaveLength(expected.size);
    for (const run of runs) {
      const group = expected.get(run.run_id)!;
      expect(run.events).toBe(group.length);
      expect(run.steps).toBe(group.filter((event) => event.event_type === 'agent_step').length);
      expect(run.tool_calls).toBe(group.filter((event) => event.event_type === 'tool_call').length);
      expect(run.cost_nanos).toBe(sumCost(group.filter(isCall)));
      expect(run.errors).toBe(group.filter(isFailure).length);
      const start = Math.min(...group.map(eventTime));
      const end = Math.max(
        ...group.map((event) => eventTime(event) + Math.round(event.latency_ms)),
      );
      expect(run.started_at).toBe(new Date(start).toISOString());
      expect(run.duration_ms).toBe(end - start);
    }
  });

  it('learning candidates: methods that fell back successfully more than N times', async () => {
    const candidates = await store.analytics.learningCandidates(x1, {
      ...days,
      minSuccesses: 5,
      limit: 10,
    });
    const successes = where(
      rows,
      x1,
      days,
      (event) => event.event_type === 'ai_fallback' && event.name === 'lookupCustomer',
    );
    expect(candidates).toEqual([
      expect.objectContaining({
        service: 'crm',
        method: 'lookupCustomer',
        successes: 7,
        cost_nanos: sumCost(successes),
      }),
    ]);
    expect(candidates[0]!.typical_arguments[0]).toBe('[{"id":"c-1"}]');
    const lower = await store.analytics.learningCandidates(x1, {
      ...days,
      minSuccesses: 1,
      limit: 10,
    });
    expect(lower.map((row) => [row.method, row.successes])).toEqual([
      ['lookupCustomer', 7],
      ['formatInvoice', 2],
    ]);
  });

  it('chargeback per org and operation kind (model calls only)', async () => {
    const answer = await store.analytics.chargeback(orgX, days);
    const expected = groupBy(where(rows, orgX, days, isCall), (event) =>
      event.operation === 'chat' ? 'completion' : event.operation,
    );
    expect(answer.map((row) => [row.kind, row.requests, row.cost_nanos])).toEqual(
      [...expected.keys()]
        .sort()
        .map((kind) => [kind, expected.get(kind)!.length, sumCost(expected.get(kind)!)]),
    );
    expect(answer.every((row) => row.org_id === 'org_x')).toBe(true);
  });

  it('prompt comparison per version, from its calls and their feedback', async () => {
    const tenant = { orgId: 'org_p', projectId: 'proj_p', retentionDays: 365 };
    const at = base + 2 * HOUR;
    const event = (input: Record<string, unknown>, offset: number) =>
      buildEventRow(eventInputSchema.parse({ ts: at + offset, ...input }), tenant);
    // As the feedback endpoint writes it: the rated call's prompt copied onto the row.
    const feedback = (score: number, offset: number): EventRow => ({
      ...event({ event_type: 'custom', name: 'feedback' }, offset),
      score,
      prompt_name: 'summarize',
      prompt_version: 1,
    });
    const call = (version: number, latency: number, status: string, costUsd: number) => ({
      event_type: 'prompt_call',
      prompt_name: 'summarize',
      prompt_version: version,
      latency_ms: latency,
      status,
      input_tokens: 10 * version,
      output_tokens: 5,
      cost_usd: costUsd,
    });
    const seeded = [
      event(call(1, 100, 'success', 0.000002), 0),
      event(call(1, 300, 'error', 0.000001), 1),
      event(call(2, 50, 'success', 0.000004), 2),
      event(call(2, 60, 'cached', 0), 3),
      event(call(2, 70, 'success', 0.000004), 4),
      event({ ...call(1, 1, 'success', 1), prompt_name: 'translate' }, 5),
      feedback(4, 6),
      feedback(1, 7),
    ];
    await store.insert(toBatch('analytics-prompts', seeded));
    const range = { from: at, to: at + HOUR };
    const answer = await store.analytics.promptComparison(
      { orgId: 'org_p', projectId: 'proj_p' },
      { ...range, promptName: 'summarize' },
    );
    expect(answer).toEqual([
      {
        version: 1,
        executions: 2,
        successes: 1,
        latency_avg_ms: 200,
        latency_p95_ms: 300,
        tokens_avg: 15,
        cost_nanos: 3_000n,
        feedback_count: 2,
        feedback_avg: 2.5,
      },
      {
        version: 2,
        executions: 3,
        successes: 3,
        latency_avg_ms: 60,
        latency_p95_ms: 70,
        tokens_avg: 25,
        cost_nanos: 8_000n,
        feedback_count: 0,
        feedback_avg: null,
      },
    ]);
    expect(
      await store.analytics.promptComparison(
        { orgId: 'org_x' },
        { ...range, promptName: 'summarize' },
      ),
    ).toEqual([]);
  });
}
