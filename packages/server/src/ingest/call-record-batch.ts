import type { FastifyBaseLogger } from 'fastify';
import type { EventWriter } from './event-writer';
import type { CallJournal, JournalPosition } from './call-journal';

export interface CallRecordBatchLimits {
  /** Shortest interval between two writes: what a quiet gateway waits at most. */
  minLingerMs: number;
  /** Longest interval between two writes: what a busy gateway waits at most. */
  maxLingerMs: number;
  /** How much each event of the last batch lengthens the interval (busier, longer). */
  lingerPerRowMs: number;
  /** A batch this large is written at once. */
  maxRows: number;
}

export const CALL_RECORD_LIMITS: CallRecordBatchLimits = {
  minLingerMs: 50,
  maxLingerMs: 1_000,
  lingerPerRowMs: 20,
  maxRows: 10_000,
};

/**
 * Hands the gateway's call events to the event writer in batches, so calls that
 * do not overlap still share an insert. An insert costs far more than the rows
 * in it (the embedded store writes a part per table and materialized view:
 * tens of milliseconds of CPU for one row or a hundred), so one insert per call
 * cost more CPU than the call itself.
 *
 * The first event after a quiet interval is written at once; events that follow
 * within the interval wait for its end and go together. The interval adapts:
 * 50 ms after a batch of one or two events (a quiet gateway, and tests, see
 * their calls recorded at once), growing with the size of the last batch up to
 * 1 s (a busy gateway makes about one insert a second). The user's answer never
 * waits for the store; each line is first appended to the journal (one
 * `write(2)`, before the answer ends), so the wait costs no durability: a
 * process killed meanwhile replays it at its next start. Once the insert holding
 * lines commits, the journal marks them committed. `flush` writes what is
 * pending (on close).
 *
 * One per app, built by the app factory and handed to whoever records
 * (the gateway's calls, guardrail matches, budget notices).
 */
export class CallRecordBatch {
  private lines: string[] = [];
  private requestIds: string[] = [];
  private positions: Array<JournalPosition | undefined> = [];
  private timer: NodeJS.Timeout | undefined;
  private lastWriteAt = -Infinity;
  private lingerMs: number;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly writer: EventWriter,
    private readonly logger: FastifyBaseLogger,
    private readonly limits: CallRecordBatchLimits = CALL_RECORD_LIMITS,
    private readonly journal?: CallJournal,
  ) {
    this.lingerMs = limits.minLingerMs;
  }

  /** Journals and queues one JSONEachRow line (without its newline). */
  add(line: string, requestId: string): void {
    this.positions.push(this.journal?.append(line));
    this.lines.push(line);
    this.requestIds.push(requestId);
    if (this.timer) {
      if (this.lines.length >= this.limits.maxRows) this.writePending();
      return;
    }
    const wait = this.lastWriteAt + this.lingerMs - performance.now();
    if (wait <= 0 || this.lines.length >= this.limits.maxRows) this.writePending();
    else this.timer = setTimeout(() => this.writePending(), wait);
  }

  /** Writes what is pending and waits for every write handed to the writer so far. */
  async flush(): Promise<void> {
    this.writePending();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private writePending(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.lines.length === 0) return;
    this.lastWriteAt = performance.now();
    const { minLingerMs, maxLingerMs, lingerPerRowMs } = this.limits;
    this.lingerMs = Math.min(
      maxLingerMs,
      Math.max(minLingerMs, this.lines.length * lingerPerRowMs),
    );
    const lines = this.lines;
    const requestIds = this.requestIds;
    const positions = this.positions;
    this.lines = [];
    this.requestIds = [];
    this.positions = [];
    lines.push('');
    const write = this.writer
      .write(Buffer.from(lines.join('\n')), requestIds.length)
      .then(
        () => this.journal?.committed(positions),
        (error: unknown) => {
          // Left uncommitted in the journal: the next start writes them again.
          this.logger.error(
            { err: error, calls: requestIds.length, requestIds: requestIds.slice(0, 20) },
            'could not record gateway calls',
          );
        },
      )
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }
}
