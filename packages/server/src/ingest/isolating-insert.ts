import type { EventBatch } from '@tollgate/core';
import { isPermanentRefusal, type EventStoreError } from '../stores/events/event-store-error';
import { joinEventRows, partitionOf, type EventRowLine } from './event-rows';

/**
 * The most partitions (months) one insert may touch: ClickHouse's
 * `max_partitions_per_insert_block` default. A batch spanning more (a
 * backfill across years) is split by month into inserts under it.
 */
export const MAX_PARTITIONS_PER_INSERT = 100;

export interface RefusedRow {
  line: EventRowLine;
  error: EventStoreError;
}

export type InsertBatch = (batch: EventBatch) => Promise<void>;

/**
 * The lines in groups that each touch at most `maxPartitions` partitions,
 * or one group (the lines as they are) when they already do.
 */
export function groupByPartition(
  lines: readonly EventRowLine[],
  maxPartitions = MAX_PARTITIONS_PER_INSERT,
): EventRowLine[][] {
  const byPartition = new Map<string, EventRowLine[]>();
  for (const line of lines) {
    const partition = partitionOf(line);
    const group = byPartition.get(partition);
    if (group) group.push(line);
    else byPartition.set(partition, [line]);
  }
  if (byPartition.size <= maxPartitions) return [[...lines]];
  const partitions = [...byPartition.keys()].sort();
  const groups: EventRowLine[][] = [];
  for (let start = 0; start < partitions.length; start += maxPartitions) {
    groups.push(partitions.slice(start, start + maxPartitions).flatMap((p) => byPartition.get(p)!));
  }
  return groups;
}

/**
 * Stores `lines` and returns the rows the store refused for good. The first
 * attempt is the batch as it is (`rows`, when given, are its bytes: nothing is
 * copied on the happy path). Only after a permanent refusal (see
 * `isPermanentRefusal`) is the batch bisected, each half inserted on its own,
 * down to the single rows the store refuses; the rest is stored. An outage
 * (any other failure) is thrown as it is, for the caller to spool.
 *
 * Every insert's de-duplication token is derived from `batchId` and the
 * insert's place in the split, the same on every run over the same lines: a
 * spool replay of a batch that was half stored stores nothing twice.
 */
export async function insertIsolating(
  insert: InsertBatch,
  batchId: string,
  lines: readonly EventRowLine[],
  rows?: Buffer,
): Promise<RefusedRow[]> {
  const refused: RefusedRow[] = [];
  const groups = groupByPartition(lines);
  if (groups.length === 1) {
    await isolate(insert, batchId, groups[0]!, refused, rows);
  } else {
    for (const [index, group] of groups.entries()) {
      await isolate(insert, `${batchId}:p${index}`, group, refused);
    }
  }
  return refused;
}

async function isolate(
  insert: InsertBatch,
  token: string,
  lines: readonly EventRowLine[],
  refused: RefusedRow[],
  rows?: Buffer,
): Promise<void> {
  if (lines.length === 0) return;
  try {
    await insert({ id: token, rows: rows ?? joinEventRows(lines), rowCount: lines.length });
    return;
  } catch (error) {
    if (!isPermanentRefusal(error)) throw error;
    if (lines.length === 1) {
      refused.push({ line: lines[0]!, error });
      return;
    }
  }
  const middle = Math.ceil(lines.length / 2);
  await isolate(insert, `${token}a`, lines.slice(0, middle), refused);
  await isolate(insert, `${token}b`, lines.slice(middle), refused);
}
