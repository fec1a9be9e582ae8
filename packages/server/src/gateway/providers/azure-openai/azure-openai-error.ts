import { z } from 'zod';
import type { ProviderErrorSpec } from '../provider-error-spec';
import { openAIErrorReason } from '../openai/openai-error';

/**
 * Azure OpenAI answers in OpenAI's shape, with a string `code` (sometimes the
 * status itself, '429') and, for its content filter, an `innererror`.
 */
export const azureOpenAIErrorSchema = z.looseObject({
  error: z.looseObject({
    message: z.string().nullish(),
    type: z.string().nullish(),
    code: z.union([z.string(), z.number()]).nullish(),
    innererror: z.looseObject({ code: z.string().nullish() }).nullish(),
  }),
});

export type AzureOpenAIErrorBody = z.infer<typeof azureOpenAIErrorSchema>;

export const azureOpenAIErrorSpec: ProviderErrorSpec<AzureOpenAIErrorBody> = {
  schema: azureOpenAIErrorSchema,
  message: (body) => body.error.message ?? '',
  reason: (body) =>
    body.error.innererror?.code === 'ResponsibleAIPolicyViolation'
      ? 'content_policy'
      : openAIErrorReason(body.error),
  isRetryable: (body) => (body.error.code === 'insufficient_quota' ? false : undefined),
};
