import type { AnalyticsQuery, PromptPrefixRow, TenantScope } from '@tollgate/core';
import { assertLimit, OK_STATUSES_SQL, rawEvents } from './analytics-filters';
import type { Statement } from './event-queries';

/**
 * The reads behind cost recommendations (`GET /api/v1/analytics/recommendations`):
 * how each model serves each prompt, identical requests sent again, and
 * calls opening with the same messages. All read raw events of the range,
 * tenant-scoped, values as parameters.
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
    // Sealed inputs (content_encryption) differ every time: they cannot be compared.
    .add("NOT startsWith(input, 'tgenc:')")
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

export interface PromptPrefixResultRow {
  provider: string;
  model: string;
  prompt_name: string;
  calls: number | string;
  distinct_inputs: number | string;
  prefix_messages: number | string;
  prefix_tokens_min: number | string;
  input_tokens_min: number | string;
  cache_reads: number | string;
  prefix_sample: string;
  first_ms: number | string;
  last_ms: number | string;
}

/**
 * Groups of successful model calls that open with the same messages: what
 * provider prompt caching would discount (the prompt-caching recommendation).
 *
 * The prefix of a call is its leading messages up to (not including) its
 * last user message: the system prompt, few-shot examples and earlier turns,
 * which an application sends unchanged while the last user message varies.
 * It is read from the stored input, a JSON array of chat messages (calls
 * whose input is not one, or was not stored, take no part), and hashed with
 * the provider, model and prompt name. A multi-turn conversation whose
 * history grows forms no group: the saving found is a lower bound.
 *
 * Its tokens are estimated per call as the prefix's share of the call's
 * characters times the input tokens the provider reported (the provider's
 * own tokenizer, so no local one is needed), and the group keeps the
 * smallest estimate. A group in which any call already read or wrote
 * cached input tokens is left out: caching is on there already.
 * `cache_reads` counts the calls sent within `cacheTtlMs` of the group's
 * previous call, the ones a provider's cache (5 minutes after its last use)
 * would still hold; every other call would write the prefix to the cache
 * again.
 */
export function promptPrefixesStatement(
  scope: TenantScope,
  query: AnalyticsQuery & {
    minCalls: number;
    minPrefixTokens: number;
    cacheTtlMs: number;
    limit: number;
  },
): Statement {
  assertLimit(query.limit, MAX_RECOMMENDATION_ROWS);
  const conditions = rawEvents(scope, query, query.filters)
    .add("model != ''")
    .add("startsWith(input, '[')")
    .add("status = 'success'")
    .add('cache_hit = 0');
  return {
    sql: `SELECT
    provider,
    model,
    prompt_name,
    count() AS calls,
    uniqExact(input_hash) AS distinct_inputs,
    any(length(prefix)) AS prefix_messages,
    min(prefix_tokens) AS prefix_tokens_min,
    min(input_tokens) AS input_tokens_min,
    arrayCount(
        gap -> gap <= {cache_ttl_ms:UInt64},
        arrayPopFront(arrayDifference(arraySort(groupArray(ts_ms))))
    ) AS cache_reads,
    substring(any(prefix_text), 1, 200) AS prefix_sample,
    min(ts_ms) AS first_ms,
    max(ts_ms) AS last_ms
FROM
(
    SELECT
        provider,
        model,
        prompt_name,
        input_tokens,
        toUInt64(cached_tokens) + cache_write_5m_tokens + cache_write_1h_tokens AS cache_tokens,
        cityHash64(input) AS input_hash,
        toInt64(toUnixTimestamp64Milli(ts)) AS ts_ms,
        JSONExtractArrayRaw(input) AS messages,
        arrayMap(message -> JSONExtractString(message, 'role'), messages) AS roles,
        arraySlice(messages, 1, length(roles) - indexOf(arrayReverse(roles), 'user')) AS prefix,
        arrayStringConcat(prefix, ',') AS prefix_text,
        intDiv(toUInt64(input_tokens) * lengthUTF8(prefix_text), greatest(lengthUTF8(input), 1)) AS prefix_tokens
    FROM events
    WHERE ${conditions.sql}
)
WHERE has(roles, 'user') AND length(prefix) > 0
GROUP BY provider, model, prompt_name, cityHash64(prefix_text)
HAVING calls >= {min_calls:UInt32}
    AND countIf(cache_tokens > 0) = 0
    AND prefix_tokens_min >= {min_prefix_tokens:UInt32}
ORDER BY toUInt64(prefix_tokens_min) * cache_reads DESC, calls DESC, model
LIMIT {limit:UInt32}`,
    parameters: {
      ...conditions.parameters,
      min_calls: query.minCalls,
      min_prefix_tokens: query.minPrefixTokens,
      cache_ttl_ms: query.cacheTtlMs,
      limit: query.limit,
    },
  };
}

/** A result row of `promptPrefixesStatement` as the analytics store answers it. */
export function promptPrefixRowOf(row: PromptPrefixResultRow): PromptPrefixRow {
  return {
    provider: row.provider,
    model: row.model,
    prompt_name: row.prompt_name,
    calls: Number(row.calls),
    distinct_inputs: Number(row.distinct_inputs),
    prefix_messages: Number(row.prefix_messages),
    prefix_tokens: Number(row.prefix_tokens_min),
    min_input_tokens: Number(row.input_tokens_min),
    cache_reads: Number(row.cache_reads),
    prefix_sample: row.prefix_sample,
    first_seen: new Date(Number(row.first_ms)).toISOString(),
    last_seen: new Date(Number(row.last_ms)).toISOString(),
  };
}
