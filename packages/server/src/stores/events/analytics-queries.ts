import type {
  AnalyticsQuery,
  CostGroup,
  LatencyGroup,
  SuccessGroup,
  TenantScope,
  TimeBucket,
  TimeRange,
} from '@tollgate/core';
import { rawEvents, rollupSource } from './analytics-filters';
import type { Statement } from './event-queries';
import { EventStoreError } from './event-store-error';
import { LATENCY_QUANTILES } from './schema';

/**
 * Analytics reads answered by the hourly and daily rollups (cost, latency,
 * success and error rates, chargeback), plus the few groupings the rollups do
 * not carry (user, AI-fallback decision), which read raw events. Money leaves
 * the engine as the text of an exact Int64 sum (`cost_text`).
 */

/** The most groups one answer holds. */
export const MAX_GROUPS = 1000;

/** Rollup expression of each cost group; `user` is absent: the rollups have no user. */
const ROLLUP_GROUP_KEYS: Record<Exclude<CostGroup, 'user'>, string> = {
  none: "''",
  service: 'service',
  method: 'name',
  operation: 'operation',
  model: 'model',
  provider: 'provider',
  project: 'project_id',
  event_type: 'event_type',
  day: 'toString(toStartOfDay(bucket))',
  hour: 'toString(toStartOfHour(bucket))',
};

function groupKey<Group extends string>(keys: Record<Group, string>, group: Group): string {
  const key = keys[group];
  if (key === undefined) throw new EventStoreError('invalid_query', `cannot group by "${group}"`);
  return key;
}

export interface CostResultRow {
  key: string;
  requests_total: number;
  input_tokens_total: number;
  output_tokens_total: number;
  cost_text: string;
}

/** Raw-event expression of each cost group, for reads the rollups cannot answer. */
const RAW_GROUP_KEYS: Record<CostGroup, string> = {
  ...ROLLUP_GROUP_KEYS,
  user: 'user_id',
  day: 'toString(toStartOfDay(ts))',
  hour: 'toString(toStartOfHour(ts))',
};

const isTimeGroup = (group: CostGroup) => group === 'day' || group === 'hour';

/**
 * Cost per group. From the rollups unless the query groups or filters by user
 * (the rollups have no user): then from raw events, over exactly [from, to).
 */
export function costStatement(
  scope: TenantScope,
  query: AnalyticsQuery & { groupBy: CostGroup },
): Statement {
  const order = isTimeGroup(query.groupBy)
    ? 'key'
    : 'sum(cost_nanos) DESC, requests_total DESC, key';
  if (query.groupBy === 'user' || query.filters.userId !== undefined) {
    const conditions = rawEvents(scope, query, query.filters);
    return {
      sql: `SELECT
    ${groupKey(RAW_GROUP_KEYS, query.groupBy)} AS key,
    count() AS requests_total,
    sum(toUInt64(input_tokens)) AS input_tokens_total,
    sum(toUInt64(output_tokens)) AS output_tokens_total,
    toString(sum(cost_nanos)) AS cost_text
FROM events
WHERE ${conditions.sql}
GROUP BY key
ORDER BY ${order}
LIMIT ${MAX_GROUPS}`,
      parameters: conditions.parameters,
    };
  }
  const key = groupKey(ROLLUP_GROUP_KEYS, query.groupBy);
  const source = rollupSource(scope, query, query.filters, {
    needsHours: query.groupBy === 'hour',
    groupsByModelDimensions: query.groupBy !== 'service' && query.groupBy !== 'method',
  });
  return {
    sql: `SELECT
    ${key} AS key,
    sum(requests) AS requests_total,
    sum(input_tokens) AS input_tokens_total,
    sum(output_tokens) AS output_tokens_total,
    toString(sum(cost_nanos)) AS cost_text
FROM ${source.table}
WHERE ${source.conditions.sql}
GROUP BY key
ORDER BY ${order}
LIMIT ${MAX_GROUPS}`,
    parameters: source.conditions.parameters,
  };
}

const LATENCY_KEYS: Record<Exclude<LatencyGroup, 'decision'>, string> = {
  none: "''",
  service: 'service',
  method: 'name',
  model: 'model',
  provider: 'provider',
};

export interface LatencyResultRow {
  key: string;
  samples: number;
  /** p50, p95, p99; null or NaN-as-null when the group has no sample. */
  latency: Array<number | null>;
  ttft: Array<number | null>;
}

export function latencyStatement(
  scope: TenantScope,
  query: AnalyticsQuery & { groupBy: LatencyGroup },
): Statement {
  if (query.groupBy === 'decision') {
    // The rollups do not carry the decision: read the AI-fallback events themselves.
    const conditions = rawEvents(scope, query, { ...query.filters, eventTypes: ['ai_fallback'] });
    return {
      sql: `SELECT
    decision AS key,
    count() AS samples,
    quantilesTDigest(${LATENCY_QUANTILES})(latency_ms) AS latency,
    quantilesTDigestIf(${LATENCY_QUANTILES})(ttft_ms, ttft_ms > 0) AS ttft
FROM events
WHERE ${conditions.sql}
GROUP BY key
ORDER BY samples DESC, key
LIMIT ${MAX_GROUPS}`,
      parameters: conditions.parameters,
    };
  }
  const key = groupKey(LATENCY_KEYS, query.groupBy);
  const source = rollupSource(scope, query, query.filters, {
    groupsByModelDimensions: query.groupBy !== 'service' && query.groupBy !== 'method',
  });
  return {
    sql: `SELECT
    ${key} AS key,
    sum(requests) AS samples,
    quantilesTDigestMerge(${LATENCY_QUANTILES})(latency_ms) AS latency,
    quantilesTDigestMerge(${LATENCY_QUANTILES})(ttft_ms) AS ttft
FROM ${source.table}
WHERE ${source.conditions.sql}
GROUP BY key
ORDER BY samples DESC, key
LIMIT ${MAX_GROUPS}`,
    parameters: source.conditions.parameters,
  };
}

export interface SuccessRateResultRow {
  service: string;
  method: string;
  requests_total: number;
  errors_total: number;
}

export function successRatesStatement(
  scope: TenantScope,
  query: AnalyticsQuery & { groupBy: SuccessGroup; minSamples: number },
): Statement {
  if (!Number.isSafeInteger(query.minSamples) || query.minSamples < 0) {
    throw new EventStoreError('invalid_query', 'minSamples must be a non-negative integer');
  }
  const method = query.groupBy === 'method' ? 'name' : "''";
  const source = rollupSource(scope, query, query.filters);
  return {
    sql: `SELECT
    service,
    ${method} AS method,
    sum(requests) AS requests_total,
    sum(errors) AS errors_total
FROM ${source.table}
WHERE ${source.conditions.sql}
GROUP BY service, method
HAVING requests_total >= {min_samples:UInt64}
ORDER BY requests_total DESC, service, method
LIMIT ${MAX_GROUPS}`,
    parameters: { ...source.conditions.parameters, min_samples: query.minSamples },
  };
}

export interface ErrorRateResultRow {
  bucket_ms: number;
  requests_total: number;
  errors_total: number;
}

export function errorRateStatement(
  scope: TenantScope,
  query: AnalyticsQuery & { bucket: TimeBucket },
): Statement {
  const truncate = query.bucket === 'hour' ? 'toStartOfHour' : 'toStartOfDay';
  const source = rollupSource(scope, query, query.filters, {
    needsHours: query.bucket === 'hour',
    groupsByModelDimensions: true,
  });
  return {
    sql: `SELECT
    toInt64(toUnixTimestamp(${truncate}(bucket))) * 1000 AS bucket_ms,
    sum(requests) AS requests_total,
    sum(errors) AS errors_total
FROM ${source.table}
WHERE ${source.conditions.sql}
GROUP BY bucket_ms
ORDER BY bucket_ms
LIMIT 10000`,
    parameters: source.conditions.parameters,
  };
}

export interface ChargebackResultRow {
  org_id: string;
  kind: string;
  requests_total: number;
  input_tokens_total: number;
  output_tokens_total: number;
  cost_text: string;
}

/**
 * Model calls per org and operation kind. Only `prompt_call` events are
 * billed: every model call the gateway makes (AI fallbacks included) is one,
 * and an `ai_fallback` event repeats the cost of the calls it made.
 * Completions and chats are one kind; an unknown operation bills as completion.
 */
export function chargebackStatement(scope: TenantScope, range: TimeRange): Statement {
  const source = rollupSource(
    scope,
    range,
    { eventTypes: ['prompt_call'] },
    { groupsByModelDimensions: true },
  );
  return {
    sql: `SELECT
    org_id,
    multiIf(operation IN ('embedding', 'image', 'video', 'moderation'), operation, 'completion') AS kind,
    sum(requests) AS requests_total,
    sum(input_tokens) AS input_tokens_total,
    sum(output_tokens) AS output_tokens_total,
    toString(sum(cost_nanos)) AS cost_text
FROM ${source.table}
WHERE ${source.conditions.sql}
GROUP BY org_id, kind
ORDER BY org_id, kind`,
    parameters: source.conditions.parameters,
  };
}
