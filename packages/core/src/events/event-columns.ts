/**
 * The storage columns of an event, in table order, with their ClickHouse type.
 * The DDL of the `events` table is generated from this list; a test keeps it
 * in step with the zod schemas of `event-schema.ts`.
 */
export const EVENT_COLUMNS = {
  event_id: 'String',
  parent_id: 'String',
  run_id: 'String',
  org_id: 'LowCardinality(String)',
  project_id: 'LowCardinality(String)',
  user_id: 'String',
  session_id: 'String',
  request_id: 'String',
  ts: "DateTime64(3, 'UTC')",
  event_type: 'LowCardinality(String)',
  name: 'String',
  service: 'LowCardinality(String)',
  env: 'LowCardinality(String)',
  tags: 'Array(LowCardinality(String))',
  status: 'LowCardinality(String)',
  latency_ms: 'Float64',
  metadata: 'String CODEC(ZSTD(1))',
  retention_days: 'UInt16',
  operation: 'LowCardinality(String)',
  provider: 'LowCardinality(String)',
  model: 'LowCardinality(String)',
  model_requested: 'LowCardinality(String)',
  input: 'String CODEC(ZSTD(3))',
  output: 'String CODEC(ZSTD(3))',
  input_tokens: 'UInt32',
  output_tokens: 'UInt32',
  cached_tokens: 'UInt32',
  cost_nanos: 'Int64',
  cost_unpriced: 'UInt8',
  ttft_ms: 'Float64',
  prompt_name: 'LowCardinality(String)',
  prompt_version: 'UInt32',
  cache_hit: 'UInt8',
  attempts: 'UInt16',
  providers_tried: 'Array(LowCardinality(String))',
  image_count: 'UInt32',
  video_duration_seconds: 'Float64',
  error_message: 'String CODEC(ZSTD(1))',
  error_type: 'LowCardinality(String)',
  simulated: 'UInt8',
  tool_name: 'LowCardinality(String)',
  step_number: 'UInt32',
  step_name: 'String',
  step_type: 'LowCardinality(String)',
  decision: 'LowCardinality(String)',
  decision_latency_ms: 'Float64',
  generation_latency_ms: 'Float64',
  score: 'Float64',
  reference: 'String CODEC(ZSTD(1))',
  action: 'LowCardinality(String)',
  threshold: 'Float64',
  value: 'Float64',
  // Usage and pricing detail (schema version 4): the record of how the cost was reached.
  cache_write_5m_tokens: 'UInt32',
  cache_write_1h_tokens: 'UInt32',
  reasoning_tokens: 'UInt32',
  service_tier: 'LowCardinality(String)',
  image_size: 'LowCardinality(String)',
  image_quality: 'LowCardinality(String)',
  // Schema version 5: the sides of the usage a tokenizer counted (`input`, `output`).
  estimated_usage: 'Array(LowCardinality(String))',
  // Schema version 6: where the cost came from.
  cost_source: 'LowCardinality(String)',
} as const;

export type EventColumn = keyof typeof EVENT_COLUMNS;

/** One stored event: every column present, as written to and read from the store. */
export interface EventRow {
  event_id: string;
  parent_id: string;
  run_id: string;
  org_id: string;
  project_id: string;
  user_id: string;
  session_id: string;
  request_id: string;
  /** `YYYY-MM-DD hh:mm:ss.SSS`, UTC. */
  ts: string;
  event_type: string;
  name: string;
  service: string;
  env: string;
  tags: string[];
  status: string;
  latency_ms: number;
  metadata: string;
  retention_days: number;
  operation: string;
  provider: string;
  model: string;
  model_requested: string;
  input: string;
  output: string;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_nanos: number;
  cost_unpriced: number;
  ttft_ms: number;
  prompt_name: string;
  prompt_version: number;
  cache_hit: number;
  attempts: number;
  providers_tried: string[];
  image_count: number;
  video_duration_seconds: number;
  error_message: string;
  error_type: string;
  simulated: number;
  tool_name: string;
  step_number: number;
  step_name: string;
  step_type: string;
  decision: string;
  decision_latency_ms: number;
  generation_latency_ms: number;
  score: number;
  reference: string;
  action: string;
  threshold: number;
  value: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
  service_tier: string;
  image_size: string;
  image_quality: string;
  estimated_usage: string[];
  /** `catalogue`, `override`, `global-override`, `reported` (the client's figure), `cache` or empty (unpriced / no model). */
  cost_source: string;
}
