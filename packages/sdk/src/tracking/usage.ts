/**
 * Token counts as events carry them ("input includes cached"): cache reads
 * and writes are part of the input tokens, reasoning is part of the output.
 * The SDK sends usage, never a price: the server prices every event with the
 * org's prices.
 */
export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
  reasoningTokens?: number;
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
    reasoningTokens: detail(usage, 'completion_tokens_details', 'reasoning_tokens'),
  };
}

/** OpenAI Responses usage (`input_tokens` holds the cached ones). */
export function countsOfOpenAIResponses(usage: UsageRecord): TokenCounts {
  return {
    inputTokens: count(usage.input_tokens),
    outputTokens: count(usage.output_tokens),
    cachedTokens: detail(usage, 'input_tokens_details', 'cached_tokens'),
    reasoningTokens: detail(usage, 'output_tokens_details', 'reasoning_tokens'),
  };
}

/**
 * Anthropic usage: cache reads and writes are counted apart from
 * `input_tokens`, so both are added in (as the gateway does); reads are the
 * cached tokens, writes split by lifetime (`cache_creation.ephemeral_1h_input_tokens`;
 * the rest of `cache_creation_input_tokens` is 5-minute, Anthropic's default).
 */
export function countsOfAnthropic(usage: UsageRecord): TokenCounts {
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  const write1h = Math.min(
    detail(usage, 'cache_creation', 'ephemeral_1h_input_tokens'),
    cacheWrite,
  );
  return {
    inputTokens: count(usage.input_tokens) + cacheRead + cacheWrite,
    outputTokens: count(usage.output_tokens),
    cachedTokens: cacheRead,
    cacheWrite5mTokens: cacheWrite - write1h,
    cacheWrite1hTokens: write1h,
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
