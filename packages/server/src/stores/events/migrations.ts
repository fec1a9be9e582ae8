/**
 * The event store's released migrations, frozen as the literal SQL they ran
 * (one file, long because it is the whole schema). The same statements run on
 * chDB (embedded) and on a ClickHouse server; `migrator.ts` applies those newer
 * than the version recorded in `schema_version`, and start-up checks the
 * `events` columns they made against the event model (`checkEventColumns`).
 *
 * Rules: never edit a released migration, even to follow a change elsewhere
 * (the SQL is deliberately not built from `EVENT_COLUMNS`, so changing the
 * event model cannot change what an old migration did); append a new one for
 * every change. Every statement must be idempotent (`IF NOT EXISTS`, `ADD
 * COLUMN IF NOT EXISTS`), because a migration interrupted half-way is run again
 * from its start. A fresh database gets every column from migration 1's CREATE
 * (later `ADD COLUMN IF NOT EXISTS` are then no-ops); the materialized views
 * are created after their target tables, so no insert finds a view without its
 * table. `non_replicated_deduplication_window` lets the spool's replay of a
 * batch (same `insert_deduplication_token`) be stored once, on the views'
 * target tables too.
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

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, tool calls, agent steps, hourly and daily rollups, project summary',
    statements: [
      `CREATE TABLE IF NOT EXISTS events
(
    event_id String,
    parent_id String,
    run_id String,
    org_id LowCardinality(String),
    project_id LowCardinality(String),
    user_id String,
    session_id String,
    request_id String,
    ts DateTime64(3, 'UTC'),
    event_type LowCardinality(String),
    name String,
    service LowCardinality(String),
    env LowCardinality(String),
    tags Array(LowCardinality(String)),
    status LowCardinality(String),
    latency_ms Float64,
    metadata String CODEC(ZSTD(1)),
    retention_days UInt16,
    operation LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    model_requested LowCardinality(String),
    input String CODEC(ZSTD(3)),
    output String CODEC(ZSTD(3)),
    input_tokens UInt32,
    output_tokens UInt32,
    cached_tokens UInt32,
    cost_nanos Int64,
    cost_unpriced UInt8,
    ttft_ms Float64,
    prompt_name LowCardinality(String),
    prompt_version UInt32,
    cache_hit UInt8,
    attempts UInt16,
    providers_tried Array(LowCardinality(String)),
    image_count UInt32,
    video_duration_seconds Float64,
    error_message String CODEC(ZSTD(1)),
    error_type LowCardinality(String),
    simulated UInt8,
    tool_name LowCardinality(String),
    step_number UInt32,
    step_name String,
    step_type LowCardinality(String),
    decision LowCardinality(String),
    decision_latency_ms Float64,
    generation_latency_ms Float64,
    score Float64,
    reference String CODEC(ZSTD(1)),
    action LowCardinality(String),
    threshold Float64,
    value Float64,
    cache_write_5m_tokens UInt32,
    cache_write_1h_tokens UInt32,
    reasoning_tokens UInt32,
    service_tier LowCardinality(String),
    image_size LowCardinality(String),
    image_quality LowCardinality(String),
    estimated_usage Array(LowCardinality(String)),
    cost_source LowCardinality(String),
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
TTL toDateTime(ts) + toIntervalDay(retention_days)
SETTINGS non_replicated_deduplication_window = 10000`,
      `CREATE TABLE IF NOT EXISTS tool_calls
(
    org_id LowCardinality(String),
    project_id LowCardinality(String),
    event_id String,
    parent_id String,
    run_id String,
    ts DateTime64(3, 'UTC'),
    tool_name LowCardinality(String),
    status LowCardinality(String),
    latency_ms Float64,
    input String CODEC(ZSTD(3)),
    output String CODEC(ZSTD(3)),
    error_message String CODEC(ZSTD(1)),
    retention_days UInt16,
    INDEX idx_run_id run_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (org_id, project_id, tool_name, ts, event_id)
TTL toDateTime(ts) + toIntervalDay(retention_days)
SETTINGS non_replicated_deduplication_window = 10000`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS tool_calls_mv TO tool_calls AS
SELECT org_id, project_id, event_id, parent_id, run_id, ts, tool_name, status, latency_ms, input, output, error_message, retention_days
FROM events
WHERE event_type = 'tool_call'`,
      `CREATE TABLE IF NOT EXISTS agent_steps
(
    org_id LowCardinality(String),
    project_id LowCardinality(String),
    event_id String,
    parent_id String,
    run_id String,
    ts DateTime64(3, 'UTC'),
    step_number UInt32,
    step_name String,
    step_type LowCardinality(String),
    status LowCardinality(String),
    latency_ms Float64,
    input String CODEC(ZSTD(3)),
    output String CODEC(ZSTD(3)),
    error_message String CODEC(ZSTD(1)),
    retention_days UInt16,
    INDEX idx_run_id run_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (org_id, project_id, step_name, ts, event_id)
TTL toDateTime(ts) + toIntervalDay(retention_days)
SETTINGS non_replicated_deduplication_window = 10000`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS agent_steps_mv TO agent_steps AS
SELECT org_id, project_id, event_id, parent_id, run_id, ts, step_number, step_name, step_type, status, latency_ms, input, output, error_message, retention_days
FROM events
WHERE event_type = 'agent_step'`,
      `CREATE TABLE IF NOT EXISTS events_hourly
(
    org_id LowCardinality(String),
    project_id LowCardinality(String),
    bucket DateTime('UTC'),
    event_type LowCardinality(String),
    operation LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    service LowCardinality(String),
    name String,
    status LowCardinality(String),
    requests SimpleAggregateFunction(sum, UInt64),
    errors SimpleAggregateFunction(sum, UInt64),
    input_tokens SimpleAggregateFunction(sum, UInt64),
    output_tokens SimpleAggregateFunction(sum, UInt64),
    cached_tokens SimpleAggregateFunction(sum, UInt64),
    cost_nanos SimpleAggregateFunction(sum, Int64),
    latency_ms AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    ttft_ms AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    retention_days SimpleAggregateFunction(max, UInt16),
    first_event_at SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_event_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (org_id, project_id, bucket, event_type, operation, provider, model, service, name, status)
TTL bucket + toIntervalDay(retention_days)
SETTINGS non_replicated_deduplication_window = 10000`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS events_hourly_mv TO events_hourly AS
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
    countIf(status NOT IN ('success', 'cached')) AS errors,
    sum(toUInt64(input_tokens)) AS input_tokens,
    sum(toUInt64(output_tokens)) AS output_tokens,
    sum(toUInt64(cached_tokens)) AS cached_tokens,
    sum(cost_nanos) AS cost_nanos,
    quantilesTDigestState(0.5, 0.95, 0.99)(latency_ms) AS latency_ms,
    quantilesTDigestStateIf(0.5, 0.95, 0.99)(ttft_ms, ttft_ms > 0) AS ttft_ms,
    max(retention_days) AS retention_days,
    min(ts) AS first_event_at,
    max(ts) AS last_event_at
FROM events
GROUP BY org_id, project_id, bucket, event_type, operation, provider, model, service, name, status`,
      `CREATE TABLE IF NOT EXISTS events_daily
(
    org_id LowCardinality(String),
    project_id LowCardinality(String),
    bucket DateTime('UTC'),
    event_type LowCardinality(String),
    operation LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    service LowCardinality(String),
    name String,
    status LowCardinality(String),
    requests SimpleAggregateFunction(sum, UInt64),
    errors SimpleAggregateFunction(sum, UInt64),
    input_tokens SimpleAggregateFunction(sum, UInt64),
    output_tokens SimpleAggregateFunction(sum, UInt64),
    cached_tokens SimpleAggregateFunction(sum, UInt64),
    cost_nanos SimpleAggregateFunction(sum, Int64),
    latency_ms AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    ttft_ms AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    retention_days SimpleAggregateFunction(max, UInt16),
    first_event_at SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_event_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (org_id, project_id, bucket, event_type, operation, provider, model, service, name, status)
TTL bucket + toIntervalDay(retention_days)
SETTINGS non_replicated_deduplication_window = 10000`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS events_daily_mv TO events_daily AS
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
    sum(requests) AS requests,
    sum(errors) AS errors,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cached_tokens) AS cached_tokens,
    sum(cost_nanos) AS cost_nanos,
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(latency_ms) AS latency_ms,
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(ttft_ms) AS ttft_ms,
    max(retention_days) AS retention_days,
    min(first_event_at) AS first_event_at,
    max(last_event_at) AS last_event_at
FROM events_hourly
GROUP BY org_id, project_id, bucket, event_type, operation, provider, model, service, name, status`,
      `CREATE TABLE IF NOT EXISTS project_summary
(
    org_id LowCardinality(String),
    project_id LowCardinality(String),
    events SimpleAggregateFunction(sum, UInt64),
    errors SimpleAggregateFunction(sum, UInt64),
    input_tokens SimpleAggregateFunction(sum, UInt64),
    output_tokens SimpleAggregateFunction(sum, UInt64),
    cached_tokens SimpleAggregateFunction(sum, UInt64),
    cost_nanos SimpleAggregateFunction(sum, Int64),
    first_event_at SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_event_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (org_id, project_id)
SETTINGS non_replicated_deduplication_window = 10000`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS project_summary_mv TO project_summary AS
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
GROUP BY org_id, project_id`,
    ],
  },
  {
    version: 2,
    description: 'daily rollup by model (without service, method and status) for dashboard reads',
    statements: [
      `CREATE TABLE IF NOT EXISTS events_daily_by_model
(
    org_id LowCardinality(String),
    project_id LowCardinality(String),
    bucket DateTime('UTC'),
    event_type LowCardinality(String),
    operation LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    requests SimpleAggregateFunction(sum, UInt64),
    errors SimpleAggregateFunction(sum, UInt64),
    input_tokens SimpleAggregateFunction(sum, UInt64),
    output_tokens SimpleAggregateFunction(sum, UInt64),
    cached_tokens SimpleAggregateFunction(sum, UInt64),
    cost_nanos SimpleAggregateFunction(sum, Int64),
    latency_ms AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    ttft_ms AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    retention_days SimpleAggregateFunction(max, UInt16),
    first_event_at SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_event_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (org_id, project_id, bucket, event_type, operation, provider, model)
TTL bucket + toIntervalDay(retention_days)
SETTINGS non_replicated_deduplication_window = 10000`,
      `INSERT INTO events_daily_by_model
SELECT
    org_id,
    project_id,
    bucket,
    event_type,
    operation,
    provider,
    model,
    sum(requests) AS requests,
    sum(errors) AS errors,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cached_tokens) AS cached_tokens,
    sum(cost_nanos) AS cost_nanos,
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(latency_ms) AS latency_ms,
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(ttft_ms) AS ttft_ms,
    max(retention_days) AS retention_days,
    min(first_event_at) AS first_event_at,
    max(last_event_at) AS last_event_at
FROM events_daily
WHERE (SELECT count() FROM events_daily_by_model) = 0
GROUP BY org_id, project_id, bucket, event_type, operation, provider, model`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS events_daily_by_model_mv TO events_daily_by_model AS
SELECT
    org_id,
    project_id,
    bucket,
    event_type,
    operation,
    provider,
    model,
    sum(requests) AS requests,
    sum(errors) AS errors,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cached_tokens) AS cached_tokens,
    sum(cost_nanos) AS cost_nanos,
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(latency_ms) AS latency_ms,
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(ttft_ms) AS ttft_ms,
    max(retention_days) AS retention_days,
    min(first_event_at) AS first_event_at,
    max(last_event_at) AS last_event_at
FROM events_daily
GROUP BY org_id, project_id, bucket, event_type, operation, provider, model`,
    ],
  },
  {
    version: 3,
    description: 'error messages per hour, for the most frequent errors',
    statements: [
      `CREATE TABLE IF NOT EXISTS error_messages_hourly
(
    org_id LowCardinality(String),
    project_id LowCardinality(String),
    bucket DateTime('UTC'),
    event_type LowCardinality(String),
    operation LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    service LowCardinality(String),
    name String,
    message String CODEC(ZSTD(1)),
    occurrences SimpleAggregateFunction(sum, UInt64),
    last_seen SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    example_event_id AggregateFunction(argMax, String, DateTime64(3, 'UTC')),
    retention_days SimpleAggregateFunction(max, UInt16)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (org_id, project_id, bucket, event_type, operation, provider, model, service, name, message)
TTL bucket + toIntervalDay(retention_days)
SETTINGS non_replicated_deduplication_window = 10000`,
      `INSERT INTO error_messages_hourly
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
    left(error_message, 500) AS message,
    count() AS occurrences,
    max(ts) AS last_seen,
    argMaxState(event_id, ts) AS example_event_id,
    max(retention_days) AS retention_days
FROM events
WHERE status NOT IN ('success', 'cached') AND error_message != ''
    AND (SELECT count() FROM error_messages_hourly) = 0
GROUP BY org_id, project_id, bucket, event_type, operation, provider, model, service, name, message`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS error_messages_hourly_mv TO error_messages_hourly AS
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
    left(error_message, 500) AS message,
    count() AS occurrences,
    max(ts) AS last_seen,
    argMaxState(event_id, ts) AS example_event_id,
    max(retention_days) AS retention_days
FROM events
WHERE status NOT IN ('success', 'cached') AND error_message != ''
GROUP BY org_id, project_id, bucket, event_type, operation, provider, model, service, name, message`,
    ],
  },
  {
    version: 4,
    description: 'usage detail of the cost: cache writes by duration, reasoning, tier, image size',
    statements: [
      `ALTER TABLE events ADD COLUMN IF NOT EXISTS cache_write_5m_tokens UInt32`,
      `ALTER TABLE events ADD COLUMN IF NOT EXISTS cache_write_1h_tokens UInt32`,
      `ALTER TABLE events ADD COLUMN IF NOT EXISTS reasoning_tokens UInt32`,
      `ALTER TABLE events ADD COLUMN IF NOT EXISTS service_tier LowCardinality(String)`,
      `ALTER TABLE events ADD COLUMN IF NOT EXISTS image_size LowCardinality(String)`,
      `ALTER TABLE events ADD COLUMN IF NOT EXISTS image_quality LowCardinality(String)`,
    ],
  },
  {
    version: 5,
    description: 'which sides of a call usage a tokenizer estimated',
    statements: [
      `ALTER TABLE events ADD COLUMN IF NOT EXISTS estimated_usage Array(LowCardinality(String))`,
    ],
  },
  {
    version: 6,
    description: 'where the cost of each event came from (catalogue, override, reported, cache)',
    statements: [`ALTER TABLE events ADD COLUMN IF NOT EXISTS cost_source LowCardinality(String)`],
  },
];
