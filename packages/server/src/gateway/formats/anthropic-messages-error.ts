import { gatewayErrorFacts } from './gateway-error-status';
import type { ErrorReply } from './gateway-error-status';

/** Anthropic's error body, which is also the data of a stream's `error` event. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

/** Anthropic's error `type` for a status. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export function anthropicError(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): ErrorReply<AnthropicErrorBody> {
  return {
    status,
    body: { type: 'error', error: { type: anthropicErrorType(status), message } },
    headers,
  };
}

/**
 * Any error thrown while serving `/v1/messages` in Anthropic's shape.
 * Mid-stream, send it as `event: error` (see `formatAnthropicSse`).
 */
export function anthropicErrorFrom(error: unknown): ErrorReply<AnthropicErrorBody> {
  const facts = gatewayErrorFacts(error);
  return anthropicError(facts.status, facts.message, facts.headers);
}
