import { describe, expect, it } from 'vitest';
import {
  UpstreamError,
  createHttpUpstreamError,
  isRetryableStatus,
  isUpstreamError,
  parseRetryAfter,
  parseRetryAfterMs,
  retryAfterFromHeaders,
} from './upstream-error';

describe('isRetryableStatus', () => {
  it('retries 408, 409, 429 and 5xx only', () => {
    expect([408, 409, 429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 400, 401, 403, 404, 413, 422, 600].some(isRetryableStatus)).toBe(false);
  });
});

describe('UpstreamError', () => {
  it('defaults isRetryable from the kind and status', () => {
    expect(new UpstreamError({ kind: 'connection' }).isRetryable).toBe(true);
    expect(new UpstreamError({ kind: 'timeout' }).isRetryable).toBe(true);
    expect(new UpstreamError({ kind: 'http', status: 503 }).isRetryable).toBe(true);
    expect(new UpstreamError({ kind: 'http', status: 400 }).isRetryable).toBe(false);
    expect(new UpstreamError({ kind: 'stream' }).isRetryable).toBe(false);
    expect(new UpstreamError({ kind: 'http', status: 400, isRetryable: true }).isRetryable).toBe(
      true,
    );
  });

  it('keeps status, body, reason and cause', () => {
    const cause = new Error('socket hang up');
    const error = new UpstreamError({
      kind: 'http',
      status: 400,
      body: '{"error":{"code":"context_length_exceeded"}}',
      reason: 'context_window_exceeded',
      provider: 'openai',
      cause,
    });
    expect(error).toMatchObject({
      name: 'UpstreamError',
      status: 400,
      reason: 'context_window_exceeded',
    });
    expect(error.message).toBe('The upstream provider from openai answered with HTTP 400');
    expect(error.cause).toBe(cause);
  });
});

describe('isUpstreamError', () => {
  it('recognises the brand, not the class, so another copy of the package counts', () => {
    expect(isUpstreamError(new UpstreamError({ kind: 'timeout' }))).toBe(true);
    const fromAnotherCopy = Object.assign(new Error('x'), {
      [Symbol.for('tollgate.upstream-error')]: true,
    });
    expect(isUpstreamError(fromAnotherCopy)).toBe(true);
    expect(isUpstreamError(new Error('x'))).toBe(false);
    expect(isUpstreamError({ kind: 'http', isRetryable: true })).toBe(false);
    expect(isUpstreamError(null)).toBe(false);
    expect(isUpstreamError('UpstreamError')).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1_500);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads an HTTP date relative to now, a past date being 0', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores missing, negative and unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('reads retry-after-ms, preferring it to Retry-After', () => {
    expect(parseRetryAfterMs('250')).toBe(250);
    expect(parseRetryAfterMs('-1')).toBeUndefined();
    expect(
      retryAfterFromHeaders(new Headers({ 'retry-after-ms': '250', 'retry-after': '3' }), now),
    ).toBe(250);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': '3' }), now)).toBe(3_000);
    expect(retryAfterFromHeaders(new Headers(), now)).toBeUndefined();
  });
});

describe('createHttpUpstreamError', () => {
  it('takes the wait from the headers', () => {
    const error = createHttpUpstreamError({
      status: 429,
      body: 'slow down',
      headers: new Headers({ 'retry-after': '7' }),
      now: 0,
      reason: 'rate_limited',
    });
    expect(error).toMatchObject({
      kind: 'http',
      status: 429,
      isRetryable: true,
      retryAfterMs: 7_000,
    });
  });
});
