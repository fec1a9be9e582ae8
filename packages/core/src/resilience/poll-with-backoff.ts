import { DEFAULT_POLL_BACKOFF } from './backoff-schedule';
import { systemClock } from './clock';
import type { Clock } from './clock';

export type PollResult<T> = { done: true; value: T } | { done: false };

export interface PollOptions {
  /** First wait; default 2000. */
  initialMs?: number;
  /** Each wait is the previous one times this; default 1.5. */
  factor?: number;
  /** Longest wait; default 30 000. */
  maxMs?: number;
  /** Give up (with a `PollTimeoutError`) this long after the first call. */
  timeoutMs?: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** Told before each wait: the polls made so far, this wait and the total waited once it ends. */
  onWait?: (wait: PollWait) => void;
}

export interface PollWait {
  polls: number;
  waitMs: number;
  totalWaitMs: number;
}

const pollTimeoutErrorBrand: unique symbol = Symbol.for('tollgate.poll-timeout-error');

export class PollTimeoutError extends Error {
  readonly [pollTimeoutErrorBrand] = true;
  override readonly name = 'PollTimeoutError';

  constructor(
    readonly timeoutMs: number,
    readonly polls: number,
  ) {
    super(`Still not done after ${timeoutMs} ms (${polls} polls)`);
  }
}

export function isPollTimeoutError(error: unknown): error is PollTimeoutError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { [pollTimeoutErrorBrand]?: unknown })[pollTimeoutErrorBrand] === true
  );
}

/**
 * Calls `fn` (with the poll number, from 1) until it reports done, waiting
 * `initialMs`, then ×`factor` each time, up to `maxMs`, between calls. With
 * `timeoutMs`, the last wait is shortened to end at the timeout, `fn` gets one
 * final call there, and then it gives up. Errors from `fn` end the polling.
 */
export async function pollWithBackoff<T>(
  fn: (poll: number) => Promise<PollResult<T>>,
  options: PollOptions = {},
): Promise<T> {
  const {
    initialMs = DEFAULT_POLL_BACKOFF.initialMs,
    factor = DEFAULT_POLL_BACKOFF.factor,
    maxMs = DEFAULT_POLL_BACKOFF.maxMs,
    timeoutMs,
    signal,
    clock = systemClock,
    onWait,
  } = options;
  const giveUpAt = timeoutMs === undefined ? undefined : clock.now() + timeoutMs;
  let waitMs = Math.min(initialMs, maxMs);
  let totalWaitMs = 0;

  for (let poll = 1; ; poll++) {
    signal?.throwIfAborted();
    const result = await fn(poll);
    if (result.done) return result.value;

    const remainingMs = giveUpAt === undefined ? Infinity : giveUpAt - clock.now();
    if (remainingMs <= 0) throw new PollTimeoutError(timeoutMs ?? 0, poll);
    const thisWaitMs = Math.min(waitMs, remainingMs);
    totalWaitMs += thisWaitMs;
    onWait?.({ polls: poll, waitMs: thisWaitMs, totalWaitMs });
    await clock.sleep(thisWaitMs, signal);
    waitMs = Math.min(waitMs * factor, maxMs);
  }
}
