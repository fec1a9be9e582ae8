import { randomUUID } from 'node:crypto';
import type { OpenAIChatChoice, OpenAIChatResponse, OpenAIToolCall } from '@tollgate/core';
import type { GeminiCandidate, GeminiResponse } from './gemini-api';
import { convertGeminiUsage } from './convert-gemini-usage';
import { mapGeminiFinishReason } from './map-gemini-finish-reason';

export interface GeminiResponseOptions {
  /** Unix seconds for `created`. */
  created: number;
  /** The deployment's model, when Gemini does not name its `modelVersion`. */
  model: string;
}

export function convertGeminiResponse(
  response: GeminiResponse,
  options: GeminiResponseOptions,
): OpenAIChatResponse {
  const candidates = response.candidates ?? [];
  const choices: OpenAIChatChoice[] =
    candidates.length > 0
      ? candidates.map((candidate, index) => convertCandidate(candidate, index))
      : [
          // The prompt itself was blocked (promptFeedback.blockReason): no candidate at all.
          {
            index: 0,
            message: { role: 'assistant', content: null },
            finish_reason: 'content_filter',
          },
        ];
  return {
    id: geminiResponseId(response),
    object: 'chat.completion',
    created: options.created,
    model: response.modelVersion ?? options.model,
    choices,
    usage: convertGeminiUsage(response.usageMetadata),
  };
}

function convertCandidate(candidate: GeminiCandidate, fallbackIndex: number): OpenAIChatChoice {
  const { text, toolCalls } = readParts(candidate);
  return {
    index: candidate.index ?? fallbackIndex,
    message: {
      role: 'assistant',
      content: text === '' && toolCalls.length > 0 ? null : text,
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    },
    finish_reason: mapGeminiFinishReason(candidate.finishReason, toolCalls.length > 0),
  };
}

/** A candidate's answer text (thoughts left out) and its function calls. */
export function readParts(candidate: GeminiCandidate): {
  text: string;
  toolCalls: OpenAIToolCall[];
} {
  let text = '';
  const toolCalls: OpenAIToolCall[] = [];
  for (const part of candidate.content?.parts ?? []) {
    if ('text' in part) {
      if (!part.thought) text += part.text;
    } else if ('functionCall' in part) {
      toolCalls.push({
        id: part.functionCall.id ?? toolCallId(),
        type: 'function',
        function: {
          name: part.functionCall.name,
          arguments: JSON.stringify(part.functionCall.args ?? {}),
        },
      });
    }
  }
  return { text, toolCalls };
}

/** Gemini gives function calls no id (OpenAI clients need one to answer them). */
export function toolCallId(): string {
  return `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

export function geminiResponseId(response: GeminiResponse): string {
  return `chatcmpl-${response.responseId ?? randomUUID()}`;
}
