import { eventInputSchema } from './event-schema';

/**
 * The fields an event may carry, per event type, read from the event schema
 * itself, and the known field an unknown name most likely meant.
 */

/** Names other schemas and SDKs use for our fields (checked before spelling). */
const ALIASES: Readonly<Record<string, string>> = {
  tokens_input: 'input_tokens',
  tokens_output: 'output_tokens',
  tokens_cached: 'cached_tokens',
  prompt_tokens: 'input_tokens',
  completion_tokens: 'output_tokens',
  cached_input_tokens: 'cached_tokens',
  cache_read_tokens: 'cached_tokens',
  cache_read_input_tokens: 'cached_tokens',
  tokens_in: 'input_tokens',
  tokens_out: 'output_tokens',
  cost: 'cost_usd',
  total_cost: 'cost_usd',
  latency: 'latency_ms',
  duration_ms: 'latency_ms',
  duration: 'latency_ms',
  timestamp: 'ts',
  time: 'ts',
  created_at: 'ts',
  id: 'event_id',
  type: 'event_type',
  trace_id: 'run_id',
  span_id: 'event_id',
  parent_span_id: 'parent_id',
  prompt: 'input',
  messages: 'input',
  response: 'output',
  completion: 'output',
  error: 'error_message',
  ttft: 'ttft_ms',
  time_to_first_token_ms: 'ttft_ms',
  meta: 'metadata',
  tool: 'tool_name',
  step: 'step_number',
};

const MAX_SPELLING_DISTANCE = 2;

function fieldsOf(shape: Record<string, unknown>): ReadonlySet<string> {
  return new Set(Object.keys(shape));
}

const FIELDS_BY_TYPE = new Map<string, ReadonlySet<string>>(
  eventInputSchema.options.map((variant) => [
    variant.shape.event_type.value as string,
    fieldsOf(variant.shape),
  ]),
);
const ALL_FIELDS: ReadonlySet<string> = new Set(
  [...FIELDS_BY_TYPE.values()].flatMap((fields) => [...fields]),
);

/** The fields an event of `eventType` may carry (every event field when the type is unknown). */
export function eventFieldsOf(eventType: unknown): ReadonlySet<string> {
  return (typeof eventType === 'string' && FIELDS_BY_TYPE.get(eventType)) || ALL_FIELDS;
}

/** Levenshtein distance, giving up (returning `limit + 1`) once it exceeds `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowBest = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowBest = Math.min(rowBest, value);
    }
    if (rowBest > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** The known field `name` likely meant: an alias, a different case, or a close spelling. */
export function suggestEventField(name: string, known: ReadonlySet<string>): string | undefined {
  const lower = name.toLowerCase().replace(/[-\s]/g, '_');
  const alias = ALIASES[lower];
  if (alias && known.has(alias)) return alias;
  if (known.has(lower)) return lower;
  let best: string | undefined;
  let bestDistance = MAX_SPELLING_DISTANCE + 1;
  for (const field of known) {
    // Short names get a smaller allowance: "xs" is not a misspelt "ts".
    const limit = Math.min(MAX_SPELLING_DISTANCE, field.length - 1);
    const distance = editDistance(lower, field, limit);
    if (distance <= limit && distance < bestDistance) {
      best = field;
      bestDistance = distance;
    }
  }
  return best;
}
