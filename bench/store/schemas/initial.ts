/**
 * The v1 event schema as first written (commit 0b9ad3a), before the insert-path work of
 * bench/RESULTS.md: kept only so the store benches can measure "before" again
 * (`--schema bench/store/schemas/initial.ts`). The server never uses it.
 */
import { EVENT_COLUMNS, type EventColumn } from '@tollgate/core';

/**
 * The event store's one ClickHouse DDL, as an ordered list of versioned
 * migrations. The same statements run on chDB (embedded) and on a ClickHouse
 * server; `migrator.ts` applies those newer than the version recorded in
 * `schema_version`.
 *
 * Rules for adding a migration: append, never edit a released one; every
 * statement must be idempotent (`IF NOT EXISTS`, `ADD COLUMN IF NOT EXISTS`),
 * because a migration interrupted half-way is run again from its start.
 *
 * TODO(cluster): for `CLICKHOUSE_CLUSTER`, each statement needs `ON CLUSTER`,
 * the MergeTree engines become `Replicated*MergeTree` (the de-duplication
 * window setting becomes `replicated_deduplication_window`), and a
 * `Distributed` table goes in front of each table the queries read. Only the
 * embedded engine and a single server are supported today.
 */

export interface Migration {
  version: number;
  description: string;
  statements: readonly string[];
}

/** Tables that record the schema; created before any migration runs. */
export const SCHEMA_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version
(
    version UInt32,
    applied_at DateTime('UTC')
)
ENGINE = MergeTree
ORDER BY version`;

/**
 * How many recent insert blocks each table remembers for de-duplication. The
 * ingestion spool replays a batch with its original id (the insert's
 * `insert_deduplication_token`), so a replay within this window is stored once.
 * It has to be set on the materialized views' target tables too, or their
 * blocks would be written again on a replay.
 */
const DEDUPLICATION = 'non_replicated_deduplication_window = 10000';

/** Quantiles kept in the rollups' latency states; t-digest keeps each state small and mergeable. */
export const LATENCY_QUANTILES = '0.5, 0.95, 0.99';

const columnsOf = (names: readonly EventColumn[]): string =>
  names.map((name) => `    ${name} ${EVENT_COLUMNS[name]}`).join(',\n');

const ALL_EVENT_COLUMNS = Object.keys(EVENT_COLUMNS) as EventColumn[];

/** Columns copied into `tool_calls`, tenant and retention first. */
export const TOOL_CALL_COLUMNS = [
  'org_id',
  'project_id',
  'event_id',
  'parent_id',
  'run_id',
  'ts',
  'tool_name',
  'status',
  'latency_ms',
  'input',
  'output',
  'error_message',
  'retention_days',
] as const satisfies readonly EventColumn[];

/** Columns copied into `agent_steps`, tenant and retention first. */
export const AGENT_STEP_COLUMNS = [
  'org_id',
  'project_id',
  'event_id',
  'parent_id',
  'run_id',
  'ts',
  'step_number',
  'step_name',
  'step_type',
  'status',
  'latency_ms',
  'input',
  'output',
  'error_message',
  'retention_days',
] as const satisfies readonly EventColumn[];

const RETENTION_TTL = 'TTL toDateTime(ts) + toIntervalDay(retention_days)';

const eventsTable = `CREATE TABLE IF NOT EXISTS events
(
${columnsOf(ALL_EVENT_COLUMNS)},
    INDEX idx_run_id run_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_session_id session_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_model model TYPE set(100) GRANULARITY 4,
    INDEX idx_status status TYPE set(100) GRANULARITY 4,
    INDEX idx_event_type event_type TYPE set(100) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (org_id, project_id, toStartOfHour(ts), cityHash64(run_id), event_id)
${RETENTION_TTL}
SETTINGS ${DEDUPLICATION}`;

function copyTable(table: string, columns: readonly EventColumn[], orderBy: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table}
(
${columnsOf(columns)},
    INDEX idx_run_id run_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (${orderBy})
${RETENTION_TTL}
SETTINGS ${DEDUPLICATION}`;
}

function copyView(table: string, columns: readonly EventColumn[], eventType: string): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${table}_mv TO ${table} AS
SELECT ${columns.join(', ')}
FROM events
WHERE event_type = '${eventType}'`;
}

/** The dimensions of the hourly and daily rollups, in sort-key order. */
export const ROLLUP_DIMENSIONS = [
  'org_id',
  'project_id',
  'bucket',
  'event_type',
  'operation',
  'provider',
  'model',
  'service',
  'name',
  'status',
] as const;

/** Statuses that do not count as errors. */
const OK_STATUSES = "('success', 'cached')";

function rollupTable(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table}
(
    org_id ${EVENT_COLUMNS.org_id},
    project_id ${EVENT_COLUMNS.project_id},
    bucket DateTime('UTC'),
    event_type ${EVENT_COLUMNS.event_type},
    operation ${EVENT_COLUMNS.operation},
    provider ${EVENT_COLUMNS.provider},
    model ${EVENT_COLUMNS.model},
    service ${EVENT_COLUMNS.service},
    name ${EVENT_COLUMNS.name},
    status ${EVENT_COLUMNS.status},
    requests SimpleAggregateFunction(sum, UInt64),
    errors SimpleAggregateFunction(sum, UInt64),
    input_tokens SimpleAggregateFunction(sum, UInt64),
    output_tokens SimpleAggregateFunction(sum, UInt64),
    cached_tokens SimpleAggregateFunction(sum, UInt64),
    cost_nanos SimpleAggregateFunction(sum, Int64),
    latency_ms AggregateFunction(quantilesTDigest(${LATENCY_QUANTILES}), Float64),
    ttft_ms AggregateFunction(quantilesTDigest(${LATENCY_QUANTILES}), Float64),
    retention_days SimpleAggregateFunction(max, UInt16)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (${ROLLUP_DIMENSIONS.join(', ')})
TTL bucket + toIntervalDay(retention_days)
SETTINGS ${DEDUPLICATION}`;
}

function rollupView(table: string, bucket: string): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${table}_mv TO ${table} AS
SELECT
    org_id,
    project_id,
    ${bucket} AS bucket,
    event_type,
    operation,
    provider,
    model,
    service,
    name,
    status,
    count() AS requests,
    countIf(status NOT IN ${OK_STATUSES}) AS errors,
    sum(toUInt64(input_tokens)) AS input_tokens,
    sum(toUInt64(output_tokens)) AS output_tokens,
    sum(toUInt64(cached_tokens)) AS cached_tokens,
    sum(cost_nanos) AS cost_nanos,
    quantilesTDigestState(${LATENCY_QUANTILES})(latency_ms) AS latency_ms,
    quantilesTDigestStateIf(${LATENCY_QUANTILES})(ttft_ms, ttft_ms > 0) AS ttft_ms,
    max(retention_days) AS retention_days
FROM events
GROUP BY ${ROLLUP_DIMENSIONS.join(', ')}`;
}

const projectSummaryTable = `CREATE TABLE IF NOT EXISTS project_summary
(
    org_id ${EVENT_COLUMNS.org_id},
    project_id ${EVENT_COLUMNS.project_id},
    events SimpleAggregateFunction(sum, UInt64),
    errors SimpleAggregateFunction(sum, UInt64),
    input_tokens SimpleAggregateFunction(sum, UInt64),
    output_tokens SimpleAggregateFunction(sum, UInt64),
    cached_tokens SimpleAggregateFunction(sum, UInt64),
    cost_nanos SimpleAggregateFunction(sum, Int64),
    first_event_at SimpleAggregateFunction(min, ${EVENT_COLUMNS.ts}),
    last_event_at SimpleAggregateFunction(max, ${EVENT_COLUMNS.ts})
)
ENGINE = AggregatingMergeTree
ORDER BY (org_id, project_id)
SETTINGS ${DEDUPLICATION}`;

const projectSummaryView = `CREATE MATERIALIZED VIEW IF NOT EXISTS project_summary_mv TO project_summary AS
SELECT
    org_id,
    project_id,
    count() AS events,
    countIf(status NOT IN ${OK_STATUSES}) AS errors,
    sum(toUInt64(input_tokens)) AS input_tokens,
    sum(toUInt64(output_tokens)) AS output_tokens,
    sum(toUInt64(cached_tokens)) AS cached_tokens,
    sum(cost_nanos) AS cost_nanos,
    min(ts) AS first_event_at,
    max(ts) AS last_event_at
FROM events
GROUP BY org_id, project_id`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, tool calls, agent steps, hourly and daily rollups, project summary',
    statements: [
      eventsTable,
      // Targets first, then the views that fill them, so no insert finds a view without its table.
      copyTable('tool_calls', TOOL_CALL_COLUMNS, 'org_id, project_id, tool_name, ts, event_id'),
      copyView('tool_calls', TOOL_CALL_COLUMNS, 'tool_call'),
      copyTable('agent_steps', AGENT_STEP_COLUMNS, 'org_id, project_id, step_name, ts, event_id'),
      copyView('agent_steps', AGENT_STEP_COLUMNS, 'agent_step'),
      rollupTable('events_hourly'),
      rollupView('events_hourly', 'toStartOfHour(ts)'),
      rollupTable('events_daily'),
      rollupView('events_daily', 'toStartOfDay(ts)'),
      projectSummaryTable,
      projectSummaryView,
    ],
  },
];

/** The version a fully migrated database records. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce(
  (latest, migration) => Math.max(latest, migration.version),
  0,
);

/** Every table and view the schema creates, for `checkTables`. */
export const EXPECTED_TABLES = [
  'schema_version',
  'events',
  'tool_calls',
  'tool_calls_mv',
  'agent_steps',
  'agent_steps_mv',
  'events_hourly',
  'events_hourly_mv',
  'events_daily',
  'events_daily_mv',
  'project_summary',
  'project_summary_mv',
] as const;
