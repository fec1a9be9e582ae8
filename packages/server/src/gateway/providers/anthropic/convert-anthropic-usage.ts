import { createUsage } from '@tollgate/core';
import type { OpenAIUsage } from '@tollgate/core';
import type { AnthropicUsage } from './anthropic-api';

/**
 * Anthropic counts cache reads and cache writes apart from `input_tokens`;
 * OpenAI's `prompt_tokens` holds every input token, with cache reads as
 * `cached_tokens`. So both cache counts are added into the prompt tokens, and
 * the writes are split by lifetime (`cache_creation`; all 5-minute when the
 * split is absent, as it is from older API versions).
 */
export function convertAnthropicUsage(usage: Partial<AnthropicUsage>): OpenAIUsage {
  const cacheRead = count(usage.cache_read_input_tokens);
  const { write5m, write1h } = cacheWritesOf(usage);
  const promptTokens = count(usage.input_tokens) + cacheRead + write5m + write1h;
  return createUsage(promptTokens, count(usage.output_tokens), {
    cachedTokens: cacheRead,
    cacheWrite5mTokens: write5m,
    cacheWrite1hTokens: write1h,
  });
}

/** The prompt side of a usage, as message_start tells it before any output. */
export function convertAnthropicPromptUsage(
  usage: Partial<AnthropicUsage>,
): Pick<OpenAIUsage, 'prompt_tokens' | 'prompt_tokens_details'> {
  const { prompt_tokens, prompt_tokens_details } = convertAnthropicUsage(usage);
  return { prompt_tokens, prompt_tokens_details };
}

/**
 * The inverse, for Tollgate's own Anthropic endpoint: `input_tokens` without
 * the cache, the reads and the writes apart, the writes by lifetime.
 */
export function toAnthropicUsage(
  usage: Partial<Pick<OpenAIUsage, 'prompt_tokens' | 'prompt_tokens_details'>> &
    Partial<Pick<OpenAIUsage, 'completion_tokens'>> = {},
): AnthropicUsage {
  const details = usage.prompt_tokens_details;
  const cacheRead = count(details?.cached_tokens);
  const write5m = count(details?.cache_write_5m_tokens);
  const write1h = count(details?.cache_write_1h_tokens);
  return {
    input_tokens: Math.max(0, count(usage.prompt_tokens) - cacheRead - write5m - write1h),
    output_tokens: count(usage.completion_tokens),
    cache_creation_input_tokens: write5m + write1h,
    cache_read_input_tokens: cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: write5m, ephemeral_1h_input_tokens: write1h },
  };
}

function cacheWritesOf(usage: Partial<AnthropicUsage>): { write5m: number; write1h: number } {
  const total = count(usage.cache_creation_input_tokens);
  const split = usage.cache_creation;
  if (!split) return { write5m: total, write1h: 0 };
  const write1h = count(split.ephemeral_1h_input_tokens);
  const write5m = count(split.ephemeral_5m_input_tokens);
  // Should the parts not add up, the total is what Anthropic bills: the rest is 5-minute.
  return { write5m: Math.max(write5m, total - write1h), write1h };
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
