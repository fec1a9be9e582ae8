import type { TokenUsage } from '../pricing';
import type { OpenAIChatRequest, OpenAIUsage } from './openai-chat';

/** The text of a message's content: a string, or the `text` of its text parts joined. */
export function contentText(
  content: string | ReadonlyArray<{ type: string; text?: unknown }> | null | undefined,
): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content) {
    if (part.type === 'text' && typeof part.text === 'string') text += part.text;
  }
  return text;
}

/** The output limit a request asks for: `max_completion_tokens`, else the legacy `max_tokens`. */
export function maxOutputTokens(request: OpenAIChatRequest): number | undefined {
  return request.max_completion_tokens ?? request.max_tokens ?? undefined;
}

/** Canonical usage → the token counts the cost calculator takes. */
export function tokenUsageOf(usage: OpenAIUsage): TokenUsage {
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    ...(cached ? { cachedInputTokens: cached } : {}),
  };
}

/** Builds a consistent usage object; `cachedTokens` are part of `promptTokens`. */
export function createUsage(
  promptTokens: number,
  completionTokens: number,
  details: { cachedTokens?: number; reasoningTokens?: number } = {},
): OpenAIUsage {
  const usage: OpenAIUsage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  if (details.cachedTokens !== undefined) {
    usage.prompt_tokens_details = { cached_tokens: details.cachedTokens };
  }
  if (details.reasoningTokens !== undefined) {
    usage.completion_tokens_details = { reasoning_tokens: details.reasoningTokens };
  }
  return usage;
}
