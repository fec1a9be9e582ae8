import { createEventId, eventTimeFromId } from '../ids';
import type { Prices } from '../pricing';
import type { EventRow } from './event-columns';
import type { EventStatus, ParsedEventInput } from './event-schema';
import { eventCostOf, eventUsageOf, type EventCost } from './event-usage';
import { toStorableJson, toStorableText } from './storable-text';

/** Who an event belongs to: set by the server from the caller's key, never by the client. */
export interface EventTenant {
  orgId: string;
  projectId: string;
  retentionDays: number;
  /**
   * The org's prices: its price list (catalogue, operator's global overrides,
   * org overrides) as the server builds it, or bare org overrides over the
   * shipped catalogue.
   */
  priceOverrides?: Prices;
}

const FAILURE_TYPES = new Set(['error', 'assertion_failed', 'hallucination_detected']);

/** Formats epoch milliseconds as ClickHouse's `DateTime64(3)` text, in UTC. */
export function formatEventTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** Parses `YYYY-MM-DD hh:mm:ss.SSS` (UTC) back to epoch milliseconds. */
export function parseEventTime(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

function contentText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : toStorableJson(value);
}

/** An event's time (epoch ms): its `ts`, else the time in its `event_id`, else `now`. */
export function eventTime(input: ParsedEventInput, now: number): number {
  if (typeof input.ts === 'number') return input.ts;
  if (typeof input.ts === 'string') return Date.parse(input.ts);
  if (input.event_id) return eventTimeFromId(input.event_id);
  return now;
}

function defaultStatus(input: ParsedEventInput): EventStatus {
  if (FAILURE_TYPES.has(input.event_type)) return 'error';
  if ('error_message' in input && input.error_message) return 'error';
  return 'success';
}

/**
 * Turns a validated client event into a complete storage row: tenant fields
 * from the key, an id and a time, defaults for unused columns, and cost from
 * the server's prices (see `eventCostOf`), or `knownCost` when the server
 * priced it already (the gateway's own calls). Throws `EventUsageError` for
 * usage that does not add up.
 */
export function buildEventRow(
  input: ParsedEventInput,
  tenant: EventTenant,
  now: number = Date.now(),
  knownCost?: EventCost,
): EventRow {
  const time = eventTime(input, now);
  const fields = input as Partial<Record<string, unknown>>;
  const number = (key: string): number =>
    typeof fields[key] === 'number' ? (fields[key] as number) : 0;
  const text = (key: string): string =>
    typeof fields[key] === 'string' ? (fields[key] as string) : '';

  const usage = eventUsageOf(fields);
  const cost = knownCost ?? eventCostOf(fields, usage, tenant.priceOverrides);

  return storableRow({
    event_id: (input.event_id ?? createEventId(time)).toUpperCase(),
    parent_id: input.parent_id ?? '',
    run_id: input.run_id ?? '',
    org_id: tenant.orgId,
    project_id: tenant.projectId,
    user_id: input.user_id ?? '',
    session_id: input.session_id ?? '',
    request_id: input.request_id ?? '',
    ts: formatEventTime(time),
    event_type: input.event_type,
    name: input.name ?? '',
    service: input.service ?? '',
    env: input.env ?? '',
    tags: input.tags ?? [],
    status: input.status ?? defaultStatus(input),
    latency_ms: input.latency_ms ?? 0,
    metadata: input.metadata ? toStorableJson(input.metadata) : '',
    retention_days: tenant.retentionDays,
    operation: text('operation') || (input.event_type === 'prompt_call' ? 'chat' : ''),
    provider: text('provider'),
    model: text('model'),
    model_requested: text('model_requested'),
    input: contentText(fields.input),
    output: contentText(fields.output),
    input_tokens: usage.usage.inputTokens,
    output_tokens: usage.usage.outputTokens,
    cached_tokens: usage.usage.cachedInputTokens ?? 0,
    cost_nanos: cost.costNanos,
    cost_unpriced: cost.unpriced,
    ttft_ms: number('ttft_ms'),
    prompt_name: text('prompt_name'),
    prompt_version: number('prompt_version'),
    cache_hit: fields.cache_hit === true ? 1 : 0,
    attempts: number('attempts'),
    providers_tried: Array.isArray(fields.providers_tried)
      ? (fields.providers_tried as string[])
      : [],
    image_count: number('image_count'),
    video_duration_seconds: number('video_duration_seconds'),
    error_message: text('error_message'),
    error_type: text('error_type'),
    simulated: fields.simulated === true ? 1 : 0,
    tool_name: text('tool_name'),
    step_number: number('step_number'),
    step_name: text('step_name'),
    step_type: text('step_type'),
    decision: text('decision'),
    decision_latency_ms: number('decision_latency_ms'),
    generation_latency_ms: number('generation_latency_ms'),
    score: number('score'),
    reference: text('reference'),
    action: text('action'),
    threshold: number('threshold'),
    value: number('value'),
    cache_write_5m_tokens: usage.usage.cacheWrite5mTokens ?? 0,
    cache_write_1h_tokens: usage.usage.cacheWrite1hTokens ?? 0,
    reasoning_tokens: usage.usage.reasoningTokens ?? 0,
    service_tier: text('service_tier'),
    image_size: text('image_size'),
    image_quality: text('image_quality'),
    estimated_usage: Array.isArray(fields.estimated_usage)
      ? (fields.estimated_usage as string[])
      : [],
    cost_source: cost.source,
  });
}

/**
 * The row with every string storable: ingested events were refused for
 * unstorable text already (a no-op for them); the gateway's own records of a
 * user's prompt get unpaired surrogates replaced and NULs removed, so the
 * call is still recorded (see storable-text.ts).
 */
function storableRow(row: EventRow): EventRow {
  const fields = row as unknown as Record<string, unknown>;
  for (const key in fields) {
    const value = fields[key];
    if (typeof value === 'string') fields[key] = toStorableText(value);
    else if (Array.isArray(value)) {
      fields[key] = value.map((item) => (typeof item === 'string' ? toStorableText(item) : item));
    }
  }
  return row;
}
