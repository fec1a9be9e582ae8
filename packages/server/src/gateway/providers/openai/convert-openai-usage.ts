import type { OpenAIUsage } from '@tollgate/core';

/**
 * Checks an upstream usage object and fills what some OpenAI-compatible
 * servers leave out (`total_tokens`). Returns the same object, not a copy, so
 * the forwarded body and the recorded usage agree; undefined when it has no
 * counts at all.
 */
export function convertOpenAIUsage(usage: unknown): OpenAIUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const candidate = usage as Partial<OpenAIUsage>;
  // A usage with no counts at all is no usage: the gateway counts it and says it estimated.
  if (
    typeof candidate.prompt_tokens !== 'number' &&
    typeof candidate.completion_tokens !== 'number'
  )
    return undefined;
  const promptTokens = countOrZero(candidate.prompt_tokens);
  const completionTokens = countOrZero(candidate.completion_tokens);
  candidate.prompt_tokens = promptTokens;
  candidate.completion_tokens = completionTokens;
  if (typeof candidate.total_tokens !== 'number')
    candidate.total_tokens = promptTokens + completionTokens;
  return candidate as OpenAIUsage;
}

function countOrZero(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}
