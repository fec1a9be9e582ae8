import type { EventRow } from '../events/event-columns';
import type { AnalyticsStore } from './analytics-store';
import type { TenantScope, TimeRange } from './tenant-scope';

export type { TenantScope, TimeRange } from './tenant-scope';

/**
 * A batch of rows ready for the store, already serialized as JSONEachRow
 * (one JSON object per line) so the write path serializes each event once.
 */
export interface EventBatch {
  /** Unique per batch; used as the insert de-duplication token, so a replayed batch is stored once. */
  id: string;
  rows: Buffer;
  rowCount: number;
}

export interface EventFilter extends TimeRange {
  eventType?: string;
  runId?: string;
  userId?: string;
  sessionId?: string;
  /** The event's `name`, exactly. */
  name?: string;
  /** Events of the runs with an event of this name (a run's name), exactly. */
  runName?: string;
  model?: string;
  status?: string;
  /** Free text, found case-insensitively in the name, prompt, response or error message. */
  text?: string;
  /** Opaque cursor returned by the previous page. */
  cursor?: string;
  limit: number;
}

export interface EventPage {
  events: EventRow[];
  /** Present when more events match. */
  nextCursor?: string;
}

export interface ToolCallRow {
  event_id: string;
  parent_id: string;
  run_id: string;
  ts: string;
  tool_name: string;
  status: string;
  latency_ms: number;
  input: string;
  output: string;
  error_message: string;
}

export interface AgentStepRow {
  event_id: string;
  parent_id: string;
  run_id: string;
  ts: string;
  step_number: number;
  step_name: string;
  step_type: string;
  status: string;
  latency_ms: number;
  input: string;
  output: string;
  error_message: string;
}

export interface RunTrace {
  runId: string;
  /** Every event of the run ordered by time, then id. */
  events: EventRow[];
  agentSteps: AgentStepRow[];
  toolCalls: ToolCallRow[];
}

export const SUMMARY_GROUPS = [
  'none',
  'model',
  'provider',
  'event_type',
  'project',
  'status',
] as const;
export type SummaryGroup = (typeof SUMMARY_GROUPS)[number];

export interface SummaryQuery extends TimeRange {
  groupBy: SummaryGroup;
}

export interface SummaryRow {
  /** The group's value ('' for `none`). */
  key: string;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_nanos: number;
  latency_p50_ms: number;
  latency_p95_ms: number;
  latency_p99_ms: number;
}

export interface TableStatus {
  name: string;
  /** Empty when the table is missing. */
  engine: string;
  rows: number;
  bytesOnDisk: number;
  missing: boolean;
}

export interface SchemaMigrationResult {
  /** Schema version before and after. */
  from: number;
  to: number;
}

/** Where events live: one ClickHouse dialect, embedded (chDB) or a server. */
export interface EventStore {
  readonly kind: 'chdb' | 'clickhouse';
  /** Applies the versioned schema; idempotent. */
  migrate(): Promise<SchemaMigrationResult>;
  /** Inserts one batch; resolves once the rows are committed. */
  insert(batch: EventBatch): Promise<void>;
  listEvents(scope: TenantScope, filter: EventFilter): Promise<EventPage>;
  /**
   * Which of these event ids (ULIDs, any tenant) are stored already: the
   * gateway's journal replay skips them, so a call whose insert committed just
   * before a crash is not stored twice.
   */
  storedEventIds(eventIds: readonly string[]): Promise<string[]>;
  getRun(scope: TenantScope, runId: string, range: TimeRange): Promise<RunTrace>;
  summary(scope: TenantScope, query: SummaryQuery): Promise<SummaryRow[]>;
  /** The query API's reads (cost, latency, quality, runs, fallbacks, chargeback). */
  readonly analytics: AnalyticsStore;
  /**
   * Deletes the org's rows older than `cutoff` (epoch ms) from the events, their
   * copies and the rollups: the retention job applying a changed policy to
   * data already stored. Returns the rows deleted per table.
   */
  deleteOrgDataBefore(orgId: string, cutoff: number): Promise<Record<string, number>>;
  /** Every table the schema expects, with its engine, rows and size; missing ones flagged. */
  checkTables(): Promise<TableStatus[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
