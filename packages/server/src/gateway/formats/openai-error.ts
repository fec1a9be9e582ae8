import { gatewayErrorFacts } from './gateway-error-status';
import type { ErrorReply } from './gateway-error-status';

/** OpenAI's error body: what the official `openai` client parses into its `APIError`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** OpenAI's `type` for a status; clients branch on the status, the type is for people. */
export function openAIErrorType(status: number): string {
  if (status === 400 || status === 413 || status === 422) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export function openAIError(
  status: number,
  message: string,
  options: {
    param?: string | null;
    code?: string | null;
    type?: string;
    headers?: Record<string, string>;
  } = {},
): ErrorReply<OpenAIErrorBody> {
  return {
    status,
    body: {
      error: {
        message,
        type: options.type ?? openAIErrorType(status),
        param: options.param ?? null,
        code: options.code ?? null,
      },
    },
    headers: options.headers ?? {},
  };
}

/**
 * Any error thrown while serving `/v1/chat/completions` or `/v1/embeddings`
 * (an `InvalidRequestError`, an `UpstreamError`, anything else) in OpenAI's
 * shape. Mid-stream, send `data: ${JSON.stringify(reply.body)}` as the last event.
 */
export function openAIErrorFrom(error: unknown): ErrorReply<OpenAIErrorBody> {
  const facts = gatewayErrorFacts(error);
  return openAIError(facts.status, facts.message, facts);
}
