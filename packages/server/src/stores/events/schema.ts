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

/** Columns added by migration 4 (a fresh database gets them from the CREATE of migration 1). */
const USAGE_DETAIL_COLUMNS = [
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'reasoning_tokens',
  'service_tier',
  'image_size',
  'image_quality',
] as const satisfies readonly EventColumn[];

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

/** The aggregate columns of the hourly and daily rollups, with their state types. */
const ROLLUP_AGGREGATES = `    requests SimpleAggregateFunction(sum, UInt64),
    errors SimpleAggregateFunction(sum, UInt64),
    input_tokens SimpleAggregateFunction(sum, UInt64),
    output_tokens SimpleAggregateFunction(sum, UInt64),
    cached_tokens SimpleAggregateFunction(sum, UInt64),
    cost_nanos SimpleAggregateFunction(sum, Int64),
    latency_ms AggregateFunction(quantilesTDigest(${LATENCY_QUANTILES}), Float64),
    ttft_ms AggregateFunction(quantilesTDigest(${LATENCY_QUANTILES}), Float64),
    retention_days SimpleAggregateFunction(max, UInt16),
    first_event_at SimpleAggregateFunction(min, ${EVENT_COLUMNS.ts}),
    last_event_at SimpleAggregateFunction(max, ${EVENT_COLUMNS.ts})`;

function rollupTable(
  table: string,
  dimensions: readonly (EventColumn | 'bucket')[] = ROLLUP_DIMENSIONS,
): string {
  const columns = dimensions.map(
    (name) => `    ${name} ${name === 'bucket' ? "DateTime('UTC')" : EVENT_COLUMNS[name]},`,
  );
  return `CREATE TABLE IF NOT EXISTS ${table}
(
${columns.join('\n')}
${ROLLUP_AGGREGATES}
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (${dimensions.join(', ')})
TTL bucket + toIntervalDay(retention_days)
SETTINGS ${DEDUPLICATION}`;
}

/**
 * The hourly rollup is the only view that aggregates raw events. The daily
 * rollup and the project summary are fed from the hourly rollup's rows (views
 * chained on `events_hourly`, merging its states with -Merge/-MergeState),
 * not from `events` again: an insert of N events aggregates N rows once, and
 * the other two aggregate only the (usually far fewer) hourly groups.
 */
const hourlyView = `CREATE MATERIALIZED VIEW IF NOT EXISTS events_hourly_mv TO events_hourly AS
SELECT
    org_id,
    project_id,
    toStartOfHour(ts) AS bucket,
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
    max(retention_days) AS retention_days,
    min(ts) AS first_event_at,
    max(ts) AS last_event_at
FROM events
GROUP BY ${ROLLUP_DIMENSIONS.join(', ')}`;

/** How a coarser rollup merges the rows of a finer one (the daily rollups from the hourly one). */
const ROLLUP_MERGES = `sum(requests) AS requests,
    sum(errors) AS errors,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cached_tokens) AS cached_tokens,
    sum(cost_nanos) AS cost_nanos,
    quantilesTDigestMergeState(${LATENCY_QUANTILES})(latency_ms) AS latency_ms,
    quantilesTDigestMergeState(${LATENCY_QUANTILES})(ttft_ms) AS ttft_ms,
    max(retention_days) AS retention_days,
    min(first_event_at) AS first_event_at,
    max(last_event_at) AS last_event_at`;

const dailyView = `CREATE MATERIALIZED VIEW IF NOT EXISTS events_daily_mv TO events_daily AS
SELECT
    org_id,
    project_id,
    toStartOfDay(events_hourly.bucket) AS bucket,
    event_type,
    operation,
    provider,
    model,
    service,
    name,
    status,
    ${ROLLUP_MERGES}
FROM events_hourly
GROUP BY ${ROLLUP_DIMENSIONS.join(', ')}`;

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
    sum(requests) AS events,
    sum(errors) AS errors,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cached_tokens) AS cached_tokens,
    sum(cost_nanos) AS cost_nanos,
    min(first_event_at) AS first_event_at,
    max(last_event_at) AS last_event_at
FROM events_hourly
GROUP BY org_id, project_id`;

/**
 * The daily rollup without service, method and status: the dashboard's reads
 * (totals, cost and latency by model, provider, operation, project or day,
 * chargeback) that filter on none of those read ~20× fewer rows here than in
 * `events_daily` (10 million events: 115k daily rows for the largest org,
 * 6k here), and merging latency states is what such reads spend their time on.
 */
export const MODEL_ROLLUP_DIMENSIONS = [
  'org_id',
  'project_id',
  'bucket',
  'event_type',
  'operation',
  'provider',
  'model',
] as const;

/** Every column of a rollup row, for reads that union rollups of different dimensions. */
export const MODEL_ROLLUP_COLUMNS = [
  ...MODEL_ROLLUP_DIMENSIONS,
  'requests',
  'errors',
  'input_tokens',
  'output_tokens',
  'cached_tokens',
  'cost_nanos',
  'latency_ms',
  'ttft_ms',
  'retention_days',
  'first_event_at',
  'last_event_at',
] as const;

/** `events_daily` rows merged to the model rollup's dimensions (its view, and its backfill). */
const modelRollupSelect = (where: string) => `SELECT
    ${MODEL_ROLLUP_DIMENSIONS.join(',\n    ')},
    ${ROLLUP_MERGES}
FROM events_daily${where}
GROUP BY ${MODEL_ROLLUP_DIMENSIONS.join(', ')}`;

/**
 * Fills the model rollup from the daily rollup of a store that existed before
 * it, once: only while it is empty, so running the migration again (after an
 * interruption) adds nothing. It runs before the view exists, at start-up,
 * before the server takes events; events another process inserts between the
 * two statements would be missing from this rollup only.
 */
const modelRollupBackfill = `INSERT INTO events_daily_by_model
${modelRollupSelect('\nWHERE (SELECT count() FROM events_daily_by_model) = 0')}`;

/** Chained on `events_daily` (itself fed by the hourly rollup), like the project summary. */
const modelRollupView = `CREATE MATERIALIZED VIEW IF NOT EXISTS events_daily_by_model_mv TO events_daily_by_model AS
${modelRollupSelect('')}`;

/**
 * Error messages per hour and dimension, for "the most frequent errors": the
 * events table would be read whole for the range (every granule holds some
 * failures) to find them; here only the failures' groups are. Messages are cut
 * at 500 characters, as the query shows them.
 */
const errorMessagesTable = `CREATE TABLE IF NOT EXISTS error_messages_hourly
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
    message String CODEC(ZSTD(1)),
    occurrences SimpleAggregateFunction(sum, UInt64),
    last_seen SimpleAggregateFunction(max, ${EVENT_COLUMNS.ts}),
    example_event_id AggregateFunction(argMax, String, ${EVENT_COLUMNS.ts}),
    retention_days SimpleAggregateFunction(max, UInt16)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (org_id, project_id, bucket, event_type, operation, provider, model, service, name, message)
TTL bucket + toIntervalDay(retention_days)
SETTINGS ${DEDUPLICATION}`;

const errorMessagesSelect = (where: string) => `SELECT
    org_id,
    project_id,
    toStartOfHour(ts) AS bucket,
    event_type,
    operation,
    provider,
    model,
    service,
    name,
    left(error_message, 500) AS message,
    count() AS occurrences,
    max(ts) AS last_seen,
    argMaxState(event_id, ts) AS example_event_id,
    max(retention_days) AS retention_days
FROM events
WHERE status NOT IN ${OK_STATUSES} AND error_message != ''${where}
GROUP BY org_id, project_id, bucket, event_type, operation, provider, model, service, name, message`;

/** As `modelRollupBackfill`: once, while empty, before the view exists. */
const errorMessagesBackfill = `INSERT INTO error_messages_hourly
${errorMessagesSelect('\n    AND (SELECT count() FROM error_messages_hourly) = 0')}`;

const errorMessagesView = `CREATE MATERIALIZED VIEW IF NOT EXISTS error_messages_hourly_mv TO error_messages_hourly AS
${errorMessagesSelect('')}`;

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
      hourlyView,
      // Chained on events_hourly: created after it, so a view never lacks its source or target.
      rollupTable('events_daily'),
      dailyView,
      projectSummaryTable,
      projectSummaryView,
    ],
  },
  {
    version: 2,
    description: 'daily rollup by model (without service, method and status) for dashboard reads',
    statements: [
      rollupTable('events_daily_by_model', MODEL_ROLLUP_DIMENSIONS),
      modelRollupBackfill,
      modelRollupView,
    ],
  },
  {
    version: 3,
    description: 'error messages per hour, for the most frequent errors',
    statements: [errorMessagesTable, errorMessagesBackfill, errorMessagesView],
  },
  {
    version: 4,
    description: 'usage detail of the cost: cache writes by duration, reasoning, tier, image size',
    statements: USAGE_DETAIL_COLUMNS.map(
      (name) => `ALTER TABLE events ADD COLUMN IF NOT EXISTS ${name} ${EVENT_COLUMNS[name]}`,
    ),
  },
  {
    version: 5,
    description: 'which sides of a call usage a tokenizer estimated',
    statements: [
      `ALTER TABLE events ADD COLUMN IF NOT EXISTS estimated_usage ${EVENT_COLUMNS.estimated_usage}`,
    ],
  },
  {
    version: 6,
    description: 'where the cost of each event came from (catalogue, override, reported, cache)',
    statements: [
      `ALTER TABLE events ADD COLUMN IF NOT EXISTS cost_source ${EVENT_COLUMNS.cost_source}`,
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
  'events_daily_by_model',
  'events_daily_by_model_mv',
  'error_messages_hourly',
  'error_messages_hourly_mv',
] as const;
