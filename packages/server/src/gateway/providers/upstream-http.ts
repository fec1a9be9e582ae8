/**
 * Upstream HTTP for every networked provider, over undici with keep-alive.
 * Failures become `UpstreamError`s here, once: before the response
 * (connection, timeout), on a non-2xx status (the provider's error spec reads
 * the body), and mid-stream (kind 'stream').
 */
import { UpstreamError, isUpstreamError } from '@tollgate/core';
import type { HeaderReader, ProviderName } from '@tollgate/core';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { isOutboundRefused, REFUSED_MESSAGE } from '../../outbound/outbound-policy';
import { createHttpError } from './provider-error-spec';
import type { ProviderErrorSpec } from './provider-error-spec';
import { parseSseStream } from './sse-parser';
import type { SseEvent } from './sse-parser';

/** How providers reach the network; one shared keep-alive dispatcher for the whole gateway. */
export interface HttpTransport {
  /** Default: undici's global dispatcher (an Agent with keep-alive). */
  dispatcher?: Dispatcher;
  now: () => number;
}

export interface UpstreamRequest {
  provider: ProviderName;
  url: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  errorSpec: ProviderErrorSpec<unknown>;
}

export interface UpstreamResponse {
  status: number;
  headers: HeaderReader;
  body: Dispatcher.ResponseData['body'];
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** POSTs and waits for a 2xx status and headers; anything else throws an `UpstreamError`. */
export function postUpstream(
  transport: HttpTransport,
  upstream: UpstreamRequest,
): Promise<UpstreamResponse> {
  return sendUpstream(transport, upstream, 'POST');
}

/**
 * GETs (the upstream's `body` is not sent) and waits for a 2xx status; a
 * redirect is followed, up to 5 of them, each through the same dispatcher (so
 * the outbound policy checks every address). Anything else throws an `UpstreamError`.
 */
export async function getUpstream(
  transport: HttpTransport,
  upstream: UpstreamRequest,
): Promise<UpstreamResponse> {
  let url = upstream.url;
  for (let redirects = 0; ; redirects++) {
    const response = await sendUpstream(transport, { ...upstream, url }, 'GET', redirects < 5);
    const location = response.headers.get('location');
    if (response.status < 300 || !location) return response;
    await response.body.dump();
    url = new URL(location, url).toString();
  }
}

async function sendUpstream(
  transport: HttpTransport,
  upstream: UpstreamRequest,
  method: 'GET' | 'POST',
  acceptRedirect = false,
): Promise<UpstreamResponse> {
  let response: Dispatcher.ResponseData;
  try {
    response = await request(upstream.url, {
      method,
      headers: upstream.headers,
      ...(method === 'POST' ? { body: upstream.body } : {}),
      signal: upstream.signal,
      ...(transport.dispatcher ? { dispatcher: transport.dispatcher } : {}),
    });
  } catch (error) {
    throw toUpstreamError(error, upstream, 'request');
  }
  const headers = headerReader(response.headers);
  const redirect = acceptRedirect && [301, 302, 303, 307, 308].includes(response.statusCode);
  if ((response.statusCode >= 200 && response.statusCode < 300) || redirect) {
    return { status: response.statusCode, headers, body: response.body };
  }
  const body = await readText(response.body, upstream);
  throw createHttpError(upstream.errorSpec, {
    provider: upstream.provider,
    status: response.statusCode,
    headers,
    body,
    now: transport.now(),
  });
}

/** The whole response body as bytes. */
export async function readBodyBytes(
  response: UpstreamResponse,
  upstream: UpstreamRequest,
): Promise<Buffer> {
  try {
    return Buffer.from(await response.body.arrayBuffer());
  } catch (error) {
    throw toUpstreamError(error, upstream, 'request');
  }
}

/** Parses JSON bytes, turning a body that is not JSON into a retryable `UpstreamError`. */
export function parseJsonBody(bytes: Buffer, upstream: UpstreamRequest, status: number): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw invalidResponseError(upstream.provider, status, bytes.toString('utf8', 0, 500), error);
  }
}

/** An upstream 2xx answer we cannot read: treated like a bad gateway, worth another attempt. */
export function invalidResponseError(
  provider: ProviderName,
  status: number,
  body: string,
  cause?: unknown,
): UpstreamError {
  return new UpstreamError({
    kind: 'http',
    provider,
    status,
    body,
    isRetryable: true,
    message: `${provider} returned a response Tollgate cannot read`,
    cause,
  });
}

/** The response body's SSE events; a failure while reading throws an `UpstreamError` of kind 'stream'. */
export async function* readSseEvents(
  response: UpstreamResponse,
  upstream: UpstreamRequest,
): AsyncGenerator<SseEvent, void, undefined> {
  try {
    yield* parseSseStream(response.body);
  } catch (error) {
    throw toUpstreamError(error, upstream, 'stream');
  }
}

/** The error for a stream that ended before its final event. */
export function streamEndedEarly(provider: ProviderName, expected: string): UpstreamError {
  return new UpstreamError({
    kind: 'stream',
    provider,
    message: `${provider} stream ended before ${expected}`,
  });
}

/**
 * What an aborted call throws: an `UpstreamError` when the signal's reason is a
 * timeout (kind 'timeout', or 'stream' once streaming began), otherwise the
 * reason itself (the caller gave up; nothing to retry).
 */
export function errorOfAbort(
  signal: AbortSignal,
  provider: ProviderName,
  phase: 'request' | 'stream',
  cause?: unknown,
): unknown {
  const reason: unknown = signal.reason;
  if ((reason as { name?: unknown } | undefined)?.name !== 'TimeoutError') return reason;
  return new UpstreamError({
    kind: phase === 'stream' ? 'stream' : 'timeout',
    provider,
    message: `${provider} did not answer in time`,
    cause: cause ?? reason,
  });
}

function toUpstreamError(
  error: unknown,
  upstream: UpstreamRequest,
  phase: 'request' | 'stream',
): unknown {
  if (isUpstreamError(error)) return error;
  const { provider, signal } = upstream;
  if (signal.aborted) return errorOfAbort(signal, provider, phase, error);
  if (isOutboundRefused(error)) {
    return new UpstreamError({
      kind: 'connection',
      provider,
      message: `${provider} request ${REFUSED_MESSAGE}`,
      isRetryable: false,
      cause: error,
    });
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  const timedOut = typeof code === 'string' && TIMEOUT_CODES.has(code);
  // The message reaches the caller: it never tells a closed port from an open one that does not
  // speak HTTP (the cause, for the log, does).
  return new UpstreamError({
    kind: phase === 'stream' ? 'stream' : timedOut ? 'timeout' : 'connection',
    provider,
    message:
      phase === 'stream'
        ? `${provider} stream broke`
        : timedOut
          ? `${provider} did not answer in time`
          : `${provider} request failed: no HTTP answer`,
    cause: error,
  });
}

async function readText(
  body: UpstreamResponse['body'],
  upstream: UpstreamRequest,
): Promise<string> {
  try {
    return await body.text();
  } catch (error) {
    throw toUpstreamError(error, upstream, 'request');
  }
}

function headerReader(headers: Record<string, string | string[] | undefined>): HeaderReader {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? (value[0] ?? null) : value;
    },
  };
}

/** Joins a base URL and a path with exactly one slash. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
