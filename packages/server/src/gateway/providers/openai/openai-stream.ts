import { UpstreamError } from '@tollgate/core';
import type { OpenAIChatChunk, ProviderName, StreamUsageReport } from '@tollgate/core';
import { createStreamError } from '../provider-error-spec';
import type { ProviderErrorSpec } from '../provider-error-spec';
import type { SseEvent } from '../sse-parser';
import { streamEndedEarly } from '../upstream-http';
import { convertOpenAIUsage } from './convert-openai-usage';
import { mapOpenAIFinishReason } from './map-openai-finish-reason';

/**
 * OpenAI SSE events → chunks. An `error` object inside the stream, an
 * unreadable chunk, or an end before `[DONE]` (unless a finish reason came,
 * for servers that omit `[DONE]`) throws an `UpstreamError` of kind 'stream'.
 * Chunks with neither choices nor usage (Azure's prompt filter results) are
 * dropped. After `[DONE]` the body is read to its end so the connection can be
 * kept alive. Usage sent before the end (vLLM's `continuous_usage_stats`)
 * goes to `report`.
 */
export async function* convertOpenAIStream(
  events: AsyncIterable<SseEvent>,
  provider: ProviderName,
  errorSpec: ProviderErrorSpec<unknown>,
  report: StreamUsageReport = {},
): AsyncGenerator<OpenAIChatChunk, void, undefined> {
  let done = false;
  let finished = false;
  for await (const { data } of events) {
    if (done) continue;
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const chunk = parseChunk(data, provider);
    if (chunk.error !== undefined) throw createStreamError(errorSpec, provider, data);
    if (!Array.isArray(chunk.choices)) chunk.choices = [];
    for (const choice of chunk.choices) {
      if (choice.finish_reason == null) continue;
      choice.finish_reason = mapOpenAIFinishReason(choice.finish_reason);
      finished = true;
    }
    if (chunk.usage != null) chunk.usage = convertOpenAIUsage(chunk.usage) ?? null;
    if (chunk.usage) {
      const { prompt_tokens, prompt_tokens_details } = chunk.usage;
      const { completion_tokens, completion_tokens_details } = chunk.usage;
      report.prompt = { prompt_tokens, prompt_tokens_details };
      report.completion = { completion_tokens, completion_tokens_details };
    }
    if (chunk.choices.length === 0 && chunk.usage == null) continue;
    yield chunk;
  }
  if (!done && !finished) throw streamEndedEarly(provider, '[DONE]');
}

function parseChunk(data: string, provider: ProviderName): OpenAIChatChunk {
  try {
    const chunk: unknown = JSON.parse(data);
    if (typeof chunk === 'object' && chunk !== null) return chunk as OpenAIChatChunk;
  } catch {
    // Reported below.
  }
  throw new UpstreamError({
    kind: 'stream',
    provider,
    body: data,
    message: `${provider} sent an unreadable stream chunk`,
  });
}
