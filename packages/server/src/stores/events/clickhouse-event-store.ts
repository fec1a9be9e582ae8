import type {
  AgentStepRow,
  EventBatch,
  EventFilter,
  EventPage,
  EventRow,
  EventStore,
  RunTrace,
  SchemaMigrationResult,
  SummaryQuery,
  SummaryRow,
  TableStatus,
  TenantScope,
  TimeRange,
  ToolCallRow,
} from '@tollgate/core';
import { ClickHouseAnalyticsStore } from './clickhouse-analytics-store';
import { decodeEventCursor, encodeEventCursor } from './cursor';
import type { EventDriver, InsertSettings } from './driver';
import {
  listEventsStatement,
  runAgentStepsStatement,
  storedEventIdsStatement,
  runEventsStatement,
  runToolCallsStatement,
  summaryStatement,
  TABLE_STATUS_SQL,
  type Statement,
  type SummaryResultRow,
  type TableStatusRow,
} from './event-queries';
import { EventStoreError } from './event-store-error';
import { checkEventColumns, migrateEventSchema } from './migrator';
import { deleteOrgDataBefore } from './retention-queries';
import { EXPECTED_TABLES } from './schema';

/** The part of a logger the store uses; a pino logger fits. */
export interface EventStoreLogger {
  info(details: object, message: string): void;
}

/**
 * Settings of every insert into `events`:
 * - the batch id is the de-duplication token, so a batch replayed by the spool
 *   is stored once, in `events` and (through the views) in every rollup;
 * - `async_insert = 0`: the insert returns once its part is written, never
 *   from an asynchronous-insert buffer (ClickHouse 26 and chDB enable
 *   asynchronous inserts by default).
 */
export function eventInsertSettings(batchId: string): InsertSettings {
  if (!batchId)
    throw new EventStoreError(
      'invalid_query',
      'an event batch needs an id (its de-duplication token)',
    );
  return {
    async_insert: 0,
    insert_deduplicate: 1,
    insert_deduplication_token: batchId,
    deduplicate_blocks_in_dependent_materialized_views: 1,
  };
}

/** The event store over any ClickHouse engine: one set of queries, the engine behind a driver. */
export class ClickHouseEventStore implements EventStore {
  readonly kind: EventDriver['kind'];
  readonly analytics: ClickHouseAnalyticsStore;

  constructor(
    private readonly driver: EventDriver,
    private readonly logger?: EventStoreLogger,
  ) {
    this.kind = driver.kind;
    this.analytics = new ClickHouseAnalyticsStore(driver);
  }

  async migrate(): Promise<SchemaMigrationResult> {
    const result = await migrateEventSchema(this.driver);
    await checkEventColumns(this.driver);
    if (result.to !== result.from) {
      this.logger?.info(
        { store: 'events', engine: this.kind, ...result },
        'event store schema migrated',
      );
    }
    return result;
  }

  async insert(batch: EventBatch): Promise<void> {
    if (batch.rowCount === 0 || batch.rows.length === 0) return;
    await this.driver.insert('events', batch.rows, eventInsertSettings(batch.id));
  }

  async listEvents(scope: TenantScope, filter: EventFilter): Promise<EventPage> {
    const after = filter.cursor ? decodeEventCursor(filter.cursor) : undefined;
    const rows = await this.run<EventRow>(listEventsStatement(scope, filter, after));
    if (rows.length <= filter.limit) return { events: rows };
    const events = rows.slice(0, filter.limit);
    const last = events[events.length - 1];
    return last ? { events, nextCursor: encodeEventCursor(last) } : { events };
  }

  async storedEventIds(eventIds: readonly string[]): Promise<string[]> {
    if (eventIds.length === 0) return [];
    const rows = await this.run<{ event_id: string }>(storedEventIdsStatement(eventIds));
    return rows.map((row) => row.event_id);
  }

  async getRun(scope: TenantScope, runId: string, range: TimeRange): Promise<RunTrace> {
    const [events, agentSteps, toolCalls] = await Promise.all([
      this.run<EventRow>(runEventsStatement(scope, runId, range)),
      this.run<AgentStepRow>(runAgentStepsStatement(scope, runId, range)),
      this.run<ToolCallRow>(runToolCallsStatement(scope, runId, range)),
    ]);
    return { runId, events, agentSteps, toolCalls };
  }

  async summary(scope: TenantScope, query: SummaryQuery): Promise<SummaryRow[]> {
    const rows = await this.run<SummaryResultRow>(summaryStatement(scope, query, query.groupBy));
    return rows.map((row) => ({
      key: row.key,
      requests: row.requests,
      errors: row.errors,
      input_tokens: row.input_tokens_total,
      output_tokens: row.output_tokens_total,
      cost_nanos: row.cost_nanos_total,
      latency_p50_ms: row.latency[0] ?? 0,
      latency_p95_ms: row.latency[1] ?? 0,
      latency_p99_ms: row.latency[2] ?? 0,
    }));
  }

  async deleteOrgDataBefore(orgId: string, cutoff: number): Promise<Record<string, number>> {
    return deleteOrgDataBefore(this.driver, orgId, cutoff);
  }

  async checkTables(): Promise<TableStatus[]> {
    const rows = await this.driver.query<TableStatusRow>(TABLE_STATUS_SQL);
    const found = new Map(rows.map((row) => [row.name, row]));
    return EXPECTED_TABLES.map((name) => {
      const row = found.get(name);
      if (!row) return { name, engine: '', rows: 0, bytesOnDisk: 0, missing: true };
      return {
        name,
        engine: row.engine,
        rows: row.rows,
        bytesOnDisk: row.bytes_on_disk,
        missing: false,
      };
    });
  }

  async ping(): Promise<void> {
    await this.driver.query('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private run<T>(statement: Statement): Promise<T[]> {
    return this.driver.query<T>(statement.sql, statement.parameters);
  }
}
