import {
  isFailoverError,
  isUpstreamError,
  UpstreamError,
  type EventStatus,
  type FailoverAttempt,
  type UpstreamErrorReason,
} from '@tollgate/core';

/** The recorded status of a call that failed: a timeout, a rate limit or an error. */
export function statusOf(error: unknown): EventStatus {
  const cause = isFailoverError(error) ? error.lastError : error;
  if (isUpstreamError(cause)) {
    if (cause.kind === 'timeout') return 'timeout';
    if (cause.status === 429) return 'rate_limited';
  }
  if (isFailoverError(error) && error.reason === 'deadline') return 'timeout';
  return 'error';
}

/** The message to record for a failed call: the last attempt's, when failover gave up. */
export function messageOf(error: unknown): string {
  const cause = isFailoverError(error) ? (error.lastError ?? error) : error;
  return cause instanceof Error ? cause.message : String(cause);
}

/** Causes a stream may name in its first event that another attempt may not meet. */
const PASSING_STREAM_REASONS: ReadonlySet<UpstreamErrorReason> = new Set([
  'overloaded',
  'rate_limited',
  'unknown',
]);

/**
 * A stream that broke before its first chunk has sent the client nothing, so
 * it is retried and failed over like a refused request (a stream error is
 * otherwise final: part of the answer may be out). Our own per-attempt
 * timeout (the signal aborted) is a timeout; a cause the provider named
 * (context window, content policy, ...) keeps the error final.
 */
export function failedBeforeFirstChunk(error: unknown, signal: AbortSignal): unknown {
  if (!isUpstreamError(error) || error.kind !== 'stream') return error;
  return new UpstreamError({
    kind: signal.aborted ? 'timeout' : 'stream',
    message: error.message,
    status: error.status,
    body: error.body,
    reason: error.reason,
    provider: error.provider,
    retryAfterMs: error.retryAfterMs,
    isRetryable: error.reason === undefined || PASSING_STREAM_REASONS.has(error.reason),
    cause: error,
  });
}

export function attemptsOf(error: unknown): FailoverAttempt[] {
  return isFailoverError(error) ? error.attempts : [];
}
