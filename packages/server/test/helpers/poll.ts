import type { ManualClock } from '@tollgate/core';

/**
 * The one way tests wait for something that happens over real sockets or
 * timers they do not drive (a request arriving, an insert committing): poll
 * until it holds, then fail naming what never happened. Time a test can
 * drive (breakers, budgets, alerts) goes through a manual clock instead.
 */

export interface PollOptions {
  /** Give up after this long; default 10 s. */
  timeoutMs?: number;
  /** Wait this long between looks; default 10 ms. */
  intervalMs?: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `condition()` holds; rejects with "timed out waiting for <what>" otherwise. */
export async function until(
  condition: () => boolean,
  what: string,
  options: PollOptions = {},
): Promise<void> {
  const giveUpAt = Date.now() + (options.timeoutMs ?? 10_000);
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await pause(options.intervalMs ?? 10);
  }
}

/** Reads until `done(value)` holds and returns that value; rejects naming `what` otherwise. */
export async function waitFor<Value>(
  read: () => Promise<Value>,
  done: (value: Value) => boolean,
  what: string,
  options: PollOptions = {},
): Promise<Value> {
  const giveUpAt = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await pause(options.intervalMs ?? 100);
  }
}

export interface AdvanceOptions extends PollOptions {
  /** How far the clock moves between looks; default 1 s. */
  stepMs?: number;
}

/**
 * Moves `clock` a step at a time until `condition()` holds: for time the
 * server waits on (a webhook's backoff, a breaker's cool-down, the next
 * evaluation pass) where what a step wakes also needs real I/O (a request to
 * a receiver) before the next step. Rejects naming `what` after `timeoutMs`
 * of real time.
 */
export async function advanceUntil(
  clock: ManualClock,
  condition: () => boolean,
  what: string,
  options: AdvanceOptions = {},
): Promise<void> {
  const giveUpAt = Date.now() + (options.timeoutMs ?? 10_000);
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await clock.advance(options.stepMs ?? 1_000);
    await pause(options.intervalMs ?? 10);
  }
}
