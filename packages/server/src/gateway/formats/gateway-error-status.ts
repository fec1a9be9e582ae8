import { isFailoverError, isInvalidRequestError, isUpstreamError } from '@tollgate/core';
import type { UpstreamError } from '@tollgate/core';
import { isApiError } from '../../http/errors';

/** An error as an endpoint answers it: status, body, and headers such as Retry-After. */
export interface ErrorReply<Body> {
  status: number;
  body: Body;
  headers: Record<string, string>;
}

/** What both endpoint formats need to know about an error to answer it. */
export interface GatewayErrorFacts {
  status: number;
  message: string;
  param: string | null;
  code: string | null;
  headers: Record<string, string>;
}

/**
 * The status the gateway answers a failed call with. The upstream's own
 * status passes through only when it is about the caller's request (400, 413,
 * 422) or a rate limit (429); an upstream 401/403/404 is the operator's
 * configuration, so the caller sees a 502, as for 5xx and broken connections;
 * a timeout is a 504.
 */
export function gatewayStatusOf(error: UpstreamError): number {
  switch (error.kind) {
    case 'timeout':
      return 504;
    case 'connection':
    case 'stream':
      return 502;
    case 'http': {
      const status = error.status ?? 502;
      if (status === 400 || status === 413 || status === 422 || status === 429) return status;
      if (status === 408) return 504;
      if (status === 503 || status === 529) return 503;
      return 502;
    }
    default: {
      const unexpected: never = error.kind;
      return unexpected;
    }
  }
}

/** Reads any thrown value into the facts an error body is built from; unknown errors are a bare 500. */
export function gatewayErrorFacts(thrown: unknown): GatewayErrorFacts {
  const error =
    isFailoverError(thrown) && thrown.lastError !== undefined ? thrown.lastError : thrown;
  if (isFailoverError(error)) {
    const headers: Record<string, string> = {};
    if (error.retryAt !== undefined) {
      headers['retry-after'] = String(Math.max(1, Math.ceil((error.retryAt - Date.now()) / 1000)));
    }
    return {
      status: error.reason === 'deadline' ? 504 : 503,
      message:
        error.reason === 'deadline'
          ? 'The call ran past its deadline before any deployment answered'
          : 'Every deployment of this model is unavailable (circuit breakers open); retry later',
      param: null,
      code: error.reason === 'deadline' ? 'deadline_exceeded' : 'deployments_unavailable',
      headers,
    };
  }
  if (isApiError(error)) {
    return {
      status: error.status,
      message: error.message,
      param: null,
      code: error.code,
      headers: error.headers ?? {},
    };
  }
  if (isInvalidRequestError(error)) {
    return {
      status: error.status,
      message: error.message,
      param: error.param ?? null,
      code: error.code,
      headers: {},
    };
  }
  if (isUpstreamError(error)) {
    const headers: Record<string, string> = {};
    if (error.retryAfterMs !== undefined)
      headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
    return {
      status: gatewayStatusOf(error),
      message: messageOf(error),
      param: null,
      code: codeOf(error),
      headers,
    };
  }
  // Fastify's own refusals of the request (body over the size limit, unreadable body): a 4xx.
  const frameworkStatus = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof frameworkStatus === 'number' && frameworkStatus >= 400 && frameworkStatus < 500) {
    return {
      status: frameworkStatus,
      message: (error as Error).message,
      param: null,
      code: frameworkStatus === 413 ? 'payload_too_large' : 'invalid_request',
      headers: {},
    };
  }
  return {
    status: 500,
    message: 'Internal error in the gateway',
    param: null,
    code: 'internal_error',
    headers: {},
  };
}

function codeOf(error: UpstreamError): string | null {
  if (error.kind === 'timeout') return 'upstream_timeout';
  if (error.kind === 'connection') return 'upstream_unreachable';
  if (error.kind === 'stream') return 'upstream_stream_broken';
  switch (error.reason) {
    case 'context_window_exceeded':
      return 'context_length_exceeded';
    case 'content_policy':
      return 'content_policy_violation';
    case 'rate_limited':
      return 'rate_limit_exceeded';
    case 'quota_exceeded':
      return 'insufficient_quota';
    default:
      return error.status === undefined ? null : `upstream_http_${error.status}`;
  }
}

/** The upstream's message, except when it is about the operator's credentials (it may quote the key). */
function messageOf(error: UpstreamError): string {
  if (error.kind === 'http' && (error.status === 401 || error.status === 403)) {
    return `The upstream provider${error.provider ? ` (${error.provider})` : ''} refused the gateway's credentials`;
  }
  return error.message;
}
