import type { AnalyticsFilters, TenantScope, TimeRange } from '@tollgate/core';
import { scoped, type Conditions } from './event-queries';
import { EventStoreError } from './event-store-error';
import { dailyRollup, hourlyRollupFrom } from './rollup-range';

/**
 * Where an analytics query reads from, and the conditions every one of them
 * starts with: the caller's tenant, the time range and the optional filters.
 * Values travel only as `{name:Type}` parameters; column names come from the
 * fixed maps here, never from input.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Statuses that do not count as errors (as in the rollups). */
export const OK_STATUSES_SQL = "('success', 'cached')";

/** Filter fields and the column each compares with. */
const FILTER_COLUMNS = {
  service: 'service',
  method: 'name',
  model: 'model',
  provider: 'provider',
  operation: 'operation',
  userId: 'user_id',
} as const satisfies Record<Exclude<keyof AnalyticsFilters, 'eventTypes'>, string>;

export function addFilters(conditions: Conditions, filters: AnalyticsFilters): Conditions {
  if (filters.eventTypes.length > 0) {
    const names = filters.eventTypes.map((_, index) => `event_type_${index}`);
    conditions.add(
      `event_type IN (${names.map((name) => `{${name}:String}`).join(', ')})`,
      Object.fromEntries(names.map((name, index) => [name, filters.eventTypes[index]!])),
    );
  }
  for (const [field, column] of Object.entries(FILTER_COLUMNS)) {
    const value = filters[field as keyof typeof FILTER_COLUMNS];
    if (value !== undefined) {
      conditions.add(`${column} = {filter_${column}:String}`, { [`filter_${column}`]: value });
    }
  }
  return conditions;
}

export interface RollupSource {
  /** A rollup table, or the union of both (see `hourlyRollupFrom`). */
  table: string;
  conditions: Conditions;
}

/**
 * The rollup a query reads. The daily rollup when both ends of the range are
 * UTC midnights (and hours are not needed): the cheapest read, and exact.
 * Otherwise hour resolution: every hour that starts in [hour of `from`, `to`)
 * counts whole, as in the metrics summary; whole days inside the range come
 * from a daily rollup unless the query groups by hour (`needsHours`). Reads
 * whose groups are the model rollup's dimensions (`groupsByModelDimensions`)
 * read it instead of `events_daily` when no service or method filter is set.
 */
export function rollupSource(
  scope: TenantScope,
  range: TimeRange,
  filters: AnalyticsFilters,
  options: { needsHours?: boolean; groupsByModelDimensions?: boolean } = {},
): RollupSource {
  if (filters.userId !== undefined) {
    throw new EventStoreError('invalid_query', 'this read cannot be filtered by user');
  }
  const conditions = scoped(scope, range, 'bucket');
  // The model rollup serves reads that neither group nor filter by service, method or status.
  const byModel =
    options.groupsByModelDimensions === true &&
    filters.service === undefined &&
    filters.method === undefined;
  if (!options.needsHours && range.from % DAY_MS === 0 && range.to % DAY_MS === 0) {
    return { table: dailyRollup(byModel), conditions: addFilters(conditions, filters) };
  }
  conditions.parameters.from = range.from - (range.from % HOUR_MS);
  addFilters(conditions, filters);
  const table = options.needsHours ? 'events_hourly' : hourlyRollupFrom(range, conditions, byModel);
  return { table, conditions };
}

/** Raw events of the tenant in the range, filtered. */
export function rawEvents(
  scope: TenantScope,
  range: TimeRange,
  filters: AnalyticsFilters,
): Conditions {
  return addFilters(scoped(scope, range, 'ts'), filters);
}

export function assertLimit(limit: number, max: number, name = 'limit'): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new EventStoreError('invalid_query', `${name} must be an integer from 1 to ${max}`);
  }
}
