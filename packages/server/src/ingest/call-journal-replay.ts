import { closeSync, openSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { isEventId, type EventStore } from '@tollgate/core';
import type { FastifyBaseLogger } from 'fastify';
import { eventIdClaimKey, type EventIdClaims } from './event-id-claims';
import type { EventWriter } from './event-writer';
import { isEventStoreError } from '../stores/events/event-store-error';
import { COMMIT_MARK, writeFully } from './call-journal';

/** Rows handed to the writer at once when replaying. */
const REPLAY_CHUNK_ROWS = 5_000;

export interface JournalReplayServices {
  store: EventStore;
  writer: EventWriter;
  /** The writer's event id claims, when it de-duplicates. */
  claims?: EventIdClaims;
  logger: FastifyBaseLogger;
}

export interface JournalReplayResult {
  /** Event lines written again (answered calls the earlier process had not stored). */
  replayed: number;
  /** Lines already committed by the earlier process (marked, or found in the store), skipped. */
  skipped: number;
  /** Segment files left in place because the writer refused them. */
  failedSegments: number;
}

/** A segment's uncommitted event lines, by their index among the segment's records. */
export function uncommittedLines(content: string): { lines: string[]; indexes: number[] } {
  const records: string[] = [];
  const committed = new Set<number>();
  for (const line of content.split('\n')) {
    if (line.startsWith(COMMIT_MARK)) {
      const [from, to] = line.slice(COMMIT_MARK.length).split(' ').map(Number);
      if (from === undefined || to === undefined || !(to > from)) continue;
      for (let index = from; index < to; index += 1) committed.add(index);
    } else if (line.length > 0) {
      records.push(line);
    }
  }
  const lines: string[] = [];
  const indexes: number[] = [];
  records.forEach((line, index) => {
    if (committed.has(index) || !isJsonObject(line)) return;
    lines.push(line);
    indexes.push(index);
  });
  return { lines, indexes };
}

/**
 * Writes what an earlier process journaled but never saw committed (it was
 * killed, or the store refused it), through the event writer, oldest segment
 * first; marks each chunk committed in its segment as it goes and deletes the
 * segment at the end. A crash during replay therefore replays only what was
 * not yet marked. An insert that committed just before the kill, its commit
 * mark not yet written (the engine commits on its own thread; the mark waits
 * for the event loop), is not written again: lines whose `event_id` the store
 * already holds are skipped (one query per chunk, at start only), and the
 * writer's `event_id` claims of the others (taken by the killed process's
 * insert, never confirmed) are given back first, or the writer would take the
 * replay for a copy and drop it. A segment the
 * writer refuses is left in place (a refusal that will not change is renamed
 * `.refused` so later starts do not retry it) and logged.
 */
export async function replayCallJournal(
  paths: readonly string[],
  { store, writer, claims, logger }: JournalReplayServices,
): Promise<JournalReplayResult> {
  const result: JournalReplayResult = { replayed: 0, skipped: 0, failedSegments: 0 };
  for (const path of paths) {
    const content = readFileSync(path, 'utf8');
    const { lines, indexes } = uncommittedLines(content);
    result.skipped += content.split('\n').filter((line) => line.startsWith('{')).length;
    result.skipped -= lines.length;
    try {
      for (let start = 0; start < lines.length; start += REPLAY_CHUNK_ROWS) {
        const chunk = lines.slice(start, start + REPLAY_CHUNK_ROWS);
        const missing = await notYetStored(store, chunk);
        // Claims a killed process took for these ids, never confirmed: the rows are not stored.
        const stale = missing.map(claimKeyOf).filter((key) => key !== undefined);
        if (claims && stale.length > 0) await claims.release(stale);
        if (missing.length > 0) {
          await writer.write(Buffer.from(`${missing.join('\n')}\n`), missing.length);
        }
        markCommitted(path, indexes.slice(start, start + REPLAY_CHUNK_ROWS));
        result.replayed += missing.length;
        result.skipped += chunk.length - missing.length;
      }
      unlinkSync(path);
    } catch (error) {
      result.failedSegments += 1;
      const permanent = isEventStoreError(error) && !error.retryable;
      logger.error(
        { err: error, segment: path, permanent },
        permanent
          ? 'the event store refuses journaled gateway calls; segment kept as .refused'
          : 'could not replay journaled gateway calls; the next start tries again',
      );
      if (permanent) renameSync(path, `${path}.refused`);
    }
  }
  if (result.replayed > 0 || result.failedSegments > 0) {
    logger.warn({ ...result }, 'gateway calls journaled by an earlier run replayed');
  }
  return result;
}

function claimKeyOf(line: string): string | undefined {
  const row = JSON.parse(line) as { org_id?: unknown; event_id?: unknown };
  return typeof row.org_id === 'string' && typeof row.event_id === 'string'
    ? eventIdClaimKey(row.org_id, row.event_id)
    : undefined;
}

/** The lines whose event the store does not hold yet. */
async function notYetStored(store: EventStore, lines: readonly string[]): Promise<string[]> {
  const ids = lines.map((line) => (JSON.parse(line) as { event_id?: unknown }).event_id);
  const known = ids.filter((id): id is string => typeof id === 'string' && isEventId(id));
  const stored = new Set(await store.storedEventIds(known));
  return lines.filter((_, index) => !stored.has(ids[index] as string));
}

/** Appends the commit marks of some records (consecutive indexes in one mark). */
function markCommitted(path: string, indexes: readonly number[]): void {
  const marks: string[] = [];
  let from = indexes[0];
  for (let position = 0; position < indexes.length; position += 1) {
    const index = indexes[position]!;
    const next = indexes[position + 1];
    if (next === index + 1) continue;
    marks.push(`${COMMIT_MARK}${from} ${index + 1}\n`);
    from = next;
  }
  const descriptor = openSync(path, 'a');
  try {
    writeFully(descriptor, marks.join(''));
  } finally {
    closeSync(descriptor);
  }
}

function isJsonObject(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    JSON.parse(line);
    return true;
  } catch {
    // A torn last line: only a power loss tears one (see `TOLLGATE_JOURNAL_SYNC_MS`).
    return false;
  }
}
