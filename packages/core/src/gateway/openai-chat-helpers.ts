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

/** Canonical usage → the token counts the cost calculator takes (the one usage normaliser). */
export function tokenUsageOf(usage: OpenAIUsage): TokenUsage {
  const prompt = usage.prompt_tokens_details;
  const counts: TokenUsage = {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
  };
  // A part never exceeds its whole, whatever an upstream sends.
  let promptLeft = usage.prompt_tokens;
  const part = (value: unknown) => {
    const count = Math.min(countOf(value), promptLeft);
    promptLeft -= count;
    return count;
  };
  const cached = part(prompt?.cached_tokens);
  const write5m = part(prompt?.cache_write_5m_tokens);
  const write1h = part(prompt?.cache_write_1h_tokens);
  const reasoning = Math.min(
    countOf(usage.completion_tokens_details?.reasoning_tokens),
    usage.completion_tokens,
  );
  if (cached) counts.cachedInputTokens = cached;
  if (write5m) counts.cacheWrite5mTokens = write5m;
  if (write1h) counts.cacheWrite1hTokens = write1h;
  if (reasoning) counts.reasoningTokens = reasoning;
  return counts;
}

/** The parts of a prompt and of a completion a usage object can tell apart. */
export interface UsageDetails {
  cachedTokens?: number;
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
  reasoningTokens?: number;
}

/** Builds a consistent usage object; cache reads and writes are part of `promptTokens`. */
export function createUsage(
  promptTokens: number,
  completionTokens: number,
  details: UsageDetails = {},
): OpenAIUsage {
  const usage: OpenAIUsage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const { cachedTokens, cacheWrite5mTokens, cacheWrite1hTokens, reasoningTokens } = details;
  if (cachedTokens !== undefined) {
    usage.prompt_tokens_details = { cached_tokens: cachedTokens };
  }
  if (cacheWrite5mTokens || cacheWrite1hTokens) {
    usage.prompt_tokens_details = {
      ...usage.prompt_tokens_details,
      cache_write_5m_tokens: cacheWrite5mTokens ?? 0,
      cache_write_1h_tokens: cacheWrite1hTokens ?? 0,
    };
  }
  if (reasoningTokens !== undefined) {
    usage.completion_tokens_details = { reasoning_tokens: reasoningTokens };
  }
  return usage;
}

function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}
