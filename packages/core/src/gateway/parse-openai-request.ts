import type { z } from 'zod';
import { InvalidRequestError } from './invalid-request-error';
import { openAIChatRequestSchema, openAIEmbeddingRequestSchema } from './openai-chat';
import type { OpenAIChatRequest, OpenAIEmbeddingRequest } from './openai-chat';

export type ParseResult<T> =
  { success: true; data: T } | { success: false; error: InvalidRequestError };

/** Validates a `/v1/chat/completions` body; the error names the first offending field. */
export function parseChatCompletionRequest(body: unknown): ParseResult<OpenAIChatRequest> {
  return toResult(openAIChatRequestSchema.safeParse(body));
}

/** Validates a `/v1/embeddings` body; the error names the first offending field. */
export function parseEmbeddingRequest(body: unknown): ParseResult<OpenAIEmbeddingRequest> {
  return toResult(openAIEmbeddingRequestSchema.safeParse(body));
}

function toResult<T>(result: z.ZodSafeParseResult<T>): ParseResult<T> {
  if (result.success) return { success: true, data: result.data };
  const issue = result.error.issues[0];
  if (!issue) return { success: false, error: new InvalidRequestError('Invalid request body') };
  const param = formatParam(issue.path);
  const detail = issue.message.includes('received undefined')
    ? 'is required'
    : lowerFirst(issue.message);
  const message = param
    ? `Invalid value for '${param}': ${detail}`
    : `Invalid request body: ${detail}`;
  return { success: false, error: new InvalidRequestError(message, { param, code: issue.code }) };
}

/** `['messages', 1, 'content']` → `messages[1].content`. */
export function formatParam(path: readonly PropertyKey[]): string | undefined {
  let param = '';
  for (const key of path) {
    if (typeof key === 'number') param += `[${key}]`;
    else param += param ? `.${String(key)}` : String(key);
  }
  return param || undefined;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
