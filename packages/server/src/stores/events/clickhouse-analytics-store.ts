import {
  LATENCY_HISTOGRAM_EDGES_MS,
  parseEventTime,
  type ActivityFilter,
  type ActivityQuery,
  type ActivityRow,
  type AnalyticsQuery,
  type AnalyticsStore,
  type ChargebackKind,
  type ChargebackRow,
  type CostGroup,
  type CostRow,
  type ErrorMessageRow,
  type ErrorRateRow,
  type EventRow,
  type LatencyGroup,
  type LatencyRow,
  type LearningCandidateRow,
  type ModelUsageRow,
  type RepeatedRequestRow,
  type OverviewFigures,
  type OverviewResult,
  type PromptComparisonRow,
  type PromptPrefixRow,
  type RunSummaryRow,
  type SpendBucketRow,
  type SuccessGroup,
  type SuccessRateRow,
  type TenantScope,
  type TimeBucket,
  type TimeRange,
  type UnpricedModelRow,
} from '@tollgate/core';
import {
  activityStatement,
  spendOverTimeStatement,
  type ActivityResultRow,
  type SpendBucketResultRow,
} from './activity-queries';
import {
  modelUsageStatement,
  promptPrefixesStatement,
  promptPrefixRowOf,
  repeatedRequestsStatement,
  type ModelUsageResultRow,
  type PromptPrefixResultRow,
  type RepeatedRequestResultRow,
} from './recommendation-queries';
import { unpricedModelsStatement, type UnpricedModelResultRow } from './unpriced-queries';
import {
  failuresStatement,
  findEventStatement,
  learningCandidatesStatement,
  runsStatement,
  slowestStatement,
  topErrorsStatement,
  type ErrorMessageResultRow,
  type LearningCandidateResultRow,
  type RunSummaryResultRow,
} from './analytics-event-queries';
import {
  chargebackStatement,
  costStatement,
  errorRateStatement,
  latencyStatement,
  successRatesStatement,
  type ChargebackResultRow,
  type CostResultRow,
  type ErrorRateResultRow,
  type LatencyResultRow,
  type SuccessRateResultRow,
} from './analytics-queries';
import {
  latencyHistogramStatement,
  overviewBucketsStatement,
  type LatencyHistogramResultRow,
  type OverviewBucketResultRow,
} from './analytics-overview-queries';
import type { EventDriver } from './driver';
import {
  promptComparisonStatement,
  type PromptComparisonResultRow,
} from './prompt-comparison-query';
import type { Statement } from './event-queries';

/** A quantile of an empty group comes back as null (or NaN): report null, never a made-up 0. */
function quantile(values: Array<number | null>, index: number): number | null {
  const value = values[index];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** An average or quantile of no rows comes back as NaN (or null): report null. */
function finite(value: number | null): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A rollup row of the overview as its figures. */
function figuresOf(row: OverviewBucketResultRow | undefined): OverviewFigures {
  return {
    requests: row?.requests_total ?? 0,
    errors: row?.errors_total ?? 0,
    input_tokens: row?.input_tokens_total ?? 0,
    output_tokens: row?.output_tokens_total ?? 0,
    cost_nanos: BigInt(row?.cost_text ?? 0),
    latency_p50_ms: row ? quantile(row.latency, 0) : null,
    latency_p95_ms: row ? quantile(row.latency, 1) : null,
    latency_p99_ms: row ? quantile(row.latency, 2) : null,
  };
}

/** `YYYY-MM-DD hh:mm:ss[.SSS]` (UTC) as ISO-8601. */
function isoOf(text: string): string {
  return new Date(parseEventTime(text)).toISOString();
}

/** The analytics reads over any ClickHouse engine (the event store's `analytics` part). */
export class ClickHouseAnalyticsStore implements AnalyticsStore {
  constructor(private readonly driver: EventDriver) {}

  async cost(
    scope: TenantScope,
    query: AnalyticsQuery & { groupBy: CostGroup },
  ): Promise<CostRow[]> {
    const rows = await this.run<CostResultRow>(costStatement(scope, query));
    const timeKey = query.groupBy === 'day' || query.groupBy === 'hour';
    return rows.map((row) => ({
      key: timeKey ? isoOf(row.key) : row.key,
      requests: row.requests_total,
      input_tokens: row.input_tokens_total,
      output_tokens: row.output_tokens_total,
      cost_nanos: BigInt(row.cost_text),
    }));
  }

  async latency(
    scope: TenantScope,
    query: AnalyticsQuery & { groupBy: LatencyGroup },
  ): Promise<LatencyRow[]> {
    const rows = await this.run<LatencyResultRow>(latencyStatement(scope, query));
    return rows.map((row) => ({
      key: row.key,
      samples: row.samples,
      latency_p50_ms: quantile(row.latency, 0) ?? 0,
      latency_p95_ms: quantile(row.latency, 1) ?? 0,
      latency_p99_ms: quantile(row.latency, 2) ?? 0,
      ttft_p50_ms: quantile(row.ttft, 0),
      ttft_p95_ms: quantile(row.ttft, 1),
      ttft_p99_ms: quantile(row.ttft, 2),
    }));
  }

  async successRates(
    scope: TenantScope,
    query: AnalyticsQuery & { groupBy: SuccessGroup; minSamples: number },
  ): Promise<SuccessRateRow[]> {
    const rows = await this.run<SuccessRateResultRow>(successRatesStatement(scope, query));
    return rows.map((row) => ({
      service: row.service,
      method: row.method,
      requests: row.requests_total,
      errors: row.errors_total,
    }));
  }

  async errorRate(
    scope: TenantScope,
    query: AnalyticsQuery & { bucket: TimeBucket },
  ): Promise<ErrorRateRow[]> {
    const rows = await this.run<ErrorRateResultRow>(errorRateStatement(scope, query));
    return rows.map((row) => ({
      bucket: row.bucket_ms,
      requests: row.requests_total,
      errors: row.errors_total,
    }));
  }

  async topErrors(
    scope: TenantScope,
    query: AnalyticsQuery & { limit: number },
  ): Promise<ErrorMessageRow[]> {
    const rows = await this.run<ErrorMessageResultRow>(topErrorsStatement(scope, query));
    return rows.map((row) => ({
      error_message: row.message,
      occurrences: row.occurrences,
      last_seen: isoOf(row.last_seen),
      example_event_id: row.example_event_id,
    }));
  }

  async slowest(
    scope: TenantScope,
    query: AnalyticsQuery & { limit: number },
  ): Promise<EventRow[]> {
    return this.run<EventRow>(slowestStatement(scope, query));
  }

  async unpricedModels(
    scope: TenantScope,
    query: AnalyticsQuery & { limit: number },
  ): Promise<UnpricedModelRow[]> {
    const rows = await this.run<UnpricedModelResultRow>(unpricedModelsStatement(scope, query));
    return rows.map((row) => ({
      ...row,
      calls: Number(row.calls),
      last_seen: isoOf(row.last_seen),
    }));
  }

  async modelUsage(
    scope: TenantScope,
    query: AnalyticsQuery & { limit: number },
  ): Promise<ModelUsageRow[]> {
    const rows = await this.run<ModelUsageResultRow>(modelUsageStatement(scope, query));
    return rows.map((row) => ({
      prompt_name: row.prompt_name,
      model: row.model,
      calls: Number(row.calls),
      errors: Number(row.errors_total),
      unpriced_calls: Number(row.unpriced_calls),
      input_tokens: Number(row.input_tokens_total),
      output_tokens: Number(row.output_tokens_total),
      cached_tokens: Number(row.cached_tokens_total),
      cost_nanos: BigInt(row.cost_text),
      latency_p95_ms: finite(row.latency_p95_ms),
    }));
  }

  async repeatedRequests(
    scope: TenantScope,
    query: AnalyticsQuery & { minCalls: number; limit: number },
  ): Promise<RepeatedRequestRow[]> {
    const rows = await this.run<RepeatedRequestResultRow>(repeatedRequestsStatement(scope, query));
    return rows.map((row) => ({
      model: row.model,
      prompt_name: row.prompt_name,
      calls: Number(row.calls),
      repeat_cost_nanos: BigInt(row.repeat_cost_text),
      unpriced_calls: Number(row.unpriced_calls),
      input_sample: row.input_sample,
      first_seen: new Date(Number(row.first_ms)).toISOString(),
      last_seen: new Date(Number(row.last_ms)).toISOString(),
    }));
  }

  async promptPrefixes(
    scope: TenantScope,
    query: AnalyticsQuery & {
      minCalls: number;
      minPrefixTokens: number;
      cacheTtlMs: number;
      limit: number;
    },
  ): Promise<PromptPrefixRow[]> {
    const rows = await this.run<PromptPrefixResultRow>(promptPrefixesStatement(scope, query));
    return rows.map(promptPrefixRowOf);
  }

  async failures(
    scope: TenantScope,
    query: AnalyticsQuery & { limit: number },
  ): Promise<EventRow[]> {
    return this.run<EventRow>(failuresStatement(scope, query));
  }

  async overview(
    scope: TenantScope,
    query: AnalyticsQuery & { bucket: TimeBucket; errorLimit: number },
  ): Promise<OverviewResult> {
    // One statement after another: concurrent reads contend on an embedded engine.
    const rows = await this.run<OverviewBucketResultRow>(overviewBucketsStatement(scope, query));
    const [histogram] = await this.run<LatencyHistogramResultRow>(
      latencyHistogramStatement(scope, query),
    );
    const topErrors = await this.topErrors(scope, { ...query, limit: query.errorLimit });
    const bins = histogram?.bins ?? [];
    return {
      totals: figuresOf(rows.find((row) => Number(row.is_total) === 1)),
      buckets: rows
        .filter((row) => Number(row.is_total) === 0)
        .map((row) => ({ bucket: row.bucket_ms, ...figuresOf(row) })),
      histogram: [...LATENCY_HISTOGRAM_EDGES_MS, null].map((edge, index) => ({
        above_ms: index === 0 ? 0 : LATENCY_HISTOGRAM_EDGES_MS[index - 1]!,
        up_to_ms: edge,
        calls: Number(bins[index] ?? 0),
      })),
      topErrors,
    };
  }

  async activity(scope: TenantScope, query: ActivityQuery): Promise<ActivityRow[]> {
    const rows = await this.run<ActivityResultRow>(activityStatement(scope, query));
    return rows.map((row) => ({
      id: row.id,
      calls: Number(row.calls),
      errors: Number(row.errors_total),
      input_tokens: Number(row.input_tokens_total),
      output_tokens: Number(row.output_tokens_total),
      cost_nanos: BigInt(row.cost_text),
      unpriced_calls: Number(row.unpriced_calls),
      events: Number(row.events_total),
      runs: Number(row.runs_total),
      sessions: Number(row.sessions_total),
      user_id: row.latest_user,
      first_seen: new Date(Number(row.first_ms)).toISOString(),
      last_seen: new Date(Number(row.last_ms)).toISOString(),
    }));
  }

  async spendOverTime(
    scope: TenantScope,
    query: TimeRange & { userId?: string; sessionId?: string; bucket: TimeBucket },
  ): Promise<SpendBucketRow[]> {
    const rows = await this.run<SpendBucketResultRow>(spendOverTimeStatement(scope, query));
    return rows.map((row) => ({
      bucket: new Date(Number(row.bucket_ms)).toISOString(),
      calls: Number(row.calls),
      cost_nanos: BigInt(row.cost_text),
      unpriced_calls: Number(row.unpriced_calls),
    }));
  }

  async runs(
    scope: TenantScope,
    query: TimeRange & ActivityFilter & { limit: number },
  ): Promise<RunSummaryRow[]> {
    const rows = await this.run<RunSummaryResultRow>(runsStatement(scope, query));
    return rows.map((row) => ({
      run_id: row.run_id,
      started_at: new Date(row.started_ms).toISOString(),
      ended_at: new Date(row.ended_ms).toISOString(),
      duration_ms: row.ended_ms - row.started_ms,
      events: row.events_total,
      steps: row.steps,
      tool_calls: row.tool_calls,
      model_calls: row.model_calls,
      errors: row.errors_total,
      cost_nanos: BigInt(row.cost_text),
    }));
  }

  async learningCandidates(
    scope: TenantScope,
    query: TimeRange & { minSuccesses: number; limit: number },
  ): Promise<LearningCandidateRow[]> {
    const rows = await this.run<LearningCandidateResultRow>(
      learningCandidatesStatement(scope, query),
    );
    return rows.map((row) => ({
      service: row.service,
      method: row.method,
      successes: row.successes,
      cost_nanos: BigInt(row.cost_text),
      first_seen: isoOf(row.first_seen),
      last_seen: isoOf(row.last_seen),
      typical_arguments: row.typical_arguments,
    }));
  }

  async chargeback(scope: TenantScope, range: TimeRange): Promise<ChargebackRow[]> {
    const rows = await this.run<ChargebackResultRow>(chargebackStatement(scope, range));
    return rows.map((row) => ({
      org_id: row.org_id,
      kind: row.kind as ChargebackKind,
      requests: row.requests_total,
      input_tokens: row.input_tokens_total,
      output_tokens: row.output_tokens_total,
      cost_nanos: BigInt(row.cost_text),
    }));
  }

  async promptComparison(
    scope: TenantScope,
    query: TimeRange & { promptName: string },
  ): Promise<PromptComparisonRow[]> {
    const rows = await this.run<PromptComparisonResultRow>(promptComparisonStatement(scope, query));
    return rows.map(({ cost_text, ...row }) => ({
      ...row,
      latency_avg_ms: finite(row.latency_avg_ms),
      latency_p95_ms: finite(row.latency_p95_ms),
      tokens_avg: finite(row.tokens_avg),
      feedback_avg: finite(row.feedback_avg),
      cost_nanos: BigInt(cost_text),
    }));
  }

  async findEvent(
    scope: TenantScope,
    eventId: string,
    range: TimeRange,
  ): Promise<EventRow | undefined> {
    const rows = await this.run<EventRow>(findEventStatement(scope, eventId, range));
    return rows[0];
  }

  private run<T>(statement: Statement): Promise<T[]> {
    return this.driver.query<T>(statement.sql, statement.parameters);
  }
}
