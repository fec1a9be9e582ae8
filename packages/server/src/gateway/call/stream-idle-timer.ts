/**
 * Watches a started stream for stalls: armed while we wait for the upstream's
 * next chunk, paused while the client is being written to (a slow reader is
 * not a stalled upstream). One timer per stream, re-armed with `refresh()`, so
 * a chunk costs no timer allocation.
 */
export class StreamIdleTimer {
  private waiting = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly idleMs: number,
    onIdle: () => void,
  ) {
    this.timer = setTimeout(() => {
      if (this.waiting) onIdle();
    }, idleMs);
    this.timer.unref();
  }

  /** Call before awaiting the next chunk. */
  arm(): void {
    this.waiting = true;
    this.timer.refresh();
  }

  /** Call once the chunk (or the end) has come. */
  pause(): void {
    this.waiting = false;
  }

  stop(): void {
    this.waiting = false;
    clearTimeout(this.timer);
  }
}
