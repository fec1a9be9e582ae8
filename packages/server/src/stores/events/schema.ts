import { MIGRATIONS } from './migrations';

export { MIGRATIONS, type Migration } from './migrations';

/**
 * What the rest of the event store needs to know of its schema (the schema
 * itself is the frozen SQL of `migrations.ts`).
 */

/** Tables that record the schema; created before any migration runs. */
export const SCHEMA_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version
(
    version UInt32,
    applied_at DateTime('UTC')
)
ENGINE = MergeTree
ORDER BY version`;

/** Quantiles kept in the rollups' latency states (migration 1's t-digest states). */
export const LATENCY_QUANTILES = '0.5, 0.95, 0.99';

/** Every column of a daily-by-model rollup row, for reads that union rollups of different dimensions. */
export const MODEL_ROLLUP_COLUMNS = [
  'org_id',
  'project_id',
  'bucket',
  'event_type',
  'operation',
  'provider',
  'model',
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
