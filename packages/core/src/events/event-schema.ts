import { z } from 'zod';
import { isEventId } from '../ids';

/**
 * The event model: one definition, from which the TypeScript types, the JSON
 * Schema (see `eventJsonSchema`) and the ClickHouse column list
 * (`event-columns.ts`, kept in step by a test) derive.
 *
 * Field names are the storage column names. Fields a type does not use are
 * simply absent; the row builder fills the column's default.
 */

export const EVENT_TYPES = [
  'prompt_call',
  'tool_call',
  'agent_step',
  'ai_fallback',
  'error',
  'assertion_failed',
  'hallucination_detected',
  'cost_threshold_exceeded',
  'performance_alert',
  'guardrail',
  'custom',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_STATUSES = [
  'success',
  'error',
  'timeout',
  'rate_limited',
  'blocked',
  'cached',
] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const USAGE_CONVENTIONS = ['input_includes_cached', 'input_excludes_cached'] as const;
export type UsageConvention = (typeof USAGE_CONVENTIONS)[number];

export const OPERATION_KINDS = [
  'chat',
  'completion',
  'embedding',
  'image',
  'video',
  'moderation',
] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/** The sides of a call's usage that can be estimated rather than reported. */
export const ESTIMATED_USAGE_PARTS = ['input', 'output'] as const;
export type EstimatedUsagePart = (typeof ESTIMATED_USAGE_PARTS)[number];

const MAX_ID = 128;
const MAX_LABEL = 256;
const MAX_TEXT = 1_000_000;
const MAX_LATENCY_MS = 86_400_000;
const MAX_TOKENS = 100_000_000;

const identifier = z.string().min(1).max(MAX_ID);
const label = z.string().max(MAX_LABEL);
const tokenCount = z.number().int().nonnegative().max(MAX_TOKENS);
const milliseconds = z.number().nonnegative().max(MAX_LATENCY_MS);
const usd = z.number().nonnegative().max(1_000_000);

/**
 * Free text or any JSON value; stored as text (JSON values are serialized).
 * A string over the limit is refused (not taken as "any JSON value"); the
 * size of a JSON value is checked by `checkEventInput`, which bounds its depth first.
 */
const content = z
  .unknown()
  .refine(
    (value) => typeof value !== 'string' || value.length <= MAX_TEXT,
    `must be at most ${MAX_TEXT} characters`,
  );

const ulid = z
  .string()
  .refine(isEventId, 'must be a ULID: 26 Crockford base32 characters, the first from 0 to 7');

/** Event time: ISO-8601 with offset, or epoch milliseconds. */
const timestamp = z.union([
  z.iso.datetime({ offset: true }),
  z.number().int().min(0).max(253_402_300_799_999),
]);

const commonFields = {
  event_id: ulid.optional(),
  parent_id: identifier.optional(),
  run_id: identifier.optional(),
  user_id: label.optional(),
  session_id: label.optional(),
  request_id: label.optional(),
  ts: timestamp.optional(),
  name: z.string().max(512).optional(),
  service: label.optional(),
  env: label.optional(),
  tags: z.array(label).max(64).optional(),
  status: z.enum(EVENT_STATUSES).optional(),
  latency_ms: milliseconds.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
};

const modelUsageFields = {
  provider: label.optional(),
  model: label.optional(),
  input_tokens: tokenCount.optional(),
  output_tokens: tokenCount.optional(),
  /** Cache reads. */
  cached_tokens: tokenCount.optional(),
  /** Prompt-cache writes with a 5-minute lifetime. */
  cache_write_5m_tokens: tokenCount.optional(),
  /** Prompt-cache writes with a 1-hour lifetime. */
  cache_write_1h_tokens: tokenCount.optional(),
  /** Reasoning / thinking tokens, part of `output_tokens`. */
  reasoning_tokens: tokenCount.optional(),
  /**
   * Whether `input_tokens` already counts the cache reads and writes (OpenAI,
   * Gemini; the default) or not (Anthropic's `usage.input_tokens`). Stored
   * normalised to `input_includes_cached`.
   */
  usage_convention: z.enum(USAGE_CONVENTIONS).optional(),
  /**
   * The cost as the client computed it. The server prices every model it
   * knows with the org's prices and ignores this; it is kept (marked
   * `reported`) only for models the server cannot price.
   */
  cost_usd: usd.optional(),
};

export const promptCallSchema = z.object({
  ...commonFields,
  ...modelUsageFields,
  event_type: z.literal('prompt_call'),
  operation: z.enum(OPERATION_KINDS).optional(),
  model_requested: label.optional(),
  input: content.optional(),
  output: content.optional(),
  ttft_ms: milliseconds.optional(),
  prompt_name: label.optional(),
  prompt_version: z.number().int().nonnegative().max(1_000_000).optional(),
  cache_hit: z.boolean().optional(),
  attempts: z.number().int().nonnegative().max(1000).optional(),
  providers_tried: z.array(label).max(64).optional(),
  image_count: z.number().int().nonnegative().max(10_000).optional(),
  /** Image size as the API took it (`1024x1024`): image models are priced by size and quality. */
  image_size: label.optional(),
  /** Image quality as the API took it (`standard`, `hd`, `low`, `medium`, `high`). */
  image_quality: label.optional(),
  video_duration_seconds: z.number().nonnegative().max(86_400).optional(),
  /** The provider's service tier (`priority` and `flex` change the price). */
  service_tier: label.optional(),
  error_message: z.string().max(MAX_TEXT).optional(),
  simulated: z.boolean().optional(),
  /** The sides of the usage counted by a tokenizer because the provider never reported them. */
  estimated_usage: z.array(z.enum(ESTIMATED_USAGE_PARTS)).max(2).optional(),
});

export const toolCallSchema = z.object({
  ...commonFields,
  event_type: z.literal('tool_call'),
  tool_name: label,
  input: content.optional(),
  output: content.optional(),
  error_message: z.string().max(MAX_TEXT).optional(),
});

export const agentStepSchema = z.object({
  ...commonFields,
  event_type: z.literal('agent_step'),
  step_number: z.number().int().nonnegative().max(1_000_000),
  step_name: label.optional(),
  step_type: label.optional(),
  input: content.optional(),
  output: content.optional(),
  error_message: z.string().max(MAX_TEXT).optional(),
});

export const aiFallbackSchema = z.object({
  ...commonFields,
  ...modelUsageFields,
  event_type: z.literal('ai_fallback'),
  /** The arguments the missing method was called with. */
  input: content.optional(),
  /** The generated result. */
  output: content.optional(),
  decision: z.enum(['text', 'object']).optional(),
  decision_latency_ms: milliseconds.optional(),
  generation_latency_ms: milliseconds.optional(),
  error_message: z.string().max(MAX_TEXT).optional(),
});

export const errorEventSchema = z.object({
  ...commonFields,
  event_type: z.literal('error'),
  error_message: z.string().max(MAX_TEXT),
  error_type: label.optional(),
  input: content.optional(),
});

export const assertionFailedSchema = z.object({
  ...commonFields,
  event_type: z.literal('assertion_failed'),
  error_message: z.string().max(MAX_TEXT).optional(),
  input: content.optional(),
  output: content.optional(),
});

export const hallucinationDetectedSchema = z.object({
  ...commonFields,
  ...modelUsageFields,
  event_type: z.literal('hallucination_detected'),
  score: z.number().min(0).max(1).optional(),
  reference: z.string().max(MAX_TEXT).optional(),
  input: content.optional(),
  output: content.optional(),
});

export const costThresholdExceededSchema = z.object({
  ...commonFields,
  event_type: z.literal('cost_threshold_exceeded'),
  threshold: z.number().nonnegative(),
  value: z.number().nonnegative(),
});

export const performanceAlertSchema = z.object({
  ...commonFields,
  event_type: z.literal('performance_alert'),
  threshold: z.number(),
  value: z.number(),
  error_message: z.string().max(MAX_TEXT).optional(),
});

export const guardrailSchema = z.object({
  ...commonFields,
  event_type: z.literal('guardrail'),
  /** Similarity score against the flagged reference, 0..1. */
  score: z.number().min(0).max(1).optional(),
  reference: z.string().max(MAX_TEXT).optional(),
  action: z.enum(['allow', 'flag', 'warn', 'redact', 'block']),
  input: content.optional(),
});

export const customEventSchema = z.object({
  ...commonFields,
  event_type: z.literal('custom'),
  input: content.optional(),
  output: content.optional(),
});

/** An event as a client sends it (tenant fields come from the API key). */
export const eventInputSchema = z.discriminatedUnion('event_type', [
  promptCallSchema,
  toolCallSchema,
  agentStepSchema,
  aiFallbackSchema,
  errorEventSchema,
  assertionFailedSchema,
  hallucinationDetectedSchema,
  costThresholdExceededSchema,
  performanceAlertSchema,
  guardrailSchema,
  customEventSchema,
]);

export type EventInput = z.input<typeof eventInputSchema>;
export type ParsedEventInput = z.output<typeof eventInputSchema>;

/** JSON Schema of one ingested event, for the OpenAPI document and SDK users. */
export function eventJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(eventInputSchema, { unrepresentable: 'any' }) as Record<string, unknown>;
}
