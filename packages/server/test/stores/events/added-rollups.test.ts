import { parseEventTime, type EventRow, type TenantScope } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbDriver } from '../../../src/stores/events/chdb';
import { ClickHouseEventStore } from '../../../src/stores/events/clickhouse-event-store';
import { migrateEventSchema } from '../../../src/stores/events/migrator';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../../src/stores/events/schema';
import { createTempDir } from '../../helpers/temp-dir';
import { buildRow, HOUR, toBatch } from './event-fixtures';

/**
 * The rollups added after the first schema: the daily rollup by model
 * (version 2) and the hourly error messages (version 3). Each is filled once
 * from the data of a store created before it, kept current by its view, and
 * gives the answers the reads it replaces gave.
 */
const DAY = 24 * HOUR;
const BASE = Date.UTC(2026, 0, 10);
const MODELS = ['gpt-4o-mini', 'claude-3-5-haiku', 'gemini-2.0-flash'] as const;
const TENANT = { orgId: 'org_m', projectId: 'proj_m', retentionDays: 365 };
const scope: TenantScope = { orgId: 'org_m' };

/** `count` prompt calls spread over 4 days from `BASE` (7 h apart, so every hour differs). */
function calls(count: number, offset: number): EventRow[] {
  return Array.from({ length: count }, (_, index) => {
    const i = index + offset;
    return buildRow(
      {
        event_type: 'prompt_call',
        ts: BASE + ((i * 7 * HOUR) % (4 * DAY)) + i * 1000,
        name: i % 2 === 0 ? 'chat.answer' : 'chat.summarize',
        service: i % 3 === 0 ? 'search' : 'support-bot',
        status: i % 5 === 0 ? 'error' : 'success',
        ...(i % 5 === 0 ? { error_message: i % 3 === 0 ? 'upstream timeout' : 'refused' } : {}),
        latency_ms: 100 + i,
        provider: 'simulated',
        model: MODELS[i % MODELS.length],
        input_tokens: 100 + i,
        output_tokens: 10 + i,
        cost_usd: 0.000_001 * (i + 1),
      },
      TENANT,
    );
  });
}

/** Requests and exact cost per model of `rows` whose hour starts in [hour of `from`, `to`). */
function expectedByModel(rows: readonly EventRow[], from: number, to: number) {
  const totals = new Map<string, { requests: number; cost: bigint }>();
  for (const row of rows) {
    const time = parseEventTime(row.ts);
    const hour = time - (time % HOUR);
    if (hour < from - (from % HOUR) || hour >= to) continue;
    const total = totals.get(row.model) ?? { requests: 0, cost: 0n };
    total.requests += 1;
    total.cost += BigInt(row.cost_nanos);
    totals.set(row.model, total);
  }
  return [...totals].sort(([left], [right]) => left.localeCompare(right));
}

const perDay = `SELECT toString(bucket) AS day, model, sum(requests) AS requests,
    sum(errors) AS errors, toString(sum(cost_nanos)) AS cost
FROM {table:Identifier} WHERE org_id = 'org_m'
GROUP BY day, model ORDER BY day, model`;

describe('rollups added to a store that holds events', () => {
  const directory = createTempDir('tollgate-model-rollup-');
  let driver: ChdbDriver;
  let store: ClickHouseEventStore;
  const first = calls(60, 0);
  const second = calls(30, 60);

  beforeAll(async () => {
    driver = ChdbDriver.open(directory.path);
    store = new ClickHouseEventStore(driver);
    // A store of schema version 1, holding events, then migrated to the latest version.
    await migrateEventSchema(driver, MIGRATIONS.slice(0, 1));
    await store.insert(toBatch('model-rollup-1', first));
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    directory.remove();
  });

  it('are filled once when an older store is migrated, and kept by their views', async () => {
    expect(await store.migrate()).toEqual({ from: 1, to: LATEST_SCHEMA_VERSION });
    const daily = () => driver.query(perDay, { table: 'events_daily' });
    const byModel = () => driver.query(perDay, { table: 'events_daily_by_model' });
    expect((await daily()).length).toBeGreaterThan(4);
    expect(await byModel()).toEqual(await daily());

    // Running the migration's statements again (as after an interruption) adds nothing.
    for (const statement of MIGRATIONS[1]!.statements) await driver.command(statement);
    expect(await byModel()).toEqual(await daily());

    await store.insert(toBatch('model-rollup-2', second));
    const [total] = await driver.query<{ requests: number }>(
      "SELECT sum(requests) AS requests FROM events_daily_by_model WHERE org_id = 'org_m'",
    );
    expect(total!.requests).toBe(first.length + second.length);
    expect(await byModel()).toEqual(await daily());
  });

  it('answers long ranges (whole days from the daily rollups, edge hours from the hourly) as at hour resolution', async () => {
    const rows = [...first, ...second];
    // Not aligned to days or hours: 5 h 20 min into the first day to 7 h 40 min into the fourth.
    const range = {
      from: BASE + 5 * HOUR + 20 * 60_000,
      to: BASE + 3 * DAY + 7 * HOUR + 40 * 60_000,
    };
    const expected = expectedByModel(rows, range.from, range.to);
    expect(expected.length).toBe(MODELS.length);

    const byModel = await store.analytics.cost(scope, {
      ...range,
      filters: { eventTypes: ['prompt_call'] },
      groupBy: 'model',
    });
    const actual = byModel
      .map((row) => [row.key, { requests: row.requests, cost: row.cost_nanos }] as const)
      .sort(([left], [right]) => left.localeCompare(right));
    expect(actual).toEqual(expected);

    const [summary] = await store.summary(scope, { ...range, groupBy: 'none' });
    expect(summary!.requests).toBe(expected.reduce((sum, [, total]) => sum + total.requests, 0));

    // A service filter is not in the model rollup: the read falls back to events_daily.
    const search = await store.analytics.cost(scope, {
      ...range,
      filters: { eventTypes: ['prompt_call'], service: 'search' },
      groupBy: 'none',
    });
    const searchRows = rows.filter((row) => row.service === 'search');
    const expectedSearch = expectedByModel(searchRows, range.from, range.to);
    expect(search[0]!.requests).toBe(
      expectedSearch.reduce((sum, [, total]) => sum + total.requests, 0),
    );

    const latency = await store.analytics.latency(scope, {
      ...range,
      filters: { eventTypes: ['prompt_call'] },
      groupBy: 'model',
    });
    const byNumber = (left: number, right: number) => left - right;
    expect(latency.map((row) => row.samples).sort(byNumber)).toEqual(
      expected.map(([, total]) => total.requests).sort(byNumber),
    );
  });

  it('counts the most frequent errors from their rollup, with the last time seen and the latest event', async () => {
    const failed = [...first, ...second].filter((row) => row.error_message !== '');
    const range = { from: BASE, to: BASE + 5 * DAY };
    const expected = [...new Set(failed.map((row) => row.error_message))].map((message) => {
      const group = failed.filter((row) => row.error_message === message);
      const latest = group.reduce((last, row) => (row.ts > last.ts ? row : last));
      return {
        error_message: message,
        occurrences: group.length,
        last_seen: new Date(parseEventTime(latest.ts)).toISOString(),
        example_event_id: latest.event_id,
      };
    });
    expected.sort((left, right) => right.occurrences - left.occurrences);
    expect(new Set(expected.map((row) => row.occurrences)).size).toBe(2);
    const top = await store.analytics.topErrors(scope, {
      ...range,
      filters: { eventTypes: ['prompt_call'] },
      limit: 10,
    });
    expect(top).toEqual(expected);
    const other = await store.analytics.topErrors(
      { orgId: 'org_other' },
      { ...range, filters: { eventTypes: ['prompt_call'] }, limit: 10 },
    );
    expect(other).toEqual([]);
  });
});
