import type { TokenUsage } from '@tollgate/core';

/**
 * A span's usage as event fields: the token columns the event model has, and
 * the parts it has no column for yet (cache writes, reasoning) in the
 * metadata under `usage`, in the names of `TokenUsage`. Without usage the
 * token fields stay absent: unknown, not zero.
 */
export function usageEventFields(usage: TokenUsage | undefined): {
  fields: { input_tokens?: number; output_tokens?: number; cached_tokens?: number };
  metadata: Record<string, unknown>;
} {
  if (!usage) return { fields: {}, metadata: {} };
  const extra: Partial<TokenUsage> = {};
  if (usage.cacheWrite5mTokens !== undefined) extra.cacheWrite5mTokens = usage.cacheWrite5mTokens;
  if (usage.cacheWrite1hTokens !== undefined) extra.cacheWrite1hTokens = usage.cacheWrite1hTokens;
  if (usage.reasoningTokens !== undefined) extra.reasoningTokens = usage.reasoningTokens;
  return {
    fields: {
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      cached_tokens: usage.cachedInputTokens,
    },
    metadata: Object.keys(extra).length > 0 ? { usage: extra } : {},
  };
}
