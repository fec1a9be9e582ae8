/**
 * Anthropic's `POST /v1/messages/count_tokens` on the gateway: the body of a
 * Messages request without `max_tokens`, answered `{ input_tokens }`. The
 * count is the gateway's tokenizer (o200k) over the translated request:
 * exact for OpenAI's current models, an estimate for the others.
 */
import { toParseResult, type ParseResult } from '@tollgate/core';
import type { z } from 'zod';
import { anthropicRequestSchema } from '../providers/anthropic/anthropic-api';
import type { TokenCounter } from '../../tokens/token-counter';
import { convertAnthropicMessagesRequest } from './anthropic-messages';

const countTokensRequestSchema = anthropicRequestSchema.omit({ max_tokens: true });

export type AnthropicCountTokensRequest = z.infer<typeof countTokensRequestSchema>;

/** Validates a `/v1/messages/count_tokens` body; the error names the first offending field. */
export function parseAnthropicCountTokensRequest(
  body: unknown,
): ParseResult<AnthropicCountTokensRequest> {
  return toParseResult(countTokensRequestSchema.safeParse(body));
}

/** The input tokens of the request: its messages, system prompt and tools. */
export function countAnthropicInputTokens(
  request: AnthropicCountTokensRequest,
  tokenCounter: TokenCounter,
): number {
  const canonical = convertAnthropicMessagesRequest({ ...request, max_tokens: 1, stream: false });
  return tokenCounter.countPrompt(canonical);
}
