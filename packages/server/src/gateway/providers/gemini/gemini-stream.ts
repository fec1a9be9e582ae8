import { UpstreamError } from '@tollgate/core';
import type { OpenAIChatChunk, OpenAIChatChunkChoice, StreamUsageReport } from '@tollgate/core';
import { createStreamError } from '../provider-error-spec';
import type { SseEvent } from '../sse-parser';
import { streamEndedEarly } from '../upstream-http';
import type { GeminiResponse, GeminiUsageMetadata } from './gemini-api';
import { geminiErrorSpec } from './gemini-error';
import { convertGeminiUsage } from './convert-gemini-usage';
import { geminiResponseId, readParts } from './convert-gemini-response';
import type { GeminiResponseOptions } from './convert-gemini-response';
import { mapGeminiFinishReason } from './map-gemini-finish-reason';

/**
 * `streamGenerateContent?alt=sse` events (each a partial GenerateContentResponse)
 * → OpenAI chunks. Function calls arrive whole, each as one tool-call delta.
 * Usage metadata is cumulative; the last one becomes the usage chunk, and each
 * one goes to `report` (thoughts included) as it arrives, so a stream cut
 * later keeps it. An end before any finish reason throws an `UpstreamError`
 * of kind 'stream'.
 */
export async function* convertGeminiStream(
  events: AsyncIterable<SseEvent>,
  options: GeminiResponseOptions,
  report: StreamUsageReport = {},
): AsyncGenerator<OpenAIChatChunk, void, undefined> {
  let id: string | undefined;
  let model = options.model;
  let usage: GeminiUsageMetadata | undefined;
  let finished = false;
  const toolCallCount = new Map<number, number>();
  const started = new Set<number>();

  for await (const { data } of events) {
    const response = parseResponse(data);
    id ??= geminiResponseId(response);
    model = response.modelVersion ?? model;
    if (response.usageMetadata) {
      usage = response.usageMetadata;
      const { prompt_tokens, prompt_tokens_details, completion_tokens, completion_tokens_details } =
        convertGeminiUsage(usage);
      report.prompt = { prompt_tokens, prompt_tokens_details };
      if (usage.candidatesTokenCount !== undefined) {
        report.completion = { completion_tokens, completion_tokens_details };
      } else if (usage.thoughtsTokenCount) {
        report.reasoningTokens = usage.thoughtsTokenCount;
      }
    }
    const candidates = response.candidates ?? [];
    if (candidates.length === 0 && response.promptFeedback?.blockReason) {
      finished = true;
      yield chunkOf(id, model, options.created, [
        { index: 0, delta: { role: 'assistant' }, finish_reason: 'content_filter' },
      ]);
      continue;
    }
    const choices: OpenAIChatChunkChoice[] = [];
    candidates.forEach((candidate, position) => {
      const index = candidate.index ?? position;
      const { text, toolCalls } = readParts(candidate);
      const calledBefore = toolCallCount.get(index) ?? 0;
      toolCallCount.set(index, calledBefore + toolCalls.length);
      const choice: OpenAIChatChunkChoice = { index, delta: {}, finish_reason: null };
      if (!started.has(index)) {
        started.add(index);
        choice.delta.role = 'assistant';
      }
      if (text) choice.delta.content = text;
      if (toolCalls.length > 0) {
        choice.delta.tool_calls = toolCalls.map((call, offset) => ({
          index: calledBefore + offset,
          ...call,
        }));
      }
      if (candidate.finishReason) {
        finished = true;
        choice.finish_reason = mapGeminiFinishReason(
          candidate.finishReason,
          calledBefore + toolCalls.length > 0,
        );
      }
      choices.push(choice);
    });
    if (choices.length > 0) yield chunkOf(id, model, options.created, choices);
  }
  if (!finished) throw streamEndedEarly('gemini', 'a finish reason');
  yield { ...chunkOf(id ?? '', model, options.created, []), usage: convertGeminiUsage(usage) };
}

function chunkOf(
  id: string,
  model: string,
  created: number,
  choices: OpenAIChatChunkChoice[],
): OpenAIChatChunk {
  return { id, object: 'chat.completion.chunk', created, model, choices };
}

function parseResponse(data: string): GeminiResponse {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new UpstreamError({
      kind: 'stream',
      provider: 'gemini',
      body: data,
      message: 'gemini sent an unreadable stream chunk',
    });
  }
  if (typeof json !== 'object' || json === null) {
    throw new UpstreamError({
      kind: 'stream',
      provider: 'gemini',
      body: data,
      message: 'gemini sent an unreadable stream chunk',
    });
  }
  if ('error' in json) throw createStreamError(geminiErrorSpec, 'gemini', data);
  return json as GeminiResponse;
}
