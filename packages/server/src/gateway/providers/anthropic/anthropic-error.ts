import type { UpstreamErrorReason } from '@tollgate/core';
import { z } from 'zod';
import type { ProviderErrorSpec } from '../provider-error-spec';

/** `{ type: 'error', error: { type, message } }`, in responses and as a stream's `error` event. */
export const anthropicErrorSchema = z.looseObject({
  type: z.literal('error'),
  error: z.looseObject({ type: z.string(), message: z.string() }),
});

export type AnthropicErrorBody = z.infer<typeof anthropicErrorSchema>;

const CONTEXT_WINDOW_MESSAGE =
  /prompt is too long|exceeds? (the )?context (limit|window)|maximum context length/i;
const CONTENT_POLICY_MESSAGE = /content filtering policy|usage policy/i;

/** Anthropic's error type → reason; the fallback keeps the status-derived one. */
function reasonOfType(type: string): UpstreamErrorReason | undefined {
  switch (type) {
    case 'rate_limit_error':
      return 'rate_limited';
    case 'overloaded_error':
      return 'overloaded';
    case 'authentication_error':
      return 'authentication';
    case 'permission_error':
      return 'permission_denied';
    case 'not_found_error':
      return 'model_not_found';
    case 'invalid_request_error':
    case 'request_too_large':
      return 'invalid_request';
    default:
      return undefined;
  }
}

export const anthropicErrorSpec: ProviderErrorSpec<AnthropicErrorBody> = {
  schema: anthropicErrorSchema,
  message: (body) => body.error.message,
  reason: ({ error }) => {
    if (CONTEXT_WINDOW_MESSAGE.test(error.message)) return 'context_window_exceeded';
    if (CONTENT_POLICY_MESSAGE.test(error.message)) return 'content_policy';
    return reasonOfType(error.type);
  },
};
