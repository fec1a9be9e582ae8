import {
  EVENT_COLUMNS,
  type ActivityFilter,
  type AnalyticsQuery,
  type TenantScope,
  type TimeRange,
} from '@tollgate/core';
import { activityConditions } from './activity-queries';
import { addFilters, assertLimit, OK_STATUSES_SQL, rawEvents } from './analytics-filters';
import { scoped, type Statement } from './event-queries';
import { EventStoreError } from './event-store-error';

/**
 * Analytics reads that need single events, so they read the `events` table:
 * the slowest and failed calls, runs with their totals, the AI-fallback
 * learning candidates and one event by id; and the most frequent error
 * messages, from their own rollup.
 */

export const MAX_DETAIL_ROWS = 100;
const HOUR_MS = 3_600_000;
export const MAX_RUNS = 1000;

const EVENT_SELECT = Object.keys(EVENT_COLUMNS).join(', ');

export interface ErrorMessageResultRow {
  message: string;
  occurrences: number;
  last_seen: string;
  example_event_id: string;
}

/**
 * The most frequent error messages, from the `error_messages_hourly` rollup:
 * hour resolution, like the other rollup reads (the hours that start in
 * [hour of `from`, `to`) count whole), with the exact last time seen and the
 * latest event as example.
 */
export function topErrorsStatement(
  scope: TenantScope,
  query: AnalyticsQuery & { limit: number },
): Statement {
  assertLimit(query.limit, MAX_DETAIL_ROWS);
  const conditions = addFilters(scoped(scope, query, 'bucket'), query.filters);
  conditions.parameters.from = query.from - (query.from % HOUR_MS);
  return {
    sql: `SELECT
    message,
    sum(occurrences) AS occurrences,
    toString(max(last_seen)) AS last_seen,
    argMaxMerge(example_event_id) AS example_event_id
FROM error_messages_hourly
WHERE ${conditions.sql}
GROUP BY message
ORDER BY occurrences DESC, message
LIMIT {limit:UInt32}`,
    parameters: { ...conditions.parameters, limit: query.limit },
  };
}

export function slowestStatement(
  scope: TenantScope,
  query: AnalyticsQuery & { limit: number },
): Statement {
  assertLimit(query.limit, MAX_DETAIL_ROWS);
  const conditions = rawEvents(scope, query, query.filters);
  return {
    sql: `SELECT ${EVENT_SELECT}
FROM events
WHERE ${conditions.sql}
ORDER BY latency_ms DESC, event_id
LIMIT {limit:UInt32}`,
    parameters: { ...conditions.parameters, limit: query.limit },
  };
}

export function failuresStatement(
  scope: TenantScope,
  query: AnalyticsQuery & { limit: number },
): Statement {
  assertLimit(query.limit, MAX_DETAIL_ROWS);
  const conditions = rawEvents(scope, query, query.filters).add(`status NOT IN ${OK_STATUSES_SQL}`);
  return {
    sql: `SELECT ${EVENT_SELECT}
FROM events
WHERE ${conditions.sql}
ORDER BY ts DESC, event_id DESC
LIMIT {limit:UInt32}`,
    parameters: { ...conditions.parameters, limit: query.limit },
  };
}

export interface RunSummaryResultRow {
  run_id: string;
  started_ms: number;
  ended_ms: number;
  events_total: number;
  steps: number;
  tool_calls: number;
  model_calls: number;
  errors_total: number;
  cost_text: string;
}

/**
 * Runs that have events in the range, newest first; cost counts `prompt_call`
 * events (see chargeback). With an activity filter, only runs with an event
 * that matches it (their totals still count every event of the run).
 */
export function runsStatement(
  scope: TenantScope,
  query: TimeRange & ActivityFilter & { limit: number },
): Statement {
  assertLimit(query.limit, MAX_RUNS);
  const conditions = scoped(scope, query, 'ts').add("run_id != ''");
  const filter = activityConditions(query);
  const having = filter.sql ? `\nHAVING countIf(${filter.sql}) > 0` : '';
  return {
    sql: `SELECT
    run_id,
    min(toUnixTimestamp64Milli(ts)) AS started_ms,
    max(toUnixTimestamp64Milli(ts) + toInt64(round(latency_ms))) AS ended_ms,
    count() AS events_total,
    countIf(event_type = 'agent_step') AS steps,
    countIf(event_type = 'tool_call') AS tool_calls,
    countIf(event_type = 'prompt_call') AS model_calls,
    countIf(status NOT IN ${OK_STATUSES_SQL}) AS errors_total,
    toString(sumIf(cost_nanos, event_type = 'prompt_call')) AS cost_text
FROM events
WHERE ${conditions.sql}
GROUP BY run_id${having}
ORDER BY started_ms DESC, run_id
LIMIT {limit:UInt32}`,
    parameters: { ...conditions.parameters, ...filter.parameters, limit: query.limit },
  };
}

export interface LearningCandidateResultRow {
  service: string;
  method: string;
  successes: number;
  cost_text: string;
  first_seen: string;
  last_seen: string;
  typical_arguments: string[];
}

/** AI-fallback methods answered successfully (or from cache) more than `minSuccesses` times. */
export function learningCandidatesStatement(
  scope: TenantScope,
  query: TimeRange & { minSuccesses: number; limit: number },
): Statement {
  assertLimit(query.limit, MAX_DETAIL_ROWS);
  if (!Number.isSafeInteger(query.minSuccesses) || query.minSuccesses < 0) {
    throw new EventStoreError('invalid_query', 'minSuccesses must be a non-negative integer');
  }
  const conditions = scoped(scope, query, 'ts')
    .add("event_type = 'ai_fallback'")
    .add(`status IN ${OK_STATUSES_SQL}`);
  return {
    sql: `SELECT
    service,
    name AS method,
    count() AS successes,
    toString(sum(cost_nanos)) AS cost_text,
    toString(min(ts)) AS first_seen,
    toString(max(ts)) AS last_seen,
    -- A sealed value (content_encryption) is kept whole: cut, it would not open.
    topK(3)(if(startsWith(input, 'tgenc:'), input, left(input, 500))) AS typical_arguments
FROM events
WHERE ${conditions.sql}
GROUP BY service, method
HAVING successes > {min_successes:UInt64}
ORDER BY successes DESC, service, method
LIMIT {limit:UInt32}`,
    parameters: { ...conditions.parameters, min_successes: query.minSuccesses, limit: query.limit },
  };
}

export function findEventStatement(
  scope: TenantScope,
  eventId: string,
  range: TimeRange,
): Statement {
  if (!eventId) throw new EventStoreError('invalid_query', 'an event id is required');
  const conditions = scoped(scope, range, 'ts').add('event_id = {event_id:String}', {
    event_id: eventId,
  });
  return {
    sql: `SELECT ${EVENT_SELECT}\nFROM events\nWHERE ${conditions.sql}\nLIMIT 1`,
    parameters: conditions.parameters,
  };
}
