import { z } from 'zod';
import { EVENT_COLUMNS, type EventColumn } from '../events/event-columns';
import { isoTime, rangeFields } from './common';

/** A storage column's value as the API shows it, from its ClickHouse type. */
function columnSchema(type: string): z.ZodType {
  if (type.startsWith('Array(')) return z.array(z.string());
  if (/^(U?Int|Float)/.test(type)) return z.number();
  return z.string();
}

/** The columns the API shows differently from how they are stored. */
const PRESENTED = {
  /** ISO-8601. */
  ts: isoTime,
  /** The metadata as JSON (the stored text when it is not JSON). */
  metadata: z.unknown(),
  /** Null when the call is unpriced: its cost is unknown, never 0. */
  cost_nanos: z.number().nullable(),
  cost_unpriced: z.boolean(),
  cache_hit: z.boolean(),
  simulated: z.boolean(),
} as const;

const storedColumns = Object.fromEntries(
  Object.entries(EVENT_COLUMNS)
    .filter(([name]) => !(name in PRESENTED))
    .map(([name, type]) => [name, columnSchema(type)]),
) as {
  [
    Column in Exclude<EventColumn, keyof typeof PRESENTED>
  ]: (typeof EVENT_COLUMNS)[Column] extends `Array(${string}`
    ? z.ZodArray<z.ZodString>
    : (typeof EVENT_COLUMNS)[Column] extends `${'UInt' | 'Int' | 'Float'}${string}`
      ? z.ZodNumber
      : z.ZodString;
};

/** One event as the API shows it (`present-event.ts`): every stored column, ISO time, cost in USD beside the nanos. */
export const EventResponse = z.object({
  ...storedColumns,
  ...PRESENTED,
  /** What the gateway's response cache did; null for a call that did not pass it. */
  cache_status: z.enum(['hit', 'miss', 'bypass']).nullable(),
  /** USD as a number (display only); null when unpriced. */
  cost_usd: z.number().nullable(),
});

/** `GET /api/v1/events`: a page of events, newest first. */
export const EventsListResponse = z.object({
  ...rangeFields,
  events: z.array(EventResponse),
  /** Pass as `cursor` for the next page; null on the last. */
  next_cursor: z.string().nullable(),
});

/** `GET /api/v1/events/:eventId`: one event with its usage, price, guardrails and run. */
export const EventDetailResponse = z.object({
  event: EventResponse,
  tokens: z.object({
    input: z.number(),
    output: z.number(),
    cached_input: z.number(),
    cache_write_5m: z.number(),
    cache_write_1h: z.number(),
    reasoning: z.number(),
    estimated: z.array(z.string()),
  }),
  /** Model calls only. */
  price: z
    .object({
      cost_source: z.string().nullable(),
      unpriced: z.boolean(),
      service_tier: z.string().nullable(),
      current: z
        .object({
          matched: z.string(),
          source: z.string(),
          provider: z.string(),
          usd_per_million_tokens_or_unit: z.record(z.string(), z.unknown()),
        })
        .nullable(),
    })
    .nullable(),
  guardrails: z.array(
    z.object({
      event_id: z.string(),
      reference: z.string(),
      score: z.number(),
      threshold: z.number(),
      action: z.string(),
      status: z.string(),
    }),
  ),
  run: z.object({ run_id: z.string(), events: z.number(), position: z.number() }).nullable(),
  content: z.object({ stored: z.boolean(), pii_redacted: z.boolean(), encrypted: z.boolean() }),
});

const runRowFields = {
  event_id: z.string(),
  parent_id: z.string(),
  run_id: z.string(),
  ts: isoTime,
  status: z.string(),
  latency_ms: z.number(),
  input: z.string(),
  output: z.string(),
  error_message: z.string(),
};

/** `GET /api/v1/runs/:runId`: a run's events in order, with its timing, steps and tool calls. */
export const RunResponse = z.object({
  run_id: z.string(),
  timing: z.object({ started_at: isoTime, ended_at: isoTime, duration_ms: z.number() }),
  events: z.array(EventResponse.extend({ offset_ms: z.number() })),
  agent_steps: z.array(
    z.object({
      ...runRowFields,
      step_number: z.number(),
      step_name: z.string(),
      step_type: z.string(),
    }),
  ),
  tool_calls: z.array(z.object({ ...runRowFields, tool_name: z.string() })),
});
