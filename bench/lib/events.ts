/**
 * Realistic, deterministic prompt_call events for the benches: what an app
 * reports through the SDK (~1.8 KB each once stored as a JSONEachRow row:
 * a system and a user message, a response, tokens, tags, metadata).
 *
 * The same seed gives the same events in every process, so a bench can send
 * events over HTTP in one process and insert the very same rows straight into
 * the store in another.
 */
import { buildEventRow, eventInputSchema, type EventBatch, type EventTenant } from '@tollgate/core';

/** Deterministic pseudo-random numbers (mulberry32). */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const WORDS = (
  'the customer asked about their invoice refund policy shipping delay account password reset order ' +
  'status product warranty subscription plan upgrade billing address payment method card declined ' +
  'please summarize explain translate classify answer politely with details and steps to resolve'
).split(' ');
const MODELS = [
  ['openai', 'gpt-4o-mini'],
  ['anthropic', 'claude-3-5-haiku'],
  ['google', 'gemini-2.0-flash'],
  ['openai', 'gpt-4o'],
] as const;
const STATUSES = [
  'success',
  'success',
  'success',
  'success',
  'success',
  'success',
  'error',
  'cached',
  'timeout',
] as const;

/** A client-side prompt_call event, as the SDK would send it. */
export type BenchEvent = Record<string, unknown>;

/**
 * Returns a function that makes the next event; `index` numbers the event
 * (request and run ids derive from it), `now` anchors the event times (the
 * last 6 hours).
 */
export function eventGenerator(seed = 42): (index: number, now: number) => BenchEvent {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const text = (words: number): string =>
    Array.from({ length: words }, () => pick(WORDS)).join(' ');
  return (index, now) => {
    const [provider, model] = pick(MODELS);
    const status = pick(STATUSES);
    const event: BenchEvent = {
      event_type: 'prompt_call',
      ts: now - Math.floor(next() * 6 * 3_600_000),
      run_id: `run-${Math.floor(index / 5)}`,
      user_id: `user-${Math.floor(next() * 5_000)}`,
      session_id: `session-${Math.floor(next() * 20_000)}`,
      request_id: `req-${index}`,
      name: pick(['support.answer', 'support.summarize', 'search.rerank', 'mail.classify']),
      service: 'support-bot',
      env: 'production',
      tags: ['bench', pick(['beta', 'stable'])],
      status,
      latency_ms: 200 + next() * 2_500,
      metadata: {
        customer_tier: pick(['free', 'pro', 'enterprise']),
        region: pick(['eu-west-1', 'us-east-1']),
      },
      provider,
      model,
      input_tokens: 200 + Math.floor(next() * 2_000),
      output_tokens: 20 + Math.floor(next() * 600),
      cached_tokens: next() < 0.3 ? 128 : 0,
      input: [
        { role: 'system', content: text(18) },
        { role: 'user', content: text(50) },
      ],
      ttft_ms: 80 + next() * 400,
      prompt_name: 'support-answer',
      prompt_version: 3,
      cache_hit: status === 'cached',
      attempts: 1,
      providers_tried: [provider],
    };
    const output = status === 'success' || status === 'cached' ? text(30) : undefined;
    if (output !== undefined) event.output = output;
    if (status === 'error') event.error_message = 'upstream returned 500';
    return event;
  };
}

/**
 * Storage rows for events, exactly as the server builds them: validated by the
 * event schema, completed by `buildEventRow`, serialized once as JSONEachRow.
 */
export function rowBatch(
  id: string,
  events: readonly BenchEvent[],
  tenant: EventTenant | ((index: number) => EventTenant),
  now: number,
): EventBatch {
  const lines = events.map((event, index) =>
    JSON.stringify(
      buildEventRow(
        eventInputSchema.parse(event),
        typeof tenant === 'function' ? tenant(index) : tenant,
        now,
      ),
    ),
  );
  return { id, rows: Buffer.from(`${lines.join('\n')}\n`, 'utf8'), rowCount: events.length };
}
