import type { z } from 'zod';
import { InvalidRequestError } from './invalid-request-error';
import { openAIChatRequestSchema, openAIEmbeddingRequestSchema } from './openai-chat';
import type { OpenAIChatRequest, OpenAIEmbeddingRequest } from './openai-chat';
import { openAIImageRequestSchema } from './openai-images';
import type { OpenAIImageRequest } from './openai-images';
import { openAIVideoRequestSchema } from './openai-videos';
import type { OpenAIVideoRequest } from './openai-videos';

export type ParseResult<T> =
  { success: true; data: T } | { success: false; error: InvalidRequestError };

/** Validates a `/v1/chat/completions` body; the error names the first offending field. */
export function parseChatCompletionRequest(body: unknown): ParseResult<OpenAIChatRequest> {
  return toParseResult(openAIChatRequestSchema.safeParse(body));
}

/** Validates a `/v1/embeddings` body; the error names the first offending field. */
export function parseEmbeddingRequest(body: unknown): ParseResult<OpenAIEmbeddingRequest> {
  return toParseResult(openAIEmbeddingRequestSchema.safeParse(body));
}

/** Validates a `/v1/images/generations` body; the error names the first offending field. */
export function parseImageRequest(body: unknown): ParseResult<OpenAIImageRequest> {
  return toParseResult(openAIImageRequestSchema.safeParse(body));
}

/** Validates a `POST /v1/videos` body; the error names the first offending field. */
export function parseVideoRequest(body: unknown): ParseResult<OpenAIVideoRequest> {
  return toParseResult(openAIVideoRequestSchema.safeParse(body));
}

/** A zod result as a `ParseResult`, its first issue turned into an `InvalidRequestError`. */
export function toParseResult<T>(result: z.ZodSafeParseResult<T>): ParseResult<T> {
  if (result.success) return { success: true, data: result.data };
  const issue = result.error.issues[0];
  if (!issue) return { success: false, error: new InvalidRequestError('Invalid request body') };
  const { path, message, code } = mostSpecific(issue, []);
  const param = formatParam(path);
  const detail = message.includes('received undefined') ? 'is required' : lowerFirst(message);
  const text = param
    ? `Invalid value for '${param}': ${detail}`
    : `Invalid request body: ${detail}`;
  return { success: false, error: new InvalidRequestError(text, { param, code }) };
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

interface IssueSummary {
  path: PropertyKey[];
  message: string;
  code: string;
}

/**
 * A union (`content: string | parts[]`) reports only that no branch matched;
 * when one branch got further into the value (an array whose third part lacks
 * a field), its issue names the field that is actually wrong.
 */
function mostSpecific(issue: z.core.$ZodIssue, prefix: PropertyKey[]): IssueSummary {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    let deepest: z.core.$ZodIssue | undefined;
    for (const branch of issue.errors) {
      const first = branch[0];
      if (first && first.path.length > 0 && (!deepest || first.path.length > deepest.path.length))
        deepest = first;
    }
    if (deepest) return mostSpecific(deepest, path);
  }
  return { path, message: issue.message, code: issue.code };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
