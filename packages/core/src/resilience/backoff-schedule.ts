/**
 * The waits between polls of a job that is not done yet: `initialMs` before
 * the second poll, then ×`factor` each time, never more than `maxMs`. With
 * the defaults: 2 s, 3 s, 4.5 s, 6.75 s, 10.1 s, 15.2 s, 22.8 s, 30 s, 30 s …
 * Pure, so the gateway's job follower (which keeps its next poll time in the
 * meta store) and `pollWithBackoff` (which sleeps on a clock) share it.
 */
export interface BackoffScheduleOptions {
  /** First wait; default 2000. */
  initialMs?: number;
  /** Each wait is the previous one times this; default 1.5. */
  factor?: number;
  /** Longest wait; default 30 000. */
  maxMs?: number;
}

export const DEFAULT_POLL_BACKOFF = { initialMs: 2_000, factor: 1.5, maxMs: 30_000 } as const;

/** The wait after poll number `poll` (from 1) before the next one. */
export function pollWaitMs(poll: number, options: BackoffScheduleOptions = {}): number {
  const {
    initialMs = DEFAULT_POLL_BACKOFF.initialMs,
    factor = DEFAULT_POLL_BACKOFF.factor,
    maxMs = DEFAULT_POLL_BACKOFF.maxMs,
  } = options;
  if (!Number.isInteger(poll) || poll < 1)
    throw new RangeError(`poll must be 1 or more, got ${poll}`);
  let wait = Math.min(initialMs, maxMs);
  // A loop, not factor ** n: the same float steps as a poller that multiplies as it goes.
  for (let step = 1; step < poll && wait < maxMs; step++) wait = Math.min(wait * factor, maxMs);
  return wait;
}

/** The first `count` waits of the schedule. */
export function pollSchedule(count: number, options: BackoffScheduleOptions = {}): number[] {
  return Array.from({ length: count }, (_, index) => pollWaitMs(index + 1, options));
}
