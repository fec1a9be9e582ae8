import type { UpstreamErrorReason } from '@tollgate/core';
import { z } from 'zod';
import type { ProviderErrorSpec } from '../provider-error-spec';

/**
 * Google's `{ error: { code, message, status, details } }`. Gemini does not
 * refuse content with an error: a blocked prompt or answer is a 200 whose
 * finish reason (or `promptFeedback.blockReason`) says so.
 */
export const geminiErrorSchema = z.looseObject({
  error: z.looseObject({
    code: z.number().optional(),
    message: z.string(),
    status: z.string().optional(),
    details: z
      .array(z.looseObject({ '@type': z.string().optional(), retryDelay: z.string().optional() }))
      .optional(),
  }),
});

export type GeminiErrorBody = z.infer<typeof geminiErrorSchema>;

const CONTEXT_WINDOW_MESSAGE =
  /input token count.*exceeds|exceeds the maximum number of tokens|context (window|length)/i;

function reasonOfStatus(status: string | undefined): UpstreamErrorReason | undefined {
  switch (status) {
    case 'RESOURCE_EXHAUSTED':
      return 'rate_limited';
    case 'UNAUTHENTICATED':
      return 'authentication';
    case 'PERMISSION_DENIED':
      return 'permission_denied';
    case 'NOT_FOUND':
      return 'model_not_found';
    case 'UNAVAILABLE':
      return 'overloaded';
    default:
      return undefined;
  }
}

export const geminiErrorSpec: ProviderErrorSpec<GeminiErrorBody> = {
  schema: geminiErrorSchema,
  message: (body) => body.error.message,
  reason: ({ error }) => {
    if (CONTEXT_WINDOW_MESSAGE.test(error.message)) return 'context_window_exceeded';
    return reasonOfStatus(error.status);
  },
  // google.rpc.RetryInfo: `{ retryDelay: '17s' }` (or '1.5s').
  retryAfterMs: ({ error }) => {
    const delay = error.details?.find((detail) =>
      detail['@type']?.endsWith('RetryInfo'),
    )?.retryDelay;
    const seconds = delay === undefined ? NaN : Number.parseFloat(delay);
    return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  },
};
