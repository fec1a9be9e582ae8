import { systemClock } from './clock';
import type { Clock } from './clock';
import { isUpstreamError } from './upstream-error';

export interface RetryDelayOptions {
  /** The attempt that just failed: 1 for the first call. */
  attempt: number;
  /** Upper bound of the first delay. */
  baseMs: number;
  /** Upper bound of any backoff delay. */
  maxMs: number;
  /** Uniform in [0, 1); inject a seeded one in tests. */
  random?: () => number;
  /** The wait the upstream asked for (Retry-After), if any. */
  retryAfterMs?: number;
  /** The longest Retry-After we honour; default `maxMs`. */
  maxRetryAfterMs?: number;
}

/**
 * Exponential backoff with full jitter: uniform in [0, min(maxMs, baseMs·2^(attempt−1))).
 * A Retry-After from the upstream raises the delay to what it asked for, but
 * never beyond `maxRetryAfterMs` (default `maxMs`).
 */
export function retryDelay(options: RetryDelayOptions): number {
  const { attempt, baseMs, maxMs, random = Math.random, retryAfterMs } = options;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  if (retryAfterMs === undefined) return jittered;
  const honoured = Math.min(retryAfterMs, options.maxRetryAfterMs ?? maxMs);
  return Math.max(jittered, honoured);
}

/** The `retryAfterMs` an error carries (an `UpstreamError` or anything shaped like one). */
export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Default retry predicate: only upstream errors that say they are retryable. */
export function isRetryableError(error: unknown): boolean {
  return isUpstreamError(error) && error.isRetryable;
}

export interface RetryOptions {
  /** Retries after the first call; default 2 (so at most 3 calls). */
  maxRetries?: number;
  /** Default 500. */
  baseMs?: number;
  /** Default 10 000. */
  maxMs?: number;
  /** Default `maxMs`. */
  maxRetryAfterMs?: number;
  /** Default `isRetryableError`. */
  isRetryable?: (error: unknown) => boolean;
  clock?: Clock;
  random?: () => number;
  signal?: AbortSignal;
  /** Absolute time (`clock.now()` scale) after which no new attempt starts; we never sleep past it. */
  deadline?: number;
  /** Called before each wait, for logs and metrics. */
  onRetry?: (retry: { attempt: number; error: unknown; delayMs: number }) => void;
}

/**
 * Calls `fn` (with the attempt number, from 1) until it resolves. A failure is
 * retried while it is retryable, retries remain, the signal has not aborted
 * and the wait ends before the deadline; otherwise the last error is thrown
 * as it is.
 */
export async function retryWithBackoff<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const {
    maxRetries = 2,
    baseMs = 500,
    maxMs = 10_000,
    isRetryable = isRetryableError,
    clock = systemClock,
    signal,
    deadline,
  } = options;

  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (signal?.aborted || attempt > maxRetries || !isRetryable(error)) throw error;
      const delayMs = retryDelay({
        attempt,
        baseMs,
        maxMs,
        random: options.random,
        retryAfterMs: retryAfterOf(error),
        maxRetryAfterMs: options.maxRetryAfterMs,
      });
      if (deadline !== undefined && clock.now() + delayMs >= deadline) throw error;
      options.onRetry?.({ attempt, error, delayMs });
      await clock.sleep(delayMs, signal);
    }
  }
}
