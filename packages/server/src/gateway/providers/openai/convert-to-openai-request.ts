import type { OpenAIChatRequest, OpenAIEmbeddingRequest } from '@tollgate/core';

export interface OpenAIRequestOptions {
  /** The upstream model (for Azure the deployment, which the URL names anyway). */
  model: string;
  stream: boolean;
  /**
   * Send the output limit as `max_completion_tokens` (OpenAI: `max_tokens` is
   * deprecated and refused by reasoning models); otherwise as the client sent it.
   */
  preferMaxCompletionTokens: boolean;
}

/**
 * The canonical request is OpenAI's own format, so the body is the client's
 * request with the upstream model. A stream always asks for usage, so the
 * gateway can count every call; the gateway drops the usage chunk if the
 * client did not ask for it.
 */
export function convertToOpenAIRequest(
  request: OpenAIChatRequest,
  options: OpenAIRequestOptions,
): string {
  const body: Record<string, unknown> = { ...request, model: options.model };
  if (options.stream) {
    body.stream = true;
    body.stream_options = { ...request.stream_options, include_usage: true };
  } else {
    delete body.stream;
    delete body.stream_options;
  }
  if (
    options.preferMaxCompletionTokens &&
    request.max_tokens != null &&
    request.max_completion_tokens == null
  ) {
    body.max_completion_tokens = request.max_tokens;
    delete body.max_tokens;
  }
  return JSON.stringify(body);
}

export function convertToOpenAIEmbeddingRequest(
  request: OpenAIEmbeddingRequest,
  model: string,
): string {
  return JSON.stringify({ ...request, model });
}
