import {
  createEventId,
  type DeadLetterStore,
  type EventBatch,
  type EventStore,
} from '@tollgate/core';
import type { FastifyBaseLogger } from 'fastify';
import { ApiError } from '../http/errors';
import type { ErrorReporter } from '../observability/error-reporter';
import { keepDeadLetters } from './dead-letter-rows';
import type { EventIdClaims } from './event-id-claims';
import { joinEventRows, splitEventRows, type EventRowLine } from './event-rows';
import { insertIsolating } from './isolating-insert';
import type { Spool } from './spool';
import { WriterProblemReports } from './writer-problem-reports';

interface PendingWrite {
  rows: Buffer;
  rowCount: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface EventWriterOptions {
  store: EventStore;
  spool: Spool;
  /** Where rows the store refuses for good are kept (the meta store). */
  deadLetters: DeadLetterStore;
  /** Exactly once by event_id; without it every row is stored as it comes. */
  claims?: EventIdClaims;
  logger: FastifyBaseLogger;
  /** Where store outages, spool growth and dead letters are reported (`SENTRY_DSN`). */
  reporter?: ErrorReporter;
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
  /**
   * Under load, how long a free insert slot may wait for the writers of the
   * previous insert to come back (see `EventWriter`); also at most a quarter
   * of that insert's duration. 0 turns the wait off.
   */
  gatherMs?: number;
}

export interface EventWriterStats {
  committedRows: number;
  spooledRows: number;
  replayedRows: number;
  rejectedRows: number;
  /** Rows not stored because their event_id was stored (or is being stored) already. */
  duplicateRows: number;
  /** Rows the store refused for good, kept as dead letters. */
  deadLetteredRows: number;
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
/** See `EventWriterOptions.gatherMs`; chosen by `bench/ingest` (see bench/RESULTS.md). */
export const DEFAULT_GATHER_MS = 50;
/**
 * Gathering stops once this many rows are pending: the engine's fixed cost is
 * then a small part of the insert, and waiting would only leave the engine idle
 * while the event loop parses the next requests (bench/ingest, batches of 1,000:
 * 4,125 events/s with the wait against 11,875 without).
 */
export const GATHER_BELOW_ROWS = 1_000;

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
 * Gathering under load: when an insert of several writes ends, its writers
 * (clients waiting for their answer) send their next batches a moment later.
 * Starting the next insert with the first of them alone would split them into
 * a one-write insert and a group, and every insert pays the engine's fixed
 * cost (a part per table and view). So after an insert of N > 1 writes, a
 * free slot waits until N more writes than were already pending are pending
 * (or `GATHER_BELOW_ROWS` rows), at most `gatherMs` and a quarter of that
 * insert's duration. A write that finds the writer idle, or after an insert of
 * one write, starts at once: no wait when idle.
 *
 * When the store fails, batches go to the spool and are replayed, with their
 * original batch id as de-duplication token, once the store answers again.
 *
 * A bad row never takes others down: when the store refuses an insert for
 * good (not an outage), the batch is bisected down to the refused rows, the
 * rest is stored and the refused rows become dead letters; spool replays go
 * through the same isolation, so a poison batch is never retried forever.
 * Exactly once by event_id: see `EventIdClaims`.
 */
export class EventWriter {
  readonly stats: EventWriterStats = {
    committedRows: 0,
    spooledRows: 0,
    replayedRows: 0,
    rejectedRows: 0,
    duplicateRows: 0,
    deadLetteredRows: 0,
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
  private readonly gatherMs: number;
  /** Set when an insert of several writes ends: how many pending writes to wait for, and until when. */
  private gather: { writes: number; until: number } | undefined;
  private gatherTimer: NodeJS.Timeout | undefined;
  private readonly problems: WriterProblemReports;

  constructor(private readonly options: EventWriterOptions) {
    this.maxBatchRows = options.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS;
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.retryIntervalMs = options.retryIntervalMs ?? 2_000;
    this.gatherMs = Math.max(0, options.gatherMs ?? DEFAULT_GATHER_MS);
    this.problems = new WriterProblemReports(options.reporter);
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

  /**
   * Resolves once each row is committed to the store, durably spooled, kept as a
   * dead letter (refused by the store for good), or known as a copy of an event
   * stored within the de-duplication window.
   */
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
      if (this.waitForGather()) return;
      const group = this.takeGroup();
      this.inFlight += 1;
      const started = performance.now();
      void this.insertGroup(group).finally(() => {
        this.inFlight -= 1;
        const wait = group.length > 1 ? this.gatherWaitMs(performance.now() - started) : 0;
        this.gather =
          wait > 0
            ? { writes: group.length + this.pending.length, until: performance.now() + wait }
            : undefined;
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
      const rows =
        group.length === 1 ? group[0]!.rows : Buffer.concat(group.map((write) => write.rows));
      await this.commit(createEventId(), rows);
      for (const write of group) write.resolve();
    } catch (error) {
      this.stats.rejectedRows += rowCount;
      for (const write of group) write.reject(error);
    }
  }

  /** How long to gather after an insert of several writes that took `insertMs`. */
  protected gatherWaitMs(insertMs: number): number {
    return Math.min(this.gatherMs, insertMs / 4);
  }

  /**
   * True while a free slot should wait for more writes (see the class comment);
   * a timer pumps again when the wait ends.
   */
  private waitForGather(): boolean {
    const gather = this.gather;
    if (!gather) return false;
    const remaining = gather.until - performance.now();
    if (
      remaining > 0 &&
      this.pending.length < gather.writes &&
      this.pending.reduce((total, write) => total + write.rowCount, 0) <
        Math.min(this.maxBatchRows, GATHER_BELOW_ROWS) &&
      this.pending.reduce((total, write) => total + write.rows.length, 0) < this.maxBatchBytes
    ) {
      this.gatherTimer ??= setTimeout(() => {
        this.gatherTimer = undefined;
        this.pump();
      }, remaining);
      return true;
    }
    this.gather = undefined;
    clearTimeout(this.gatherTimer);
    this.gatherTimer = undefined;
    return false;
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

  /** Stores the rows not stored before (or spools them); refused rows become dead letters. */
  private async commit(batchId: string, rows: Buffer): Promise<void> {
    const lines = splitEventRows(rows);
    const claimed = this.options.claims
      ? await this.options.claims.claim(lines)
      : { fresh: lines, keys: [], duplicates: 0 };
    this.stats.duplicateRows += claimed.duplicates;
    if (claimed.fresh.length === 0) return;
    const fresh = claimed.duplicates === 0 ? rows : undefined;
    try {
      await this.storeOrSpool({ id: batchId, rows: fresh, lines: claimed.fresh });
    } catch (error) {
      await this.options.claims?.release(claimed.keys);
      throw error;
    }
    await this.options.claims?.confirm(claimed.keys);
  }

  private async storeOrSpool(batch: {
    id: string;
    rows: Buffer | undefined;
    lines: EventRowLine[];
  }): Promise<void> {
    if (this.storeHealthy && this.options.spool.isEmpty) {
      try {
        const stored = await this.storeIsolating(batch.id, batch.lines, batch.rows);
        this.stats.committedRows += stored;
        return;
      } catch (error) {
        this.storeHealthy = false;
        this.options.logger.error(
          { err: error, rows: batch.lines.length },
          'event store insert failed; spooling events until it recovers',
        );
        this.problems.storeFailed(error, batch.lines.length);
      }
    }
    const spooled: EventBatch = {
      id: batch.id,
      rows: batch.rows ?? joinEventRows(batch.lines),
      rowCount: batch.lines.length,
    };
    if (!this.options.spool.fits(spooled.rows.length)) {
      this.problems.spoolFull(this.options.spool.bytes);
      throw new ApiError(
        'spool_full',
        `the event store is unavailable and the spool is full (${this.options.spool.maxBytes} bytes); retry later`,
      );
    }
    await this.options.spool.append(spooled);
    this.stats.spooledRows += spooled.rowCount;
    this.problems.spoolGrew(this.options.spool);
  }

  /**
   * Stores the lines, isolating rows the store refuses for good and keeping
   * them as dead letters. Throws on an outage (of the event store, or of the
   * dead letters' store): the caller spools or keeps the batch spooled, and
   * the de-duplication tokens make the next attempt store nothing twice.
   */
  private async storeIsolating(
    batchId: string,
    lines: EventRowLine[],
    rows?: Buffer,
  ): Promise<number> {
    let inserts = 0;
    const insert = async (batch: EventBatch): Promise<void> => {
      await withTimeout(this.options.store.insert(batch), this.options.insertTimeoutMs);
      inserts += 1;
    };
    const refused = await insertIsolating(insert, batchId, lines, rows);
    if (refused.length > 0) {
      await keepDeadLetters(this.options.deadLetters, refused);
      this.stats.deadLetteredRows += refused.length;
      this.problems.deadLettered(batchId, refused);
      this.options.logger.warn(
        {
          batchId,
          refused: refused.length,
          stored: lines.length - refused.length,
          error: refused[0]!.error.message,
        },
        'the event store refused rows; they were kept as dead letters and the rest stored',
      );
    }
    this.stats.inserts += inserts;
    return lines.length - refused.length;
  }

  private replaySpool(): Promise<void> {
    this.replaying ??= (async () => {
      try {
        await this.options.store.ping();
        const replayed = await this.options.spool.replay(async (batch) => {
          const stored = await this.storeIsolating(
            batch.id,
            splitEventRows(batch.rows),
            batch.rows,
          );
          this.stats.replayedRows += stored;
        });
        if (!this.storeHealthy || replayed > 0) {
          this.options.logger.info({ batches: replayed }, 'event store reachable; spool replayed');
        }
        this.storeHealthy = true;
        if (this.options.spool.isEmpty) this.problems.spoolEmptied();
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
