import {
  closeSync,
  fdatasync,
  mkdirSync,
  openSync,
  readdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';

/** Where one journaled line sits: its segment and its ordinal among that segment's records. */
export interface JournalPosition {
  segment: JournalSegment;
  index: number;
}

export interface CallJournalOptions {
  directory: string;
  logger: FastifyBaseLogger;
  /** How often written lines are fdatasync'ed (bounds what a power loss can take); 0: never. */
  syncIntervalMs: number;
  /** A segment this large is closed to new lines and a new one begun. */
  maxSegmentBytes?: number;
}

export interface CallJournalStats {
  appended: number;
  committed: number;
  /** Lines or commit marks that could not be written (the call itself went on). */
  failures: number;
}

/** One segment file, open for appends while current, kept until all its records are committed. */
export class JournalSegment {
  records = 0;
  committed = 0;
  bytes = 0;
  retired = false;

  constructor(
    readonly sequence: number,
    readonly path: string,
    readonly descriptor: number,
  ) {}

  get finished(): boolean {
    return this.retired && this.committed >= this.records;
  }
}

export const SEGMENT_PREFIX = 'calls-';
export const SEGMENT_SUFFIX = '.journal';
/** A commit mark: `#c FROM TO` says the segment's records FROM (inclusive) to TO (exclusive) are stored. */
export const COMMIT_MARK = '#c ';
const DEFAULT_MAX_SEGMENT_BYTES = 8 * 1024 * 1024;

/** The sequence number of a segment file's name, or undefined for another file. */
export function segmentSequenceOf(name: string): number | undefined {
  if (!name.startsWith(SEGMENT_PREFIX) || !name.endsWith(SEGMENT_SUFFIX)) return undefined;
  const sequence = Number(name.slice(SEGMENT_PREFIX.length, -SEGMENT_SUFFIX.length));
  return Number.isSafeInteger(sequence) ? sequence : undefined;
}

/**
 * The gateway's write-ahead journal: "answered means recorded". Each call's
 * event line is appended (one `write(2)`, synchronously) before the answer
 * ends, and a commit mark is appended once the insert holding it committed;
 * a segment whose records are all committed is deleted. Lines in the page
 * cache survive a crash of the process (`kill -9`); `syncIntervalMs` bounds
 * what a power loss or kernel crash can take (the lines of the last interval).
 * What an earlier process left is replayed at start (`replayCallJournal`).
 *
 * Never throws into a call: a line that cannot be written is logged, counted
 * (`tollgate_journal_failures_total`) and the call's event still goes to the
 * writer as before.
 */
export class CallJournal {
  readonly stats: CallJournalStats = { appended: 0, committed: 0, failures: 0 };
  private current: JournalSegment | undefined;
  private readonly segments = new Set<JournalSegment>();
  private nextSequence = 0;
  private unsynced = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private readonly maxSegmentBytes: number;

  constructor(private readonly options: CallJournalOptions) {
    this.maxSegmentBytes = options.maxSegmentBytes ?? DEFAULT_MAX_SEGMENT_BYTES;
  }

  /** Creates the directory; returns the segment files an earlier process left, oldest first. */
  open(): string[] {
    mkdirSync(this.options.directory, { recursive: true });
    const left = readdirSync(this.options.directory)
      .map((name) => ({ name, sequence: segmentSequenceOf(name) }))
      .filter((file): file is { name: string; sequence: number } => file.sequence !== undefined)
      .sort((a, b) => a.sequence - b.sequence);
    this.nextSequence = (left.at(-1)?.sequence ?? 0) + 1;
    if (this.options.syncIntervalMs > 0) {
      this.syncTimer = setInterval(() => this.sync(), this.options.syncIntervalMs);
      this.syncTimer.unref();
    }
    return left.map((file) => join(this.options.directory, file.name));
  }

  /**
   * Appends one event line (without its newline) before the call's answer
   * ends; its position, to mark committed later, or undefined when it could
   * not be written.
   */
  append(line: string): JournalPosition | undefined {
    try {
      const segment = this.segmentForAppend();
      segment.bytes += writeFully(segment.descriptor, `${line}\n`);
      this.unsynced = true;
      this.stats.appended += 1;
      return { segment, index: segment.records++ };
    } catch (error) {
      this.failed(error, 'could not journal a gateway call; it is recorded, but not crash-safe');
      return undefined;
    }
  }

  /** Marks lines committed to the store (or the spool); deletes segments now fully committed. */
  committed(positions: readonly (JournalPosition | undefined)[]): void {
    for (const [segment, ranges] of rangesBySegment(positions)) {
      try {
        const marks = ranges.map(([from, to]) => `${COMMIT_MARK}${from} ${to}\n`).join('');
        segment.bytes += writeFully(segment.descriptor, marks);
        this.unsynced = true;
      } catch (error) {
        this.failed(error, 'could not mark journaled calls committed; a restart replays them');
        continue;
      }
      for (const [from, to] of ranges) segment.committed += to - from;
      this.stats.committed += ranges.reduce((total, [from, to]) => total + to - from, 0);
      if (segment.finished) this.remove(segment);
    }
  }

  /** Closes every segment; a fully committed one is deleted, any other is left for the next start. */
  close(): void {
    clearInterval(this.syncTimer);
    for (const segment of [...this.segments]) {
      segment.retired = true;
      if (segment.finished) this.remove(segment);
      else closeQuietly(segment.descriptor);
    }
    this.segments.clear();
    this.current = undefined;
  }

  private segmentForAppend(): JournalSegment {
    const current = this.current;
    if (current && current.bytes < this.maxSegmentBytes) return current;
    if (current) {
      current.retired = true;
      if (current.finished) this.remove(current);
    }
    const sequence = this.nextSequence++;
    const path = join(this.options.directory, `${SEGMENT_PREFIX}${sequence}${SEGMENT_SUFFIX}`);
    const segment = new JournalSegment(sequence, path, openSync(path, 'a'));
    this.segments.add(segment);
    this.current = segment;
    return segment;
  }

  private remove(segment: JournalSegment): void {
    this.segments.delete(segment);
    if (this.current === segment) this.current = undefined;
    closeQuietly(segment.descriptor);
    try {
      unlinkSync(segment.path);
    } catch (error) {
      this.failed(error, 'could not delete a committed journal segment');
    }
  }

  /** Flushes the current segment's lines to the disk, off the event loop. */
  private sync(): void {
    const segment = this.current;
    if (!this.unsynced || !segment) return;
    this.unsynced = false;
    fdatasync(segment.descriptor, (error) => {
      if (error && this.segments.has(segment)) this.failed(error, 'could not fsync the journal');
    });
  }

  private failed(error: unknown, message: string): void {
    this.stats.failures += 1;
    // The first failure and then one in a thousand: a full disk must not flood the log.
    if (this.stats.failures % 1000 === 1) {
      this.options.logger.error({ err: error, failures: this.stats.failures }, message);
    }
  }
}

/** The commit ranges of some positions, per segment: consecutive indexes in one range. */
function rangesBySegment(
  positions: readonly (JournalPosition | undefined)[],
): Map<JournalSegment, Array<[number, number]>> {
  const bySegment = new Map<JournalSegment, Array<[number, number]>>();
  for (const position of positions) {
    if (!position) continue;
    let ranges = bySegment.get(position.segment);
    if (!ranges) bySegment.set(position.segment, (ranges = []));
    const last = ranges.at(-1);
    if (last && last[1] === position.index) last[1] += 1;
    else ranges.push([position.index, position.index + 1]);
  }
  return bySegment;
}

/** `write(2)` until every byte is in (a regular file rarely takes less, but may); the bytes written. */
export function writeFully(descriptor: number, text: string): number {
  const length = Buffer.byteLength(text);
  let written = writeSync(descriptor, text);
  if (written === length) return written;
  const bytes = Buffer.from(text);
  while (written < length) written += writeSync(descriptor, bytes, written, length - written);
  return written;
}

function closeQuietly(descriptor: number): void {
  try {
    closeSync(descriptor);
  } catch {
    // Already closed: nothing left to release.
  }
}
