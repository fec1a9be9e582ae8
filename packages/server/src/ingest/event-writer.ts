import { createEventId, type EventBatch, type EventStore } from '@tollgate/core';
import type { FastifyBaseLogger } from 'fastify';
import { ApiError } from '../http/errors';
import { isEventStoreError } from '../stores/events/event-store-error';
import type { Spool } from './spool';

interface PendingWrite {
  rows: Buffer;
  rowCount: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface EventWriterOptions {
  store: EventStore;
  spool: Spool;
  logger: FastifyBaseLogger;
  insertTimeoutMs: number;
  /** Upper bound of rows in one insert (a single larger write still goes alone). */
  maxBatchRows?: number;
  /** Upper bound of JSONEachRow bytes in one insert (a single larger write still goes alone). */
  maxBatchBytes?: number;
  /**
   * Inserts that may run at once. Writes that arrive while every slot is busy
   * wait and go together in the next insert (group commit).
   */
  maxInFlight?: number;
  /** How often to retry the store while events are spooled. */
  retryIntervalMs?: number;
}

export interface EventWriterStats {
  committedRows: number;
  spooledRows: number;
  replayedRows: number;
  rejectedRows: number;
  inserts: number;
}

/**
 * Bounds of one insert. Past ~10,000 rows an insert into the embedded store
 * gains little per row (its fixed cost, a part per table, is already spread)
 * while its memory and the latency of every write in it keep growing.
 */
export const DEFAULT_MAX_BATCH_ROWS = 10_000;
export const DEFAULT_MAX_BATCH_BYTES = 32 * 1024 * 1024;
/** See `EventWriterOptions.maxInFlight`; chosen by `bench/ingest` (see bench/RESULTS.md). */
export const DEFAULT_MAX_IN_FLIGHT = 1;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`insert timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The one path into the event store, shared by ingestion and the gateway.
 *
 * Group commit: writes that arrive while every insert slot is busy
 * (`maxInFlight`) wait and go together in the next insert, up to
 * `maxBatchRows` / `maxBatchBytes`; each `write` resolves only once the insert
 * holding its rows has committed (or the rows are fsynced to the spool), so
 * an acknowledged event survives `kill -9`.
 *
 * When the store fails, batches go to the spool and are replayed, with their
 * original batch id as de-duplication token, once the store answers again.
 */
export class EventWriter {
  readonly stats: EventWriterStats = {
    committedRows: 0,
    spooledRows: 0,
    replayedRows: 0,
    rejectedRows: 0,
    inserts: 0,
  };
  private pending: PendingWrite[] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private storeHealthy = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private replaying: Promise<void> | undefined;
  private readonly maxBatchRows: number;
  private readonly maxBatchBytes: number;
  private readonly maxInFlight: number;
  private readonly retryIntervalMs: number;

  constructor(private readonly options: EventWriterOptions) {
    this.maxBatchRows = options.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS;
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.retryIntervalMs = options.retryIntervalMs ?? 2_000;
  }

  /** Replays what an earlier process left in the spool, then keeps retrying while anything is spooled. */
  async start(): Promise<void> {
    if (!this.options.spool.isEmpty) {
      this.options.logger.warn(
        { spoolBytes: this.options.spool.bytes },
        'spooled events found from an earlier run; replaying',
      );
      await this.replaySpool();
    }
    this.retryTimer = setInterval(() => {
      if (!this.storeHealthy || !this.options.spool.isEmpty) void this.replaySpool();
    }, this.retryIntervalMs);
    this.retryTimer.unref();
  }

  get isSpooling(): boolean {
    return !this.storeHealthy;
  }

  /** Resolves once the rows are committed to the store or durably spooled. */
  write(rows: Buffer, rowCount: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ rows, rowCount, resolve, reject });
      this.pump();
    });
  }

  /** Waits for every pending write, then stops retrying. */
  async close(): Promise<void> {
    while (this.pending.length > 0 || this.inFlight > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    clearInterval(this.retryTimer);
    await this.replaying;
  }

  /** Starts an insert for the pending writes while a slot is free. */
  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      const group = this.takeGroup();
      this.inFlight += 1;
      void this.insertGroup(group).finally(() => {
        this.inFlight -= 1;
        this.pump();
        if (this.inFlight === 0 && this.pending.length === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const wake of waiters) wake();
        }
      });
    }
  }

  private async insertGroup(group: PendingWrite[]): Promise<void> {
    const rowCount = group.reduce((total, write) => total + write.rowCount, 0);
    try {
      const batch: EventBatch = {
        id: createEventId(),
        rows: group.length === 1 ? group[0]!.rows : Buffer.concat(group.map((write) => write.rows)),
        rowCount,
      };
      await this.commit(batch);
      for (const write of group) write.resolve();
    } catch (error) {
      this.stats.rejectedRows += rowCount;
      for (const write of group) write.reject(error);
    }
  }

  /** The oldest pending writes, up to the row and byte bounds (at least one write). */
  private takeGroup(): PendingWrite[] {
    let rows = 0;
    let bytes = 0;
    let count = 0;
    while (count < this.pending.length) {
      const next = this.pending[count]!;
      if (
        count > 0 &&
        (rows + next.rowCount > this.maxBatchRows || bytes + next.rows.length > this.maxBatchBytes)
      )
        break;
      rows += next.rowCount;
      bytes += next.rows.length;
      count += 1;
    }
    return this.pending.splice(0, count);
  }

  private async commit(batch: EventBatch): Promise<void> {
    if (this.storeHealthy && this.options.spool.isEmpty) {
      try {
        await withTimeout(this.options.store.insert(batch), this.options.insertTimeoutMs);
        this.stats.committedRows += batch.rowCount;
        this.stats.inserts += 1;
        return;
      } catch (error) {
        // A batch the engine refuses (not an outage) would fail the same way on replay.
        if (isEventStoreError(error) && !error.retryable) throw error;
        this.storeHealthy = false;
        this.options.logger.error(
          { err: error, rows: batch.rowCount },
          'event store insert failed; spooling events until it recovers',
        );
      }
    }
    if (!this.options.spool.fits(batch.rows.length)) {
      throw new ApiError(
        'spool_full',
        `the event store is unavailable and the spool is full (${this.options.spool.maxBytes} bytes); retry later`,
      );
    }
    await this.options.spool.append(batch);
    this.stats.spooledRows += batch.rowCount;
  }

  private replaySpool(): Promise<void> {
    this.replaying ??= (async () => {
      try {
        await this.options.store.ping();
        const replayed = await this.options.spool.replay(async (batch) => {
          await withTimeout(this.options.store.insert(batch), this.options.insertTimeoutMs);
          this.stats.replayedRows += batch.rowCount;
        });
        if (!this.storeHealthy || replayed > 0) {
          this.options.logger.info({ batches: replayed }, 'event store reachable; spool replayed');
        }
        this.storeHealthy = true;
      } catch (error) {
        this.options.logger.warn(
          { err: error },
          'event store still unavailable; events stay spooled',
        );
      } finally {
        this.replaying = undefined;
      }
    })();
    return this.replaying;
  }
}
