import {
  LATENCY_HISTOGRAM_EDGES_MS,
  type AnalyticsQuery,
  type TenantScope,
  type TimeBucket,
} from '@tollgate/core';
import { rawEvents, rollupSource } from './analytics-filters';
import type { Statement } from './event-queries';
import { LATENCY_QUANTILES } from './schema';

/**
 * The dashboard overview's reads (see `ClickHouseAnalyticsStore.overview`):
 * the figures per bucket and in total from the rollups in one statement, and
 * the latency histogram of the same calls from raw events in another.
 */

const HOUR_MS = 3_600_000;

export interface OverviewBucketResultRow {
  /** 1 on the row of the whole range, 0 on a bucket's. */
  is_total: number;
  bucket_ms: number;
  requests_total: number;
  errors_total: number;
  input_tokens_total: number;
  output_tokens_total: number;
  cost_text: string;
  /** p50, p95, p99; NaN or null without a sample. */
  latency: Array<number | null>;
}

/**
 * Requests, errors, tokens, cost and latency quantiles per bucket and for the
 * whole range (`GROUPING SETS`: one scan of the rollup answers both). Hour
 * buckets read the hourly rollup; day buckets read whole days from a daily
 * one and the hours around them from the hourly one, as the other rollup reads.
 */
export function overviewBucketsStatement(
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
    grouping(bucket_ms) AS is_total,
    toInt64(toUnixTimestamp(${truncate}(bucket))) * 1000 AS bucket_ms,
    sum(requests) AS requests_total,
    sum(errors) AS errors_total,
    sum(input_tokens) AS input_tokens_total,
    sum(output_tokens) AS output_tokens_total,
    toString(sum(cost_nanos)) AS cost_text,
    quantilesTDigestMerge(${LATENCY_QUANTILES})(latency_ms) AS latency
FROM ${source.table}
WHERE ${source.conditions.sql}
GROUP BY GROUPING SETS ((bucket_ms), ())
ORDER BY is_total DESC, bucket_ms
LIMIT 10001`,
    parameters: source.conditions.parameters,
  };
}

export interface LatencyHistogramResultRow {
  /** Calls per bin: one per edge of `LATENCY_HISTOGRAM_EDGES_MS`, then the slower ones. */
  bins: number[];
}

/**
 * How many calls fall in each latency bin, in one pass over the raw
 * `latency_ms` of the range. The range is widened to whole hours (the start
 * of `from`'s hour to the end of `to`'s), so the histogram counts exactly the
 * calls the rollup figures count.
 */
export function latencyHistogramStatement(scope: TenantScope, query: AnalyticsQuery): Statement {
  const conditions = rawEvents(scope, query, query.filters);
  conditions.parameters.from = query.from - (query.from % HOUR_MS);
  conditions.parameters.to = Math.ceil(query.to / HOUR_MS) * HOUR_MS;
  // The edges are the code's own constants, never input.
  const bins = LATENCY_HISTOGRAM_EDGES_MS.map((edge, index) =>
    index === 0
      ? `countIf(latency_ms <= ${edge})`
      : `countIf(latency_ms > ${LATENCY_HISTOGRAM_EDGES_MS[index - 1]} AND latency_ms <= ${edge})`,
  );
  bins.push(`countIf(latency_ms > ${LATENCY_HISTOGRAM_EDGES_MS.at(-1)})`);
  return {
    sql: `SELECT [${bins.join(',\n    ')}] AS bins
FROM events
WHERE ${conditions.sql}`,
    parameters: conditions.parameters,
  };
}
