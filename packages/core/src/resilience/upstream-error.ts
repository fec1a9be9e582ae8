/**
 * The one error type for a failed call to a model provider (STYLE 10). Every
 * provider adapter turns its own failures into this; the router, the retry
 * policy and the HTTP layer only ever look at these fields.
 */

/** Where the call failed: before a response, by our timeout, with an HTTP error status, or mid-stream. */
export type UpstreamErrorKind = 'connection' | 'timeout' | 'http' | 'stream';

/** What the provider told us went wrong, when an adapter can tell. */
export type UpstreamErrorReason =
  | 'context_window_exceeded'
  | 'content_policy'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'authentication'
  | 'permission_denied'
  | 'model_not_found'
  | 'invalid_request'
  | 'overloaded'
  | 'unknown';

export interface UpstreamErrorOptions {
  kind: UpstreamErrorKind;
  message?: string;
  /** HTTP status of the provider's response (kind 'http', sometimes 'stream'). */
  status?: number;
  /** Raw response body, for logs and for adapters that map it further. */
  body?: string;
  /** Default: connection and timeout failures yes; 'http' by `isRetryableStatus`; 'stream' no. */
  isRetryable?: boolean;
  /** How long the provider asked us to wait (from Retry-After / retry-after-ms). */
  retryAfterMs?: number;
  reason?: UpstreamErrorReason;
  /** Provider id, e.g. 'openai'. */
  provider?: string;
  cause?: unknown;
}

/**
 * Brand recognised by `isUpstreamError`. `Symbol.for` gives the same symbol to
 * every copy of this package loaded in the process (STYLE 11).
 */
const upstreamErrorBrand: unique symbol = Symbol.for('tollgate.upstream-error');

export class UpstreamError extends Error {
  readonly [upstreamErrorBrand] = true;
  override readonly name = 'UpstreamError';
  readonly kind: UpstreamErrorKind;
  readonly status: number | undefined;
  readonly body: string | undefined;
  readonly isRetryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly reason: UpstreamErrorReason | undefined;
  readonly provider: string | undefined;

  constructor(options: UpstreamErrorOptions) {
    super(options.message ?? defaultMessage(options), { cause: options.cause });
    this.kind = options.kind;
    this.status = options.status;
    this.body = options.body;
    this.isRetryable = options.isRetryable ?? defaultIsRetryable(options);
    this.retryAfterMs = options.retryAfterMs;
    this.reason = options.reason;
    this.provider = options.provider;
  }
}

/** True for an `UpstreamError` from any copy of this package (checks the brand, not the class). */
export function isUpstreamError(error: unknown): error is UpstreamError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { [upstreamErrorBrand]?: unknown })[upstreamErrorBrand] === true
  );
}

/** 408 Request Timeout, 409 Conflict, 429 Too Many Requests and every 5xx are worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Parses a `Retry-After` value (delay in seconds, or an HTTP date) into
 * milliseconds from `now`. A date in the past gives 0; anything unparsable,
 * negative or missing gives undefined.
 */
export function parseRetryAfter(
  headerValue: string | null | undefined,
  now: number,
): number | undefined {
  const value = headerValue?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // Every HTTP date starts with the day name; `Date.parse` alone would take '-5' for a year.
  if (!/^[A-Za-z]/.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Parses a `retry-after-ms` value (OpenAI, Azure): a non-negative number of milliseconds. */
export function parseRetryAfterMs(headerValue: string | null | undefined): number | undefined {
  const value = headerValue?.trim();
  if (!value || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return Math.round(Number(value));
}

/** Anything with `get(name)`, such as the Fetch API's `Headers`. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** The wait a response asks for: `retry-after-ms` when present (more precise), else `Retry-After`. */
export function retryAfterFromHeaders(headers: HeaderReader, now: number): number | undefined {
  return (
    parseRetryAfterMs(headers.get('retry-after-ms')) ??
    parseRetryAfter(headers.get('retry-after'), now)
  );
}

/**
 * Builds the error for a provider's non-2xx HTTP response. The adapter only
 * extracts the message (and reason) from its own error body.
 */
export function createHttpUpstreamError(options: {
  status: number;
  body?: string;
  headers?: HeaderReader;
  now: number;
  message?: string;
  reason?: UpstreamErrorReason;
  provider?: string;
}): UpstreamError {
  const { headers, now, ...rest } = options;
  return new UpstreamError({
    ...rest,
    kind: 'http',
    retryAfterMs: headers ? retryAfterFromHeaders(headers, now) : undefined,
  });
}

function defaultIsRetryable(options: UpstreamErrorOptions): boolean {
  switch (options.kind) {
    case 'connection':
    case 'timeout':
      return true;
    case 'http':
      return options.status !== undefined && isRetryableStatus(options.status);
    case 'stream':
      // Part of the answer may already have reached the client; the caller decides.
      return false;
    default: {
      const unexpected: never = options.kind;
      return unexpected;
    }
  }
}

function defaultMessage(options: UpstreamErrorOptions): string {
  const from = options.provider ? ` from ${options.provider}` : '';
  switch (options.kind) {
    case 'connection':
      return `Could not connect to the upstream provider${from}`;
    case 'timeout':
      return `The upstream provider${from} did not answer in time`;
    case 'http':
      return `The upstream provider${from} answered with HTTP ${options.status ?? 'error'}`;
    case 'stream':
      return `The upstream stream${from} broke`;
    default: {
      const unexpected: never = options.kind;
      return unexpected;
    }
  }
}
