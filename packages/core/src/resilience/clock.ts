/**
 * Time as the resilience primitives see it. Injected everywhere so tests drive
 * time with a `ManualClock` instead of sleeping (STYLE 15).
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` if the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
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
