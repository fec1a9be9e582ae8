import type {
  ActivityFilter,
  ActivityQuery,
  TenantScope,
  TimeBucket,
  TimeRange,
} from '@tollgate/core';
import { assertLimit, OK_STATUSES_SQL } from './analytics-filters';
import { addTextSearch, Conditions, scoped, type Statement } from './event-queries';
import { EventStoreError } from './event-store-error';

/**
 * Reads about who used the app: end users (`user_id`) and sessions
 * (`session_id`) with their calls, tokens, spend and errors, and one user's or
 * session's spend over time. They read raw events (the rollups keep no user or
 * session), always inside the caller's tenant and a time range.
 */

export const MAX_ACTIVITY_ROWS = 1000;

/**
 * The conditions of an activity filter on one event, with their parameters:
 * equality for user, session and name, a case-insensitive substring for text.
 * Empty when the filter names nothing.
 */
export function activityConditions(filter: ActivityFilter): Conditions {
  const conditions = new Conditions();
  if (filter.userId !== undefined) {
    conditions.add('user_id = {activity_user:String}', { activity_user: filter.userId });
  }
  if (filter.sessionId !== undefined) {
    conditions.add('session_id = {activity_session:String}', {
      activity_session: filter.sessionId,
    });
  }
  if (filter.name !== undefined) {
    conditions.add('name = {activity_name:String}', { activity_name: filter.name });
  }
  if (filter.text !== undefined) addTextSearch(conditions, filter.text);
  return conditions;
}

export interface ActivityResultRow {
  id: string;
  calls: number;
  errors_total: number;
  input_tokens_total: number;
  output_tokens_total: number;
  cost_text: string;
  unpriced_calls: number;
  events_total: number;
  runs_total: number;
  sessions_total: number;
  latest_user: string;
  first_ms: number;
  last_ms: number;
}

/**
 * Users or sessions with events in the range, latest seen first. Totals count
 * every event of the user (or session) in the range; with a filter, only users
 * (or sessions) with an event that matches it are listed.
 */
export function activityStatement(scope: TenantScope, query: ActivityQuery): Statement {
  assertLimit(query.limit, MAX_ACTIVITY_ROWS);
  const column = query.by === 'user' ? 'user_id' : 'session_id';
  const conditions = scoped(scope, query, 'ts').add(`${column} != ''`);
  // One user's (or session's) own row: read only their events.
  const own = query.by === 'user' ? query.userId : query.sessionId;
  if (own !== undefined) conditions.add(`${column} = {own_id:String}`, { own_id: own });
  const filter = activityConditions(query);
  const having = filter.sql ? `\nHAVING countIf(${filter.sql}) > 0` : '';
  return {
    sql: `SELECT
    ${column} AS id,
    countIf(event_type = 'prompt_call') AS calls,
    countIf(event_type = 'prompt_call' AND status NOT IN ${OK_STATUSES_SQL}) AS errors_total,
    sumIf(input_tokens, event_type = 'prompt_call') AS input_tokens_total,
    sumIf(output_tokens, event_type = 'prompt_call') AS output_tokens_total,
    toString(sumIf(cost_nanos, event_type = 'prompt_call' AND cost_unpriced = 0)) AS cost_text,
    countIf(event_type = 'prompt_call' AND cost_unpriced = 1) AS unpriced_calls,
    count() AS events_total,
    uniqExactIf(run_id, run_id != '') AS runs_total,
    uniqExactIf(session_id, session_id != '') AS sessions_total,
    argMax(user_id, ts) AS latest_user,
    min(toUnixTimestamp64Milli(ts)) AS first_ms,
    max(toUnixTimestamp64Milli(ts)) AS last_ms
FROM events
WHERE ${conditions.sql}
GROUP BY id${having}
ORDER BY last_ms DESC, id
LIMIT {limit:UInt32}`,
    parameters: { ...conditions.parameters, ...filter.parameters, limit: query.limit },
  };
}

export interface SpendBucketResultRow {
  bucket_ms: number;
  calls: number;
  cost_text: string;
  unpriced_calls: number;
}

const BUCKET_FUNCTIONS: Record<TimeBucket, string> = {
  hour: 'toStartOfHour',
  day: 'toStartOfDay',
};

/** Model-call spend per hour or day, of one user or one session (at least one must be named). */
export function spendOverTimeStatement(
  scope: TenantScope,
  query: TimeRange & { userId?: string; sessionId?: string; bucket: TimeBucket },
): Statement {
  if (query.userId === undefined && query.sessionId === undefined) {
    throw new EventStoreError('invalid_query', 'spend over time needs a user or a session');
  }
  const bucket = BUCKET_FUNCTIONS[query.bucket];
  if (!bucket) throw new EventStoreError('invalid_query', `unknown bucket ${String(query.bucket)}`);
  const conditions = scoped(scope, query, 'ts').add("event_type = 'prompt_call'");
  const filter = activityConditions({ userId: query.userId, sessionId: query.sessionId });
  conditions.add(filter.sql, filter.parameters);
  return {
    sql: `SELECT
    toInt64(toUnixTimestamp(${bucket}(ts))) * 1000 AS bucket_ms,
    count() AS calls,
    toString(sumIf(cost_nanos, cost_unpriced = 0)) AS cost_text,
    countIf(cost_unpriced = 1) AS unpriced_calls
FROM events
WHERE ${conditions.sql}
GROUP BY bucket_ms
ORDER BY bucket_ms`,
    parameters: conditions.parameters,
  };
}
