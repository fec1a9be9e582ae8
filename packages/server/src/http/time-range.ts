import type { TimeRange } from '@tollgate/core';
import { ApiError } from './errors';

const DAY_MS = 86_400_000;
export const DEFAULT_RANGE_MS = DAY_MS;
export const MAX_RANGE_MS = 400 * DAY_MS;

/** The instants events can have: from 1970 to the end of 2299 (ClickHouse `DateTime64(3)`'s upper bound). */
export const EARLIEST_INSTANT_MS = 0;
export const LATEST_INSTANT_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

function parseInstant(name: string, value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new ApiError(
      'invalid_request',
      `${name} must be an ISO-8601 time or epoch milliseconds`,
      {
        field: name,
      },
    );
  }
  if (ms < EARLIEST_INSTANT_MS || ms > LATEST_INSTANT_MS) {
    throw new ApiError(
      'invalid_request',
      `${name}: must be between ${new Date(EARLIEST_INSTANT_MS).toISOString()} and ${new Date(LATEST_INSTANT_MS).toISOString()}`,
      { field: name },
    );
  }
  return ms;
}

/**
 * Every read of events is bounded in time: `to` defaults to now, `from` to a
 * day before `to`, and a range longer than MAX_RANGE_MS is refused.
 */
export function parseTimeRange(query: { from?: string; to?: string }, now = Date.now()): TimeRange {
  const to = query.to ? parseInstant('to', query.to) : now;
  const from = query.from ? parseInstant('from', query.from) : to - DEFAULT_RANGE_MS;
  if (from >= to)
    throw new ApiError('invalid_request', 'from must be before to', { field: 'from' });
  if (to - from > MAX_RANGE_MS) {
    throw new ApiError(
      'invalid_request',
      `the time range may span at most ${MAX_RANGE_MS / DAY_MS} days`,
      { field: 'from' },
    );
  }
  return { from, to };
}
