/**
 * What a provider declares about its error bodies (STYLE 10): a schema and how
 * to read the message out of it, plus optionally what the body says about the
 * cause. The generic code here turns that into the one `UpstreamError`.
 */
import { UpstreamError, retryAfterFromHeaders } from '@tollgate/core';
import type { HeaderReader, ProviderName, UpstreamErrorReason } from '@tollgate/core';
import type { z } from 'zod';

export interface ProviderErrorSpec<T = unknown> {
  schema: z.ZodType<T>;
  message(error: T): string;
  /** The cause the body names (context window, content policy …); the status decides otherwise. */
  reason?(error: T, status: number | undefined): UpstreamErrorReason | undefined;
  /** Overrides the status-based default, e.g. a 429 for an exhausted quota is not worth retrying. */
  isRetryable?(error: T, status: number | undefined): boolean | undefined;
  /** A wait the body asks for (Gemini's RetryInfo), used when no Retry-After header says so. */
  retryAfterMs?(error: T): number | undefined;
}

/** The reason a bare HTTP status implies when the body names none. */
export function reasonFromStatus(status: number): UpstreamErrorReason | undefined {
  if (status === 400 || status === 413 || status === 422) return 'invalid_request';
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission_denied';
  if (status === 404) return 'model_not_found';
  if (status === 429) return 'rate_limited';
  if (status === 503 || status === 529) return 'overloaded';
  return undefined;
}

/** The error for a provider's non-2xx HTTP response. */
export function createHttpError<T>(
  spec: ProviderErrorSpec<T>,
  response: {
    provider: ProviderName;
    status: number;
    headers: HeaderReader;
    body: string;
    now: number;
  },
): UpstreamError {
  const { provider, status, headers, body, now } = response;
  const error = parseErrorBody(spec, body);
  const retryAfterMs =
    retryAfterFromHeaders(headers, now) ??
    (error === undefined ? undefined : spec.retryAfterMs?.(error));
  return new UpstreamError({
    kind: 'http',
    provider,
    status,
    body,
    // Only a body of the provider's documented error shape is quoted: whatever else answered
    // (another service, an internal page) never reaches the caller through the message.
    message: describe(provider, `HTTP ${status}`, error === undefined ? '' : spec.message(error)),
    reason:
      (error === undefined ? undefined : spec.reason?.(error, status)) ?? reasonFromStatus(status),
    isRetryable: error === undefined ? undefined : spec.isRetryable?.(error, status),
    retryAfterMs,
  });
}

/** The error for an error the provider sent inside a stream that had started. */
export function createStreamError<T>(
  spec: ProviderErrorSpec<T>,
  provider: ProviderName,
  data: string,
): UpstreamError {
  const error = parseErrorBody(spec, data);
  return new UpstreamError({
    kind: 'stream',
    provider,
    body: data,
    message: describe(provider, 'stream error', error === undefined ? '' : spec.message(error)),
    reason: error === undefined ? undefined : spec.reason?.(error, undefined),
  });
}

/** The parsed error body, or undefined when it is not JSON of the declared shape. */
export function parseErrorBody<T>(spec: ProviderErrorSpec<T>, body: string): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const result = spec.schema.safeParse(json);
  return result.success ? result.data : undefined;
}

function describe(provider: ProviderName, what: string, detail: string): string {
  const text = detail.trim().slice(0, 500);
  return text ? `${provider} ${what}: ${text}` : `${provider} ${what}`;
}
