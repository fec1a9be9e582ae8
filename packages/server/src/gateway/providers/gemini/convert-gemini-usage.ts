import { createUsage } from '@tollgate/core';
import type { OpenAIUsage } from '@tollgate/core';
import type { GeminiUsageMetadata } from './gemini-api';

/**
 * Gemini's prompt count already holds the cached tokens (as OpenAI's does);
 * thinking tokens are billed as output, so they join the completion tokens
 * and are told apart as reasoning tokens.
 */
export function convertGeminiUsage(usage: GeminiUsageMetadata | undefined): OpenAIUsage {
  const promptTokens = (usage?.promptTokenCount ?? 0) + (usage?.toolUsePromptTokenCount ?? 0);
  const thoughts = usage?.thoughtsTokenCount ?? 0;
  return createUsage(promptTokens, (usage?.candidatesTokenCount ?? 0) + thoughts, {
    cachedTokens: usage?.cachedContentTokenCount ?? 0,
    ...(thoughts > 0 ? { reasoningTokens: thoughts } : {}),
  });
}
