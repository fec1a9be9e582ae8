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
    initialMs = 2000,
    factor = 1.5,
    maxMs = 30_000,
    timeoutMs,
    signal,
    clock = systemClock,
  } = options;
  const giveUpAt = timeoutMs === undefined ? undefined : clock.now() + timeoutMs;
  let waitMs = Math.min(initialMs, maxMs);

  for (let poll = 1; ; poll++) {
    signal?.throwIfAborted();
    const result = await fn(poll);
    if (result.done) return result.value;

    const remainingMs = giveUpAt === undefined ? Infinity : giveUpAt - clock.now();
    if (remainingMs <= 0) throw new PollTimeoutError(timeoutMs ?? 0, poll);
    await clock.sleep(Math.min(waitMs, remainingMs), signal);
    waitMs = Math.min(waitMs * factor, maxMs);
  }
}
