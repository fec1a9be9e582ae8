import type { Clock } from '@tollgate/core';

/**
 * The system clock, except that a wait does not keep the process alive unless
 * `keepAlive()` says so: background exporting must never hold an app open,
 * but a flush at shutdown must be allowed to finish its retries.
 */
export function createBackgroundClock(keepAlive: () => boolean): Clock {
  return {
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
        if (!keepAlive()) unrefTimer(timer);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

/** Lets the process exit while `timer` is pending (Node, Bun, Deno); a no-op elsewhere. */
export function unrefTimer(timer: unknown): void {
  const handle = timer as { unref?: () => void } | undefined;
  if (typeof handle?.unref === 'function') handle.unref();
}

/** The current time in ms with sub-ms precision, for latencies. */
export const monotonicNow: () => number =
  typeof performance !== 'undefined' && typeof performance.now === 'function'
    ? () => performance.now()
    : () => Date.now();

/** A latency rounded to microseconds, as the event model stores it. */
export function elapsedMs(startedAt: number): number {
  return Math.round((monotonicNow() - startedAt) * 1000) / 1000;
}
