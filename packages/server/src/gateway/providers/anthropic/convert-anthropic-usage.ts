import { createUsage } from '@tollgate/core';
import type { OpenAIUsage } from '@tollgate/core';
import type { AnthropicUsage } from './anthropic-api';

/**
 * Anthropic counts cache reads and cache writes apart from `input_tokens`;
 * OpenAI's `prompt_tokens` holds every input token, with cache reads as
 * `cached_tokens`. So both cache counts are added into the prompt tokens.
 */
export function convertAnthropicUsage(usage: Partial<AnthropicUsage>): OpenAIUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const promptTokens = (usage.input_tokens ?? 0) + cacheRead + cacheWrite;
  return createUsage(promptTokens, usage.output_tokens ?? 0, { cachedTokens: cacheRead });
}

/** The inverse, for Tollgate's own Anthropic endpoint (a cache write is not told apart from input). */
export function toAnthropicUsage(usage: OpenAIUsage | null | undefined): AnthropicUsage {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}
