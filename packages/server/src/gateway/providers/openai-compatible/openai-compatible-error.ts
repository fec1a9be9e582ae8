import { z } from 'zod';
import type { ProviderErrorSpec } from '../provider-error-spec';
import { openAIErrorReason } from '../openai/openai-error';

const code = z.union([z.string(), z.number()]).nullish();

/**
 * Servers that imitate OpenAI disagree on errors: OpenAI's own shape (Groq,
 * Together, recent vLLM), a flat `{ object: 'error', message, code }` (older
 * vLLM), a plain string (Ollama, TGI) or FastAPI's `{ detail }`. Each is read
 * into one `{ message, code }`.
 */
export const openAICompatibleErrorSchema = z.union([
  z
    .looseObject({ error: z.looseObject({ message: z.string().nullish(), code }) })
    .transform((body) => ({ message: body.error.message ?? '', code: body.error.code })),
  z
    .looseObject({ error: z.string() })
    .transform((body) => ({ message: body.error, code: undefined })),
  z
    .looseObject({ message: z.string(), code })
    .transform((body) => ({ message: body.message, code: body.code })),
  z.looseObject({ detail: z.unknown() }).transform((body) => ({
    message: typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail),
    code: undefined,
  })),
]);

export type OpenAICompatibleError = z.infer<typeof openAICompatibleErrorSchema>;

export const openAICompatibleErrorSpec: ProviderErrorSpec<OpenAICompatibleError> = {
  schema: openAICompatibleErrorSchema,
  message: (error) => error.message,
  reason: (error) => openAIErrorReason(error),
};
