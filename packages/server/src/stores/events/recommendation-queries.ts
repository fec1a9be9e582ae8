import type { AnalyticsQuery, TenantScope } from '@tollgate/core';
import { assertLimit, OK_STATUSES_SQL, rawEvents } from './analytics-filters';
import type { Statement } from './event-queries';

/**
 * The reads behind cost recommendations (`GET /api/v1/analytics/recommendations`):
 * how each model serves each prompt, and identical requests sent again.
 * Both read raw events of the range, tenant-scoped, values as parameters.
 */

export const MAX_RECOMMENDATION_ROWS = 1000;

export interface ModelUsageResultRow {
  prompt_name: string;
  model: string;
  calls: number | string;
  errors_total: number | string;
  unpriced_calls: number | string;
  input_tokens_total: number | string;
  output_tokens_total: number | string;
  cached_tokens_total: number | string;
  cost_text: string;
  latency_p95_ms: number | null;
}

/**
 * Per prompt name (empty for calls without one) and model: calls, errors,
 * calls without a price, token totals, exact cost and the exact p95 latency.
 */
export function modelUsageStatement(
  scope: TenantScope,
  query: AnalyticsQuery & { limit: number },
): Statement {
  assertLimit(query.limit, MAX_RECOMMENDATION_ROWS);
  const conditions = rawEvents(scope, query, query.filters).add("model != ''");
  return {
    sql: `SELECT
    prompt_name,
    model,
    count() AS calls,
    countIf(status NOT IN ${OK_STATUSES_SQL}) AS errors_total,
    countIf(cost_unpriced = 1) AS unpriced_calls,
    sum(input_tokens) AS input_tokens_total,
    sum(output_tokens) AS output_tokens_total,
    sum(cached_tokens) AS cached_tokens_total,
    toString(sum(cost_nanos)) AS cost_text,
    quantileExact(0.95)(latency_ms) AS latency_p95_ms
FROM events
WHERE ${conditions.sql}
GROUP BY prompt_name, model
ORDER BY prompt_name, model
LIMIT {limit:UInt32}`,
    parameters: { ...conditions.parameters, limit: query.limit },
  };
}

export interface RepeatedRequestResultRow {
  model: string;
  prompt_name: string;
  calls: number | string;
  repeat_cost_text: string;
  unpriced_calls: number | string;
  input_sample: string;
  first_ms: number | string;
  last_ms: number | string;
}

/**
 * Groups of successful, uncached calls with the same model and the same
 * input, sent at least `minCalls` times: every call after the first is one
 * the response cache would have answered, and its cost the saving (exact:
 * the group's cost less its first call's).
 */
export function repeatedRequestsStatement(
  scope: TenantScope,
  query: AnalyticsQuery & { minCalls: number; limit: number },
): Statement {
  assertLimit(query.limit, MAX_RECOMMENDATION_ROWS);
  const conditions = rawEvents(scope, query, query.filters)
    .add("model != ''")
    .add("input != ''")
    .add("status = 'success'")
    .add('cache_hit = 0');
  return {
    sql: `SELECT
    model,
    any(prompt_name) AS prompt_name,
    count() AS calls,
    toString(sum(cost_nanos) - argMin(cost_nanos, (ts, event_id))) AS repeat_cost_text,
    countIf(cost_unpriced = 1) AS unpriced_calls,
    substring(any(input), 1, 200) AS input_sample,
    toInt64(toUnixTimestamp64Milli(min(ts))) AS first_ms,
    toInt64(toUnixTimestamp64Milli(max(ts))) AS last_ms
FROM events
WHERE ${conditions.sql}
GROUP BY model, cityHash64(input)
HAVING calls >= {min_calls:UInt32}
ORDER BY sum(cost_nanos) - argMin(cost_nanos, (ts, event_id)) DESC, calls DESC, model
LIMIT {limit:UInt32}`,
    parameters: { ...conditions.parameters, min_calls: query.minCalls, limit: query.limit },
  };
}
