import type { EventRow, EventStore, SummaryRow, TenantScope } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseEventStore } from '../../../src/stores/events/clickhouse-event-store';
import type { EventDriver } from '../../../src/stores/events/driver';
import { isEventStoreError } from '../../../src/stores/events/event-store-error';
import {
  EXPECTED_TABLES,
  LATENCY_QUANTILES,
  LATEST_SCHEMA_VERSION,
} from '../../../src/stores/events/schema';
import {
  AWKWARD_USER_ID,
  buildEventFixture,
  buildRow,
  HOUR,
  RUN_ID,
  TENANTS,
  toBatch,
  type EventFixture,
} from './event-fixtures';
import {
  expectedSummary,
  inScope,
  newestFirst,
  oldestFirst,
  toAgentStepRow,
  toToolCallRow,
} from './event-expectations';

/** One engine under test: the store's queries are shared, the driver is what differs. */
export interface EventStoreContractOptions {
  create: () => Promise<{ driver: EventDriver; cleanup: () => Promise<void> }>;
}

export function runEventStoreContract({ create }: EventStoreContractOptions): void {
  let driver: EventDriver;
  let store: EventStore;
  let cleanup: () => Promise<void>;
  let firstMigration: Awaited<ReturnType<EventStore['migrate']>>;
  let fixture: EventFixture;
  /** Rows the insert tests add beyond the fixture. */
  let insertedByTests = 0;
  const a1: TenantScope = { orgId: TENANTS.a1.orgId, projectId: TENANTS.a1.projectId };
  const orgA: TenantScope = { orgId: TENANTS.a1.orgId };
  const b1: TenantScope = { orgId: TENANTS.b1.orgId, projectId: TENANTS.b1.projectId };

  const rowsOf = (scope: TenantScope): EventRow[] => fixture.rows.filter(inScope(scope));
  const listAll = async (
    scope: TenantScope,
    filter: Partial<Parameters<EventStore['listEvents']>[1]> = {},
  ) => (await store.listEvents(scope, { ...fixture.range, limit: 1000, ...filter })).events;

  beforeAll(async () => {
    ({ driver, cleanup } = await create());
    store = new ClickHouseEventStore(driver);
    firstMigration = await store.migrate();
    fixture = buildEventFixture();
    for (const batch of fixture.batches) await store.insert(batch);
  });

  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  describe('schema', () => {
    it('migrates a new database to the latest version, and a second time changes nothing', async () => {
      expect(firstMigration).toEqual({ from: 0, to: LATEST_SCHEMA_VERSION });
      expect(await store.migrate()).toEqual({
        from: LATEST_SCHEMA_VERSION,
        to: LATEST_SCHEMA_VERSION,
      });
      const recorded = await driver.query<{ version: number }>(
        'SELECT version FROM schema_version ORDER BY version',
      );
      // Each migration is recorded once, in order.
      expect(recorded.map((row) => row.version)).toEqual(
        Array.from({ length: LATEST_SCHEMA_VERSION }, (_, index) => index + 1),
      );
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });

  describe('listEvents', () => {
    it('returns every inserted row with every field, newest first', async () => {
      const expected = rowsOf(a1).sort(newestFirst);
      expect(expected.length).toBeGreaterThan(60);
      expect(await listAll(a1)).toEqual(expected);
    });

    it.each([
      ['eventType', 'event_type', 'tool_call'],
      ['runId', 'run_id', RUN_ID],
      ['userId', 'user_id', 'user-2'],
      ['userId', 'user_id', AWKWARD_USER_ID],
      ['model', 'model', 'claude-3-5-haiku'],
      ['status', 'status', 'timeout'],
    ] as const)('filters by %s = %j', async (filter, column, value) => {
      const expected = rowsOf(a1)
        .filter((row) => row[column] === value)
        .sort(newestFirst);
      expect(expected.length).toBeGreaterThan(0);
      expect(await listAll(a1, { [filter]: value })).toEqual(expected);
    });

    it('combines filters and the time range', async () => {
      const from = fixture.base + HOUR;
      const to = fixture.base + 2 * HOUR;
      const expected = rowsOf(a1)
        .filter((row) => row.model === 'gpt-4o-mini' && row.status === 'success')
        .filter((row) => Date.parse(`${row.ts.replace(' ', 'T')}Z`) >= from)
        .filter((row) => Date.parse(`${row.ts.replace(' ', 'T')}Z`) < to)
        .sort(newestFirst);
      expect(expected.length).toBeGreaterThan(0);
      const page = await store.listEvents(a1, {
        from,
        to,
        limit: 1000,
        model: 'gpt-4o-mini',
        status: 'success',
      });
      expect(page.events).toEqual(expected);
    });

    it('keeps each tenant to its own rows', async () => {
      const projectRows = await listAll(a1);
      expect(
        projectRows.every((row) => row.org_id === 'org_a' && row.project_id === 'proj_1'),
      ).toBe(true);

      const orgRows = await listAll(orgA);
      expect(orgRows.map((row) => row.event_id)).toEqual(
        rowsOf(orgA)
          .sort(newestFirst)
          .map((row) => row.event_id),
      );
      expect(new Set(orgRows.map((row) => row.project_id))).toEqual(new Set(['proj_1', 'proj_2']));

      // org_b has a project and a run with the same ids as org_a's.
      const otherOrg = await listAll(b1, { runId: RUN_ID });
      expect(otherOrg.length).toBeGreaterThan(0);
      expect(otherOrg.every((row) => row.org_id === 'org_b')).toBe(true);
      expect(await listAll({ orgId: 'org_nobody' })).toEqual([]);
    });

    it('walks every row exactly once, page by page, through equal timestamps', async () => {
      const expected = rowsOf(orgA)
        .sort(newestFirst)
        .map((row) => row.event_id);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listEvents(orgA, { ...fixture.range, limit: 7, cursor });
        expect(page.events.length).toBeLessThanOrEqual(7);
        seen.push(...page.events.map((row) => row.event_id));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 100);
      expect(seen).toEqual(expected);
      expect(pages).toBe(Math.ceil(expected.length / 7));
    });

    it('refuses a cursor it did not issue, a page size out of bounds and a missing time range', async () => {
      const bad = { ...fixture.range, limit: 10 };
      await expect(store.listEvents(a1, { ...bad, cursor: 'not-a-cursor' })).rejects.toSatisfy(
        (error) => isEventStoreError(error) && error.code === 'invalid_cursor',
      );
      await expect(store.listEvents(a1, { ...bad, limit: 0 })).rejects.toSatisfy(
        (error) => isEventStoreError(error) && error.code === 'invalid_query',
      );
      await expect(store.listEvents(a1, { from: 10, to: 10, limit: 10 })).rejects.toSatisfy(
        (error) => isEventStoreError(error) && error.code === 'invalid_query',
      );
    });
  });

  describe('getRun', () => {
    it('returns the run’s events, agent steps and tool calls in order, for the caller’s tenant only', async () => {
      const expected = rowsOf(a1)
        .filter((row) => row.run_id === RUN_ID)
        .sort(oldestFirst);
      const trace = await store.getRun(a1, RUN_ID, fixture.range);
      expect(trace.runId).toBe(RUN_ID);
      expect(trace.events).toEqual(expected);
      expect(trace.agentSteps).toEqual(
        expected.filter((row) => row.event_type === 'agent_step').map(toAgentStepRow),
      );
      expect(trace.agentSteps.map((step) => step.step_number)).toEqual([1, 2, 3]);
      expect(trace.toolCalls).toEqual(
        expected.filter((row) => row.event_type === 'tool_call').map(toToolCallRow),
      );
      const other = await store.getRun(b1, RUN_ID, fixture.range);
      expect(other.events.every((row) => row.org_id === 'org_b')).toBe(true);
      expect(other.agentSteps).toHaveLength(1);
      expect(other.toolCalls).toHaveLength(1);
    });
  });

  describe('summary', () => {
    function expectMatches(
      actual: SummaryRow[],
      expected: ReturnType<typeof expectedSummary>,
    ): void {
      expect(new Set(actual.map((row) => row.key))).toEqual(new Set(expected.keys()));
      for (const row of actual) {
        const want = expected.get(row.key)!;
        expect({ key: row.key, requests: row.requests, errors: row.errors }).toEqual({
          key: row.key,
          requests: want.requests,
          errors: want.errors,
        });
        expect([row.input_tokens, row.output_tokens, row.cost_nanos]).toEqual([
          want.input_tokens,
          want.output_tokens,
          want.cost_nanos,
        ]);
        expect(Number.isInteger(row.cost_nanos)).toBe(true);
        expect(row.latency_p50_ms).toBeGreaterThanOrEqual(want.p50[0]);
        expect(row.latency_p50_ms).toBeLessThanOrEqual(want.p50[1]);
        expect(row.latency_p50_ms).toBeLessThanOrEqual(row.latency_p95_ms);
        expect(row.latency_p95_ms).toBeLessThanOrEqual(row.latency_p99_ms);
      }
    }

    it('sums requests, errors, tokens and exact cost by model, from the hourly rollup', async () => {
      const actual = await store.summary(a1, { ...fixture.range, groupBy: 'model' });
      expectMatches(
        actual,
        expectedSummary(rowsOf(a1), (row) => row.model),
      );
      expect(actual.find((row) => row.key === 'gpt-4o-mini')!.cost_nanos).toBeGreaterThan(0);
    });

    it('groups by project within an org, and by nothing', async () => {
      expectMatches(
        await store.summary(orgA, { ...fixture.range, groupBy: 'project' }),
        expectedSummary(rowsOf(orgA), (row) => row.project_id),
      );
      expectMatches(
        await store.summary(b1, { ...fixture.range, groupBy: 'none' }),
        expectedSummary(rowsOf(b1), () => ''),
      );
    });

    it('counts whole hours: a range inside the first hour counts that hour only', async () => {
      const firstHour = rowsOf(a1).filter(
        (row) => Date.parse(`${row.ts.replace(' ', 'T')}Z`) < fixture.base + HOUR,
      );
      const actual = await store.summary(a1, {
        from: fixture.base + 10 * 60_000,
        to: fixture.base + HOUR,
        groupBy: 'status',
      });
      expectMatches(
        actual,
        expectedSummary(firstHour, (row) => row.status),
      );
    });
  });

  describe('rollups', () => {
    const OK = new Set(['success', 'cached']);
    const fixtureOrgs = `org_id IN ('${TENANTS.a1.orgId}', '${TENANTS.b1.orgId}')`;
    const dayOf = (ts: string) => `${ts.slice(0, 10)} 00:00:00`;

    /** Totals of rows in JavaScript, per key, as the rollups must hold them. */
    function totals(rows: EventRow[], key: (row: EventRow) => string) {
      const groups = new Map<string, EventRow[]>();
      for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
      return new Map(
        [...groups].map(([name, group]) => [
          name,
          {
            requests: group.length,
            errors: group.filter((row) => !OK.has(row.status)).length,
            input_tokens: group.reduce((sum, row) => sum + row.input_tokens, 0),
            output_tokens: group.reduce((sum, row) => sum + row.output_tokens, 0),
            cached_tokens: group.reduce((sum, row) => sum + row.cached_tokens, 0),
            cost_nanos: group.reduce((sum, row) => sum + row.cost_nanos, 0),
            first_event_at: group.map((row) => row.ts).sort()[0],
            last_event_at: group
              .map((row) => row.ts)
              .sort()
              .at(-1),
          },
        ]),
      );
    }

    it('keeps the project summary exact: totals, errors, first and last event time per project', async () => {
      const rows = await driver.query<Record<string, string | number>>(
        `SELECT org_id, project_id, sum(events) AS requests, sum(errors) AS errors,
            sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
            sum(cached_tokens) AS cached_tokens, sum(cost_nanos) AS cost_nanos,
            min(first_event_at) AS first_event_at, max(last_event_at) AS last_event_at
         FROM project_summary WHERE ${fixtureOrgs} GROUP BY org_id, project_id`,
      );
      const actual = new Map(
        rows.map(({ org_id, project_id, ...rest }) => [`${org_id}/${project_id}`, rest]),
      );
      expect(actual).toEqual(totals(fixture.rows, (row) => `${row.org_id}/${row.project_id}`));
    });

    it('keeps the daily rollup exact per day and dimension, with latency quantiles from merged states', async () => {
      const rows = await driver.query<Record<string, string | number | number[]>>(
        `SELECT org_id, project_id, toString(bucket) AS day, model, status,
            sum(requests) AS requests, sum(errors) AS errors,
            sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
            sum(cached_tokens) AS cached_tokens, sum(cost_nanos) AS cost_nanos,
            min(first_event_at) AS first_event_at, max(last_event_at) AS last_event_at,
            quantilesTDigestMerge(${LATENCY_QUANTILES})(latency_ms) AS latency
         FROM events_daily WHERE ${fixtureOrgs}
         GROUP BY org_id, project_id, day, model, status`,
      );
      const key = (row: Partial<Record<'org_id' | 'project_id' | 'model' | 'status', unknown>>) =>
        `${String(row.org_id)}/${String(row.project_id)}/${String(row.model)}/${String(row.status)}`;
      const actual = new Map(
        rows.map(({ org_id, project_id, day, model, status, latency: _latency, ...rest }) => [
          `${key({ org_id, project_id, model, status })}/${String(day)}`,
          rest,
        ]),
      );
      const dayKey = (row: EventRow) => `${key(row)}/${dayOf(row.ts)}`;
      expect(actual).toEqual(totals(fixture.rows, dayKey));
      const bands = expectedSummary(fixture.rows, dayKey);
      for (const row of rows) {
        const [p50] = row.latency as number[];
        const band = bands.get(`${key(row)}/${String(row.day)}`)!.p50;
        expect(p50).toBeGreaterThanOrEqual(band[0]);
        expect(p50).toBeLessThanOrEqual(band[1]);
      }
    });

    it('stores a replayed batch once in the daily rollup and the project summary too', async () => {
      const tenant = { orgId: 'org_chain', projectId: 'proj_1', retentionDays: 90 };
      const now = Date.now();
      // Two months apart, so the insert is split into one block per partition.
      const rows = [
        buildRow(
          { event_type: 'prompt_call', ts: now - 40 * 24 * HOUR, model: 'gpt-4o', input_tokens: 5 },
          tenant,
        ),
        buildRow(
          { event_type: 'prompt_call', ts: now - HOUR, model: 'gpt-4o', input_tokens: 6 },
          tenant,
        ),
      ];
      const counts = async () => {
        const [daily] = await driver.query<{ requests: number; input_tokens: number }>(
          `SELECT sum(requests) AS requests, sum(input_tokens) AS input_tokens FROM events_daily WHERE org_id = 'org_chain'`,
        );
        const [summary] = await driver.query<{ requests: number; input_tokens: number }>(
          `SELECT sum(events) AS requests, sum(input_tokens) AS input_tokens FROM project_summary WHERE org_id = 'org_chain'`,
        );
        return { daily, summary };
      };
      await store.insert(toBatch('chain-replayed', rows));
      await store.insert(toBatch('chain-replayed', rows));
      expect(await counts()).toEqual({
        daily: { requests: 2, input_tokens: 11 },
        summary: { requests: 2, input_tokens: 11 },
      });
      await store.insert(toBatch('chain-other', rows));
      insertedByTests += 4;
      expect(await counts()).toEqual({
        daily: { requests: 4, input_tokens: 22 },
        summary: { requests: 4, input_tokens: 22 },
      });
    });
  });

  describe('insert', () => {
    const tenant = { orgId: 'org_dedup', projectId: 'proj_1', retentionDays: 90 };
    const scope = { orgId: tenant.orgId };

    it('stores a batch sent twice with the same id once, in the events and in the rollups', async () => {
      const now = Date.now();
      // Two months apart, so the insert is split into one block per partition.
      const rows = [
        buildRow(
          {
            event_type: 'prompt_call',
            ts: now - 40 * 24 * HOUR,
            model: 'gpt-4o-mini',
            input_tokens: 7,
          },
          tenant,
        ),
        buildRow(
          { event_type: 'prompt_call', ts: now - HOUR, model: 'gpt-4o-mini', input_tokens: 11 },
          tenant,
        ),
      ];
      const range = { from: now - 50 * 24 * HOUR, to: now + HOUR };
      await store.insert(toBatch('batch-replayed', rows));
      await store.insert(toBatch('batch-replayed', rows));
      expect((await store.listEvents(scope, { ...range, limit: 100 })).events).toHaveLength(2);
      const [summary] = await store.summary(scope, { ...range, groupBy: 'none' });
      expect([summary?.requests, summary?.input_tokens]).toEqual([2, 18]);

      // The id, not the content, decides: the same rows under a new id are a new batch.
      await store.insert(toBatch('batch-other', rows));
      insertedByTests += 4;
      expect((await store.listEvents(scope, { ...range, limit: 100 })).events).toHaveLength(4);
    });

    it('rejects a batch the engine cannot read as final, not retryable', async () => {
      const batch = {
        id: 'batch-bad',
        rows: Buffer.from('{"event_id": 12, "ts": "yesterday"}\n'),
        rowCount: 1,
      };
      await expect(store.insert(batch)).rejects.toSatisfy(
        (error) =>
          isEventStoreError(error) &&
          error.code === 'statement_failed' &&
          !error.retryable &&
          error.clickhouseCode !== undefined,
      );
    });
  });

  describe('checkTables', () => {
    it('lists every table with its engine, rows and size', async () => {
      const tables = new Map((await store.checkTables()).map((table) => [table.name, table]));
      expect([...tables.keys()]).toEqual([...EXPECTED_TABLES]);
      expect([...tables.values()].filter((table) => table.missing)).toEqual([]);
      const events = tables.get('events')!;
      expect(events.engine).toBe('MergeTree');
      expect(events.rows).toBe(fixture.rows.length + insertedByTests);
      expect(events.bytesOnDisk).toBeGreaterThan(0);
      expect(tables.get('tool_calls')!.rows).toBe(
        fixture.rows.filter((row) => row.event_type === 'tool_call').length,
      );
      expect(tables.get('agent_steps')!.rows).toBe(
        fixture.rows.filter((row) => row.event_type === 'agent_step').length,
      );
      expect(tables.get('events_hourly')!.engine).toBe('AggregatingMergeTree');
      expect(tables.get('project_summary')!.engine).toBe('AggregatingMergeTree');
      expect(tables.get('events_daily_mv')!.engine).toBe('MaterializedView');
    });

    // Destructive: keep it last.
    it('flags a dropped table as missing', async () => {
      await driver.command('DROP VIEW IF EXISTS events_daily_mv');
      await driver.command('DROP TABLE IF EXISTS events_daily');
      const missing = (await store.checkTables()).filter((table) => table.missing);
      expect(missing).toEqual([
        { name: 'events_daily', engine: '', rows: 0, bytesOnDisk: 0, missing: true },
        { name: 'events_daily_mv', engine: '', rows: 0, bytesOnDisk: 0, missing: true },
      ]);
    });
  });
}
