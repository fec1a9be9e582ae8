/**
 * Time as the resilience primitives see it. Injected everywhere so tests drive
 * time with a `ManualClock` instead of sleeping (STYLE 15).
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` if the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `fire` after `ms` unless the returned cancel function is called
   * first. Optional: `startTimer` builds it on `sleep` for a clock without it.
   */
  timer?(ms: number, fire: () => void): () => void;
}

/** Why a timer built on `sleep` is cancelled; given so `abort()` builds no DOMException. */
const TIMER_CANCELLED = Symbol('timer cancelled');

/**
 * A cancellable timer on `clock`. Timeouts that are nearly always cancelled
 * (per attempt, per call) use this: on the system clock it is a bare
 * `setTimeout`, with no promise, abort controller or listener per call.
 */
export function startTimer(clock: Clock, ms: number, fire: () => void): () => void {
  if (clock.timer) return clock.timer(ms, fire);
  const disarm = new AbortController();
  clock.sleep(ms, disarm.signal).then(fire, () => {});
  return () => disarm.abort(TIMER_CANCELLED);
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  timer(ms, fire) {
    const timer = setTimeout(fire, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

interface Sleeper {
  wakeAt: number;
  order: number;
  wake: () => void;
}

/**
 * A clock for tests: time stands still until `advance(ms)` moves it. Pending
 * sleeps wake in order of their wake time (ties in the order they started),
 * and the code each one resumes runs before the next wakes, so sleeps started
 * while advancing also wake if they fall inside the advanced span.
 */
export class ManualClock implements Clock {
  private time: number;
  private sleepers: Sleeper[] = [];
  private nextOrder = 0;

  constructor(startAt = 0) {
    this.time = startAt;
  }

  now(): number {
    return this.time;
  }

  /** Number of sleeps not yet woken (or aborted). */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((other) => other !== sleeper);
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        wakeAt: this.time + ms,
        order: this.nextOrder++,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Moves time forward by `ms`, waking every sleep due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const next = this.earliestSleeper();
      if (!next || next.wakeAt > target) break;
      this.sleepers = this.sleepers.filter((other) => other !== next);
      this.time = Math.max(this.time, next.wakeAt);
      next.wake();
      await settle();
    }
    this.time = target;
  }

  private earliestSleeper(): Sleeper | undefined {
    let earliest: Sleeper | undefined;
    for (const sleeper of this.sleepers) {
      if (
        !earliest ||
        sleeper.wakeAt < earliest.wakeAt ||
        (sleeper.wakeAt === earliest.wakeAt && sleeper.order < earliest.order)
      ) {
        earliest = sleeper;
      }
    }
    return earliest;
  }
}

/** Lets every promise continuation queued so far run (one macrotask turn; not a sleep). */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
