import { createUsage } from '@tollgate/core';
import type {
  ImageResult,
  OpenAIChatResponse,
  OpenAIEmbeddingResponse,
  OpenAIImageResponse,
  ProviderName,
} from '@tollgate/core';
import { invalidResponseError } from '../upstream-http';
import { convertOpenAIUsage } from './convert-openai-usage';
import { mapOpenAIFinishReason } from './map-openai-finish-reason';

/**
 * Checks a parsed chat completion and normalises its finish reasons and usage
 * in place: no copy, since the raw bytes are what the client receives.
 */
export function convertOpenAIResponse(
  json: unknown,
  provider: ProviderName,
  status: number,
): OpenAIChatResponse {
  const response = json as Partial<OpenAIChatResponse> | null;
  if (typeof response !== 'object' || response === null || !Array.isArray(response.choices)) {
    throw invalidResponseError(provider, status, JSON.stringify(json).slice(0, 500));
  }
  for (const choice of response.choices) {
    choice.finish_reason = mapOpenAIFinishReason(choice.finish_reason);
  }
  const usage = convertOpenAIUsage(response.usage);
  if (usage) response.usage = usage;
  else delete response.usage;
  return response as OpenAIChatResponse;
}

export function convertOpenAIEmbeddingResponse(
  json: unknown,
  provider: ProviderName,
  status: number,
): OpenAIEmbeddingResponse {
  const response = json as Partial<OpenAIEmbeddingResponse> | null;
  if (typeof response !== 'object' || response === null || !Array.isArray(response.data)) {
    throw invalidResponseError(provider, status, JSON.stringify(json).slice(0, 500));
  }
  const usage = convertOpenAIUsage(response.usage);
  response.usage = {
    prompt_tokens: usage?.prompt_tokens ?? 0,
    total_tokens: usage?.total_tokens ?? 0,
  };
  return response as OpenAIEmbeddingResponse;
}

/**
 * Checks a parsed image generation answer. gpt-image-1's token usage
 * (`input_tokens`, `output_tokens`) becomes the canonical usage; DALL·E
 * reports none (it is priced per image).
 */
export function convertOpenAIImageResponse(
  json: unknown,
  provider: ProviderName,
  status: number,
): ImageResult {
  const response = json as Partial<OpenAIImageResponse> | null;
  if (typeof response !== 'object' || response === null || !Array.isArray(response.data)) {
    throw invalidResponseError(provider, status, JSON.stringify(json).slice(0, 500));
  }
  const usage = response.usage;
  const counted =
    typeof usage?.input_tokens === 'number' && typeof usage.output_tokens === 'number';
  return {
    response: response as OpenAIImageResponse,
    ...(counted && { usage: createUsage(usage.input_tokens, usage.output_tokens) }),
  };
}
