import type { TimeRange } from '@tollgate/core';
import type { QueryParameterValue } from './driver';
import { MODEL_ROLLUP_COLUMNS } from './schema';

const DAY_MS = 86_400_000;

/** The conditions of a rollup read: its SQL and the parameters it binds (filled in here too). */
export interface RollupConditions {
  readonly sql: string;
  readonly parameters: Record<string, QueryParameterValue>;
}

/**
 * The daily table a read uses: `events_daily_by_model` when it groups and
 * filters on none of service, method and status (`byModel`), else `events_daily`.
 */
export const dailyRollup = (byModel: boolean): string =>
  byModel ? 'events_daily_by_model' : 'events_daily';

/**
 * What a rollup read at hour resolution selects FROM, for a range whose
 * conditions (tenant, `bucket` in [hour of `from`, `to`), filters) are given.
 *
 * A range that holds whole UTC days reads those days from a daily rollup and
 * only the hours before the first and after the last midnight from the hourly
 * one: the same sums (the daily rollups are fed from the hourly rows), for far
 * fewer rows on long ranges. "The last 90 days" reads 89 days and up to 47
 * hours instead of 2,160 hours. Shorter ranges read the hourly rollup alone.
 * The caller's WHERE still applies outside the union (cheap on the rows left);
 * with `byModel` it may only name the model rollup's columns.
 */
export function hourlyRollupFrom(
  range: TimeRange,
  conditions: RollupConditions,
  byModel = false,
): string {
  const firstMidnight = Math.ceil(range.from / DAY_MS) * DAY_MS;
  const lastMidnight = Math.floor(range.to / DAY_MS) * DAY_MS;
  if (lastMidnight <= firstMidnight) return 'events_hourly';
  Object.assign(conditions.parameters, { day_from: firstMidnight, day_to: lastMidnight });
  const dayFrom = "fromUnixTimestamp64Milli({day_from:Int64}, 'UTC')";
  const dayTo = "fromUnixTimestamp64Milli({day_to:Int64}, 'UTC')";
  // `*` lines up the hourly and daily rollups (same columns); the model rollup has fewer.
  const columns = byModel ? MODEL_ROLLUP_COLUMNS.join(', ') : '*';
  return `(
    SELECT ${columns} FROM events_hourly
    WHERE ${conditions.sql}
      AND (bucket < ${dayFrom} OR bucket >= ${dayTo})
    UNION ALL
    SELECT ${columns} FROM ${dailyRollup(byModel)}
    WHERE ${conditions.sql}
      AND bucket >= ${dayFrom} AND bucket < ${dayTo}
)`;
}
