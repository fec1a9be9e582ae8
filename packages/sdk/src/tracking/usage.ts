import { calculateCost, resolveModelPrice, type PriceOverrides } from '@tollgate/core';

/** Token counts as events store them: cached input tokens are part of the input tokens. */
export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

type UsageRecord = Record<string, unknown>;

const count = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;

function detail(usage: UsageRecord, key: string, field: string): number {
  const details = usage[key];
  return typeof details === 'object' && details !== null
    ? count((details as UsageRecord)[field])
    : 0;
}

/** OpenAI Chat Completions and Embeddings usage (`prompt_tokens`, `completion_tokens`). */
export function countsOfOpenAIChat(usage: UsageRecord): TokenCounts {
  return {
    inputTokens: count(usage.prompt_tokens),
    outputTokens: count(usage.completion_tokens),
    cachedTokens: detail(usage, 'prompt_tokens_details', 'cached_tokens'),
  };
}

/** OpenAI Responses usage (`input_tokens` holds the cached ones). */
export function countsOfOpenAIResponses(usage: UsageRecord): TokenCounts {
  return {
    inputTokens: count(usage.input_tokens),
    outputTokens: count(usage.output_tokens),
    cachedTokens: detail(usage, 'input_tokens_details', 'cached_tokens'),
  };
}

/**
 * Anthropic usage: cache reads and writes are counted apart from
 * `input_tokens`, so both are added in (as the gateway does); reads are the
 * cached tokens.
 */
export function countsOfAnthropic(usage: UsageRecord): TokenCounts {
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  return {
    inputTokens: count(usage.input_tokens) + cacheRead + cacheWrite,
    outputTokens: count(usage.output_tokens),
    cachedTokens: cacheRead,
  };
}

/** The token counts of a provider response (OpenAI or Anthropic shaped), if it has a `usage`. */
export function countsOfResult(result: unknown): TokenCounts | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const usage = (result as { usage?: unknown }).usage;
  if (typeof usage !== 'object' || usage === null) return undefined;
  const record = usage as UsageRecord;
  if ('prompt_tokens' in record) return countsOfOpenAIChat(record);
  if ('input_tokens_details' in record || 'total_tokens' in record) {
    return countsOfOpenAIResponses(record);
  }
  if ('input_tokens' in record || 'output_tokens' in record) return countsOfAnthropic(record);
  return undefined;
}

/**
 * The price-table key of each model name seen (null: unpriced). A dated
 * snapshot name (`gpt-4o-mini-2024-07-18`, what responses carry) is resolved
 * by scanning the table, a few microseconds; remembered, it is a map lookup.
 */
const tableKeys = new Map<string, string | null>();
const MAX_REMEMBERED_MODELS = 1000;

function tableKeyOf(model: string): string | null {
  let key = tableKeys.get(model);
  if (key === undefined) {
    key = resolveModelPrice(model)?.model ?? null;
    if (tableKeys.size >= MAX_REMEMBERED_MODELS) tableKeys.clear();
    tableKeys.set(model, key);
  }
  return key;
}

/** The cost in USD from the core price table, or undefined when the model has no known price. */
export function costUsdOf(
  model: string | undefined,
  counts: TokenCounts,
  overrides?: PriceOverrides,
): number | undefined {
  if (!model) return undefined;
  try {
    const key = overrides ? model : tableKeyOf(model);
    if (key === null) return undefined;
    const cost = calculateCost(
      key,
      {
        inputTokens: counts.inputTokens,
        outputTokens: counts.outputTokens,
        cachedInputTokens: Math.min(counts.cachedTokens, counts.inputTokens),
      },
      overrides,
    );
    return cost.priced ? cost.costNanos / 1e9 : undefined;
  } catch {
    return undefined;
  }
}
