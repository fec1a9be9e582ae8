import type { UpstreamErrorReason } from '@tollgate/core';
import { z } from 'zod';
import type { ProviderErrorSpec } from '../provider-error-spec';

/** `{ error: { message, type, param, code } }`, as OpenAI (and most servers that copy it) answer. */
export const openAIErrorSchema = z.looseObject({
  error: z.looseObject({
    message: z.string().nullish(),
    type: z.string().nullish(),
    param: z.unknown().optional(),
    code: z.union([z.string(), z.number()]).nullish(),
  }),
});

export type OpenAIErrorBody = z.infer<typeof openAIErrorSchema>;

const CONTEXT_WINDOW_MESSAGE =
  /context length|context window|maximum context|too many tokens|reduce the length/i;
const CONTENT_POLICY_MESSAGE = /content (management )?policy|safety system|content filter/i;

/** What an OpenAI-style error says about its cause, from its code or, failing that, its message. */
export function openAIErrorReason(error: {
  message?: string | null;
  code?: string | number | null;
}): UpstreamErrorReason | undefined {
  switch (error.code) {
    case 'context_length_exceeded':
    case 'string_above_max_length':
      return 'context_window_exceeded';
    case 'content_policy_violation':
    case 'content_filter':
      return 'content_policy';
    case 'insufficient_quota':
      return 'quota_exceeded';
    case 'rate_limit_exceeded':
      return 'rate_limited';
    case 'model_not_found':
      return 'model_not_found';
    case 'invalid_api_key':
      return 'authentication';
    default:
      break;
  }
  const message = error.message ?? '';
  if (CONTEXT_WINDOW_MESSAGE.test(message)) return 'context_window_exceeded';
  if (CONTENT_POLICY_MESSAGE.test(message)) return 'content_policy';
  return undefined;
}

export const openAIErrorSpec: ProviderErrorSpec<OpenAIErrorBody> = {
  schema: openAIErrorSchema,
  message: (body) => body.error.message ?? '',
  reason: (body) => openAIErrorReason(body.error),
  // A 429 for an exhausted quota will not pass by waiting.
  isRetryable: (body) => (body.error.code === 'insufficient_quota' ? false : undefined),
};
