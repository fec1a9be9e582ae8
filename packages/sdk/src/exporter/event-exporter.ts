import { retryDelay, type Clock, type EventInput } from '@tollgate/core';
import { createBackgroundClock } from '../runtime/background-clock';
import { describeError, type WarningSink } from '../runtime/warn';
import { BoundedQueue } from './bounded-queue';
import { postEvents, type PostTarget } from './post-events';

export interface ExporterOptions {
  /** `POST` target, e.g. `http://localhost:4000/api/v1/events`. */
  url: string;
  apiKey: string;
  batchSize: number;
  flushIntervalMs: number;
  maxQueueSize: number;
  requestTimeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Attempts after the first before a batch is dropped; default unlimited (the queue bounds memory). */
  maxRetries: number;
  flushTimeoutMs: number;
  fetch: typeof fetch;
  warn: WarningSink;
  /** Injected in tests; the default never keeps the process alive except while shutting down. */
  clock?: Clock;
  random?: () => number;
}

export interface ExporterStats {
  /** Events handed to `record()`. */
  recorded: number;
  /** Events the server stored. */
  sent: number;
  /** Events waiting in the queue. */
  queued: number;
  /** Events of the batch being sent. */
  inFlight: number;
  /** Events lost: the oldest when the queue was full, those unsent at a shutdown deadline or recorded after it. */
  dropped: number;
  /** Events the server refused as invalid (they are never retried). */
  rejected: number;
  /** Requests that failed and were retried. */
  failedRequests: number;
  /** False from a failed request until the next one succeeds. */
  serverReachable: boolean;
}

export interface FlushResult {
  /** True when every event recorded before the call reached the server (stored, or refused as invalid) and none was dropped meanwhile. */
  complete: boolean;
  /** Events still queued or in flight when the call returned. */
  pending: number;
  /** Events dropped while the call waited (queue overflow, or the shutdown deadline). */
  dropped: number;
}

interface FlushWaiter {
  target: number;
  resolve: () => void;
}

/**
 * Queues events and sends them in batches, by size and at an interval, with
 * exponential backoff and full jitter while the server is unreachable. The
 * queue is bounded and drops its oldest events when full. Nothing here throws
 * to the caller: failures become counters and at most one warning per outage.
 */
export class EventExporter {
  private readonly queue: BoundedQueue<EventInput>;
  private readonly clock: Clock;
  private readonly target: PostTarget;
  private recorded = 0;
  private sent = 0;
  private dropped = 0;
  private rejected = 0;
  private failedRequests = 0;
  /** Events whose fate is known: sent, rejected or dropped. */
  private settled = 0;
  private inFlight = 0;
  private pumping: Promise<void> | undefined;
  private timerArmed = false;
  private drainRequested = false;
  private waiters: FlushWaiter[] = [];
  private wake = new AbortController();
  private readonly stopped = new AbortController();
  private closing = false;
  private closed = false;
  private deadline = Infinity;
  private failing = false;
  private droppedBeforeOutage = 0;
  private warnedDrop = false;
  private warnedRejected = false;
  private warnedClosed = false;
  private shutdownPromise: Promise<FlushResult> | undefined;

  constructor(private readonly options: ExporterOptions) {
    this.queue = new BoundedQueue(options.maxQueueSize);
    this.clock = options.clock ?? createBackgroundClock(() => this.closing);
    this.target = {
      url: options.url,
      apiKey: options.apiKey,
      timeoutMs: options.requestTimeoutMs,
      fetch: options.fetch,
    };
  }

  record(event: EventInput): void {
    this.recorded += 1;
    if (this.closed) {
      this.drop(1);
      if (!this.warnedClosed) {
        this.warnedClosed = true;
        this.options.warn('an event was recorded after shutdown(); it is dropped');
      }
      return;
    }
    if (this.queue.push(event)) {
      this.drop(1);
      if (!this.warnedDrop) {
        this.warnedDrop = true;
        this.options.warn(
          `the event queue is full (${this.options.maxQueueSize}): dropping the oldest events until the server takes them again`,
        );
      }
    }
    if (this.queue.length >= this.options.batchSize) this.startPump();
    else if (!this.timerArmed) this.armTimer();
  }

  stats(): ExporterStats {
    return {
      recorded: this.recorded,
      sent: this.sent,
      queued: this.queue.length,
      inFlight: this.inFlight,
      dropped: this.dropped,
      rejected: this.rejected,
      failedRequests: this.failedRequests,
      serverReachable: !this.failing,
    };
  }

  /** Sends everything recorded so far; resolves when it is sent or `timeoutMs` passes. */
  async flush(options: { timeoutMs?: number } = {}): Promise<FlushResult> {
    const target = this.recorded;
    const droppedBefore = this.dropped;
    if (this.settled >= target) return { complete: true, pending: 0, dropped: 0 };
    const done = new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    this.wakeUp();
    this.startPump();
    const timeoutMs = options.timeoutMs ?? this.options.flushTimeoutMs;
    const timeout = new AbortController();
    await Promise.race([done, this.clock.sleep(timeoutMs, timeout.signal).catch(() => undefined)]);
    timeout.abort();
    const dropped = this.dropped - droppedBefore;
    return {
      complete: this.settled >= target && dropped === 0,
      pending: this.recorded - this.settled,
      dropped,
    };
  }

  /**
   * Flushes (retrying until `timeoutMs`), then stops: later events are
   * dropped. Calling it again returns the same result.
   */
  shutdown(options: { timeoutMs?: number } = {}): Promise<FlushResult> {
    this.shutdownPromise ??= this.close(options.timeoutMs ?? 10_000);
    return this.shutdownPromise;
  }

  /** True once `shutdown()` has begun. */
  get isClosing(): boolean {
    return this.closing;
  }

  /** Whether anything is still waiting to be sent. */
  get hasPending(): boolean {
    return this.queue.length > 0 || this.inFlight > 0;
  }

  private async close(timeoutMs: number): Promise<FlushResult> {
    this.closing = true;
    this.deadline = this.clock.now() + timeoutMs;
    const result = await this.flush({ timeoutMs });
    this.closed = true;
    this.stopped.abort();
    const unsent = this.queue.take(this.queue.length).length;
    if (unsent > 0) this.drop(unsent);
    const lost = result.dropped + result.pending;
    if (lost > 0) {
      this.options.warn(
        `shutdown: ${lost} event(s) could not be sent to ${this.options.url} within ${timeoutMs} ms and are lost`,
      );
    }
    return result;
  }

  private armTimer(): void {
    this.timerArmed = true;
    this.clock.sleep(this.options.flushIntervalMs, this.stopped.signal).then(
      () => {
        this.timerArmed = false;
        this.drainRequested = true;
        this.startPump();
      },
      () => {
        this.timerArmed = false;
      },
    );
  }

  private startPump(): void {
    if (this.pumping) return;
    this.pumping = Promise.resolve()
      .then(() => this.pump())
      .catch((error: unknown) => this.options.warn(`exporter error: ${describeError(error)}`))
      .finally(() => {
        this.pumping = undefined;
        if (this.closed || this.queue.length === 0) return;
        if (this.queue.length >= this.options.batchSize || this.waiters.length > 0) {
          this.startPump();
        } else if (!this.timerArmed) {
          this.armTimer();
        }
      });
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const drain = this.drainRequested || this.closing || this.waiters.length > 0;
      if (this.queue.length < this.options.batchSize && !drain) break;
      const batch = this.queue.take(this.options.batchSize);
      this.inFlight = batch.length;
      try {
        await this.deliver(batch);
      } finally {
        this.inFlight = 0;
      }
    }
    this.drainRequested = false;
  }

  private async deliver(events: EventInput[]): Promise<void> {
    const { body, count } = this.serialize(events);
    if (count === 0) return;
    for (let attempt = 1; ; attempt++) {
      if (this.closing && this.clock.now() >= this.deadline) {
        this.drop(count);
        return;
      }
      const outcome = await postEvents(this.target, body, count);
      switch (outcome.kind) {
        case 'stored':
          this.reachable();
          this.sent += outcome.accepted;
          if (outcome.rejected > 0) this.reject(outcome.rejected, outcome.firstError);
          this.settle(outcome.accepted + outcome.rejected);
          return;
        case 'refused':
          this.reachable();
          this.reject(count, outcome.reason);
          this.settle(count);
          return;
        case 'too-large': {
          this.reachable();
          if (events.length <= 1) {
            this.reject(count, 'an event is larger than the server accepts');
            this.settle(count);
            return;
          }
          const half = Math.ceil(events.length / 2);
          await this.deliver(events.slice(0, half));
          await this.deliver(events.slice(half));
          return;
        }
        case 'retry': {
          this.failedRequests += 1;
          this.unreachable(outcome.reason);
          if (attempt > this.options.maxRetries) {
            this.drop(count);
            return;
          }
          const delayMs = retryDelay({
            attempt,
            baseMs: this.options.retryBaseMs,
            maxMs: this.options.retryMaxMs,
            random: this.options.random,
            retryAfterMs: outcome.retryAfterMs,
          });
          const waitMs = this.closing
            ? Math.min(delayMs, Math.max(0, this.deadline - this.clock.now()))
            : delayMs;
          await this.clock.sleep(waitMs, this.wake.signal).catch(() => undefined);
          break;
        }
        default: {
          const unexpected: never = outcome;
          throw new Error(`unknown outcome ${JSON.stringify(unexpected)}`);
        }
      }
    }
  }

  /** The batch as a JSON array; an event that cannot be serialized (a cycle, a BigInt) is rejected alone. */
  private serialize(events: EventInput[]): { body: string; count: number } {
    try {
      return { body: JSON.stringify(events), count: events.length };
    } catch {
      const parts: string[] = [];
      for (const event of events) {
        try {
          parts.push(JSON.stringify(event));
        } catch (error) {
          this.reject(1, `an event cannot be serialized as JSON: ${describeError(error)}`);
          this.settle(1);
        }
      }
      return { body: `[${parts.join(',')}]`, count: parts.length };
    }
  }

  private wakeUp(): void {
    const current = this.wake;
    this.wake = new AbortController();
    current.abort();
  }

  private drop(count: number): void {
    this.dropped += count;
    this.settle(count);
  }

  private reject(count: number, reason: string | undefined): void {
    this.rejected += count;
    if (!this.warnedRejected) {
      this.warnedRejected = true;
      this.options.warn(
        `the server refused ${count} event(s)${reason ? `: ${reason}` : ''} (further refusals are counted in stats().rejected)`,
      );
    }
  }

  private settle(count: number): void {
    this.settled += count;
    if (this.waiters.length === 0) return;
    const waiting: FlushWaiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.target <= this.settled) waiter.resolve();
      else waiting.push(waiter);
    }
    this.waiters = waiting;
  }

  private unreachable(reason: string): void {
    if (this.failing) return;
    this.failing = true;
    this.droppedBeforeOutage = this.dropped;
    this.options.warn(
      `cannot send events to ${this.options.url} (${reason}); retrying with backoff and keeping up to ${this.options.maxQueueSize} queued. The app is not affected.`,
    );
  }

  private reachable(): void {
    if (!this.failing) return;
    this.failing = false;
    this.warnedDrop = false;
    const lost = this.dropped - this.droppedBeforeOutage;
    this.options.warn(
      `sending events to ${this.options.url} again${lost > 0 ? `; ${lost} event(s) were dropped while it was unreachable` : ''}`,
    );
  }
}
