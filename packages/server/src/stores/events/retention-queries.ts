import { formatEventTime } from '@tollgate/core';
import type { EventDriver } from './driver';

/**
 * The tables retention deletes from, with the condition that a row lies wholly
 * before the cutoff: a raw row by its time, a rollup row when its whole bucket
 * (hour or day) ends before it. `project_summary` keeps all-time totals and is
 * not touched. Table names and conditions are fixed here, never input.
 */
const RETENTION_TABLES = [
  { table: 'events', older: 'ts < {cutoff:DateTime64(3)}' },
  { table: 'tool_calls', older: 'ts < {cutoff:DateTime64(3)}' },
  { table: 'agent_steps', older: 'ts < {cutoff:DateTime64(3)}' },
  { table: 'events_hourly', older: 'bucket + INTERVAL 1 HOUR <= {cutoff:DateTime64(3)}' },
  { table: 'events_daily', older: 'bucket + INTERVAL 1 DAY <= {cutoff:DateTime64(3)}' },
  { table: 'events_daily_by_model', older: 'bucket + INTERVAL 1 DAY <= {cutoff:DateTime64(3)}' },
  { table: 'error_messages_hourly', older: 'bucket + INTERVAL 1 HOUR <= {cutoff:DateTime64(3)}' },
] as const;

/**
 * Deletes one org's rows older than `cutoff` from every table, counting them
 * first. Lightweight `DELETE FROM` marks the rows deleted at once (reads no
 * longer see them) and merges drop them later; it runs synchronously by default.
 */
export async function deleteOrgDataBefore(
  driver: EventDriver,
  orgId: string,
  cutoff: number,
): Promise<Record<string, number>> {
  const parameters = { org: orgId, cutoff: formatEventTime(cutoff) };
  const deleted: Record<string, number> = {};
  for (const { table, older } of RETENTION_TABLES) {
    const where = `org_id = {org:String} AND ${older}`;
    const [row] = await driver.query<{ rows: number }>(
      `SELECT count() AS rows FROM ${table} WHERE ${where}`,
      parameters,
    );
    const rows = Number(row?.rows ?? 0);
    if (rows > 0) await driver.command(`DELETE FROM ${table} WHERE ${where}`, parameters);
    deleted[table] = rows;
  }
  return deleted;
}
