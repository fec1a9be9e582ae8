import { calculateCost, usdToNanos, type Prices, type TokenUsage } from '../pricing';

/** A usage field of an event that does not add up; the ingestion API answers 400 naming `field`. */
export class EventUsageError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'EventUsageError';
  }
}

type EventFields = Partial<Record<string, unknown>>;

/** An event's usage in the one convention (input includes cache reads and writes), and whether it had any. */
export interface EventUsage {
  usage: TokenUsage;
  hasUsage: boolean;
}

const USAGE_FIELDS = [
  'input_tokens',
  'output_tokens',
  'cached_tokens',
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'reasoning_tokens',
  'image_count',
  'video_duration_seconds',
] as const;

/**
 * The one place an event's usage fields become the shared usage record. With
 * `usage_convention: "input_excludes_cached"` (Anthropic's `input_tokens`),
 * cache reads and writes are added to the input; with the default
 * (`input_includes_cached`), parts larger than the whole are refused, never
 * clamped. Throws `EventUsageError` naming the field.
 */
export function eventUsageOf(fields: EventFields): EventUsage {
  const count = (key: string): number =>
    typeof fields[key] === 'number' ? (fields[key] as number) : 0;
  const cached = count('cached_tokens');
  const write5m = count('cache_write_5m_tokens');
  const write1h = count('cache_write_1h_tokens');
  const cacheParts = cached + write5m + write1h;
  const excludes = fields.usage_convention === 'input_excludes_cached';
  const inputTokens = excludes ? count('input_tokens') + cacheParts : count('input_tokens');
  if (cacheParts > inputTokens) {
    const field =
      cached > 0
        ? 'cached_tokens'
        : write5m > 0
          ? 'cache_write_5m_tokens'
          : 'cache_write_1h_tokens';
    throw new EventUsageError(
      field,
      `cache reads and writes (${cacheParts}) exceed input_tokens (${inputTokens}); if input_tokens does not count them (Anthropic's usage), send usage_convention: "input_excludes_cached"`,
    );
  }
  const outputTokens = count('output_tokens');
  const reasoningTokens = count('reasoning_tokens');
  if (reasoningTokens > outputTokens) {
    throw new EventUsageError(
      'reasoning_tokens',
      `reasoning_tokens (${reasoningTokens}) exceed output_tokens (${outputTokens}): reasoning is part of the output`,
    );
  }
  const usage: TokenUsage = {
    inputTokens,
    outputTokens,
    cachedInputTokens: cached,
    cacheWrite5mTokens: write5m,
    cacheWrite1hTokens: write1h,
    reasoningTokens,
    imageCount: count('image_count'),
    videoSeconds: count('video_duration_seconds'),
  };
  return { usage, hasUsage: USAGE_FIELDS.some((key) => typeof fields[key] === 'number') };
}

/** How an event's cost was reached: stored as `cost_nanos`, `cost_unpriced` and `cost_source`. */
export interface EventCost {
  costNanos: number;
  unpriced: 0 | 1;
  source: string;
}

const NO_COST: EventCost = { costNanos: 0, unpriced: 0, source: '' };

/**
 * The cost of an event, computed on the server with the org's prices for
 * every path (gateway, ingestion API, SDK, OTLP). A cache hit costs nothing.
 * A client's `cost_usd` is kept (source `reported`) only when the server
 * cannot price the model; an event with a model but no usage and no reported
 * cost is unpriced, never $0.
 */
export function eventCostOf(fields: EventFields, usage: EventUsage, prices?: Prices): EventCost {
  const reported =
    typeof fields.cost_usd === 'number'
      ? { costNanos: usdToNanos(fields.cost_usd), unpriced: 0 as const, source: 'reported' }
      : undefined;
  const model = typeof fields.model === 'string' ? fields.model : '';
  if (!model) return reported ?? NO_COST;
  if (fields.cache_hit === true || fields.status === 'cached') {
    return { costNanos: 0, unpriced: 0, source: 'cache' };
  }
  const unpriced: EventCost = reported ?? { costNanos: 0, unpriced: 1, source: '' };
  if (!usage.hasUsage) return unpriced;
  const text = (key: string) =>
    typeof fields[key] === 'string' ? (fields[key] as string) : undefined;
  const cost = calculateCost(model, usage.usage, prices, {
    serviceTier: text('service_tier'),
    imageSize: text('image_size'),
    imageQuality: text('image_quality'),
  });
  if (!cost.priced || !cost.price) return unpriced;
  return { costNanos: cost.costNanos, unpriced: 0, source: cost.price.source };
}
