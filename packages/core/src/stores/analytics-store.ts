import type { EventRow } from '../events/event-columns';
import type { TenantScope, TimeRange } from './tenant-scope';

/**
 * The query API's reads over the event store. Every query is tenant-scoped and
 * bounded in time; money is returned as `bigint` nano-dollars, summed exactly
 * by the engine (Int64) and carried as text across the wire, so it never
 * passes through a float.
 */

/** Dimensions cost can be grouped by (`method` is the event `name`). */
export const COST_GROUPS = [
  'none',
  'service',
  'method',
  'operation',
  'model',
  'provider',
  'project',
  'user',
  'event_type',
  'day',
  'hour',
] as const;
export type CostGroup = (typeof COST_GROUPS)[number];

/** Dimensions latency can be grouped by; `decision` reads `ai_fallback` events only. */
export const LATENCY_GROUPS = [
  'none',
  'service',
  'method',
  'model',
  'provider',
  'decision',
] as const;
export type LatencyGroup = (typeof LATENCY_GROUPS)[number];

export const SUCCESS_GROUPS = ['service', 'method'] as const;
export type SuccessGroup = (typeof SUCCESS_GROUPS)[number];

export const TIME_BUCKETS = ['hour', 'day'] as const;
export type TimeBucket = (typeof TIME_BUCKETS)[number];

/** Optional equality filters every analytics query accepts. */
export interface AnalyticsFilters {
  /** The event types counted; each endpoint has its own default. */
  eventTypes: readonly string[];
  service?: string;
  method?: string;
  model?: string;
  provider?: string;
  operation?: string;
  /** One end user's calls; the rollups have no user, so a query with it reads raw events. */
  userId?: string;
}

export interface AnalyticsQuery extends TimeRange {
  filters: AnalyticsFilters;
}

export interface CostRow {
  key: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_nanos: bigint;
}

export interface LatencyRow {
  key: string;
  samples: number;
  latency_p50_ms: number;
  latency_p95_ms: number;
  latency_p99_ms: number;
  /** Time to first token of streamed calls; null when no call in the group streamed. */
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
  ttft_p99_ms: number | null;
}

export interface SuccessRateRow {
  service: string;
  /** Empty when grouped by service only. */
  method: string;
  requests: number;
  errors: number;
}

export interface ErrorRateRow {
  /** Start of the bucket, epoch milliseconds. */
  bucket: number;
  requests: number;
  errors: number;
}

export interface ErrorMessageRow {
  error_message: string;
  occurrences: number;
  last_seen: string;
  /** One event carrying the message, to open. */
  example_event_id: string;
}

export interface RunSummaryRow {
  run_id: string;
  started_at: string;
  /** Latest event end (time plus latency). */
  ended_at: string;
  duration_ms: number;
  events: number;
  steps: number;
  tool_calls: number;
  model_calls: number;
  errors: number;
  cost_nanos: bigint;
}

/** Which events a list of runs, users or sessions counts: runs (or people) with an event that matches. */
export interface ActivityFilter {
  userId?: string;
  sessionId?: string;
  /** An event's `name` (a run's, step's or call's name), exactly. */
  name?: string;
  /** Free text, found case-insensitively in an event's name, prompt, response or error. */
  text?: string;
}

/** One end user (`user_id`) or session (`session_id`) in a range: its calls, spend and errors. */
export interface ActivityRow {
  /** The user id or the session id. */
  id: string;
  /** Model calls (`prompt_call` events). */
  calls: number;
  /** Model calls that failed (status other than success or cached). */
  errors: number;
  input_tokens: number;
  output_tokens: number;
  /** Exact cost of the priced calls. */
  cost_nanos: bigint;
  /** Calls without a price: their cost is unknown, not counted as 0. */
  unpriced_calls: number;
  /** All events, not only model calls. */
  events: number;
  runs: number;
  /** For users: their sessions; for sessions: 0 or 1. */
  sessions: number;
  /** For sessions: the user it belongs to (the latest seen), '' when none. */
  user_id: string;
  first_seen: string;
  last_seen: string;
}

export interface ActivityQuery extends TimeRange, ActivityFilter {
  by: 'user' | 'session';
  limit: number;
}

/** Model-call spend per time bucket. */
export interface SpendBucketRow {
  bucket: string;
  calls: number;
  cost_nanos: bigint;
  unpriced_calls: number;
}

export interface LearningCandidateRow {
  service: string;
  method: string;
  successes: number;
  cost_nanos: bigint;
  first_seen: string;
  last_seen: string;
  /** The most frequent arguments (as stored, cut to 500 characters), most frequent first. */
  typical_arguments: string[];
}

/** Operation kinds a chargeback report bills separately. */
export const CHARGEBACK_KINDS = [
  'completion',
  'embedding',
  'image',
  'video',
  'moderation',
] as const;
export type ChargebackKind = (typeof CHARGEBACK_KINDS)[number];

/** Calls of one model recorded without a price (`cost_unpriced`). */
export interface UnpricedModelRow {
  model: string;
  provider: string;
  calls: number;
  /** ISO-8601. */
  last_seen: string;
}

/** How one model served one prompt in a range (the cheaper-model recommendation's evidence). */
export interface ModelUsageRow {
  /** Empty for calls recorded without a prompt name. */
  prompt_name: string;
  model: string;
  calls: number;
  /** Calls whose status is not success or cached. */
  errors: number;
  unpriced_calls: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_nanos: bigint;
  /** Exact p95 of the calls' latency; null without a sample. */
  latency_p95_ms: number | null;
}

/** Successful uncached calls with the same model and input, sent again and again. */
export interface RepeatedRequestRow {
  model: string;
  prompt_name: string;
  calls: number;
  /** The cost of every call after the first: what a response cache would have saved. */
  repeat_cost_nanos: bigint;
  unpriced_calls: number;
  /** The start of the input (up to 200 characters). */
  input_sample: string;
  first_seen: string;
  last_seen: string;
}

/**
 * Successful calls of one model (and prompt) that open with the same messages,
 * not yet served from a provider's prompt cache: what prompt caching would discount.
 */
export interface PromptPrefixRow {
  provider: string;
  model: string;
  prompt_name: string;
  calls: number;
  /** Different whole inputs among the calls (they share the prefix, not the rest). */
  distinct_inputs: number;
  /** Messages in the shared prefix (those before the last user message). */
  prefix_messages: number;
  /** The smallest per-call estimate of the prefix's tokens (its share of the call's input tokens). */
  prefix_tokens: number;
  /** The smallest input token count among the calls (picks the price tier). */
  min_input_tokens: number;
  /** Calls sent while a provider's cache would still hold the prefix (within its lifetime of the previous call). */
  cache_reads: number;
  /** The start of the shared prefix (up to 200 characters of its JSON). */
  prefix_sample: string;
  first_seen: string;
  last_seen: string;
}

export interface ChargebackRow {
  org_id: string;
  kind: ChargebackKind;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_nanos: bigint;
}

/** One version of a prompt over a period: its calls and the feedback given on them. */
export interface PromptComparisonRow {
  version: number;
  executions: number;
  successes: number;
  /** Null when the version made no call in the period. */
  latency_avg_ms: number | null;
  latency_p95_ms: number | null;
  tokens_avg: number | null;
  cost_nanos: bigint;
  feedback_count: number;
  /** Average feedback score (0 to 5); null without feedback. */
  feedback_avg: number | null;
}

/**
 * Upper edges (inclusive, milliseconds) of the overview's latency histogram;
 * a last bucket holds the calls slower than the last edge.
 */
export const LATENCY_HISTOGRAM_EDGES_MS = [
  100, 250, 500, 1000, 2000, 5000, 10_000, 30_000,
] as const;

/** Requests, errors, tokens, cost and latency quantiles of a set of calls. */
export interface OverviewFigures {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_nanos: bigint;
  /** t-digest estimates; null when there is no call. */
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  latency_p99_ms: number | null;
}

export interface LatencyHistogramBin {
  /** Exclusive lower edge (0 for the first bin). */
  above_ms: number;
  /** Inclusive upper edge; null for the last bin. */
  up_to_ms: number | null;
  calls: number;
}

/** Everything the dashboard's overview shows, read in one go. */
export interface OverviewResult {
  totals: OverviewFigures;
  /** Per time bucket (start, epoch milliseconds), oldest first; buckets without calls left out. */
  buckets: (OverviewFigures & { bucket: number })[];
  histogram: LatencyHistogramBin[];
  topErrors: ErrorMessageRow[];
}

export interface AnalyticsStore {
  cost(scope: TenantScope, query: AnalyticsQuery & { groupBy: CostGroup }): Promise<CostRow[]>;
  latency(
    scope: TenantScope,
    query: AnalyticsQuery & { groupBy: LatencyGroup },
  ): Promise<LatencyRow[]>;
  successRates(
    scope: TenantScope,
    query: AnalyticsQuery & { groupBy: SuccessGroup; minSamples: number },
  ): Promise<SuccessRateRow[]>;
  errorRate(
    scope: TenantScope,
    query: AnalyticsQuery & { bucket: TimeBucket },
  ): Promise<ErrorRateRow[]>;
  topErrors(
    scope: TenantScope,
    query: AnalyticsQuery & { limit: number },
  ): Promise<ErrorMessageRow[]>;
  /** The slowest events, slowest first. */
  slowest(scope: TenantScope, query: AnalyticsQuery & { limit: number }): Promise<EventRow[]>;
  /** Events whose status is not success or cached, newest first. */
  failures(scope: TenantScope, query: AnalyticsQuery & { limit: number }): Promise<EventRow[]>;
  /** Runs with their totals, newest first. */
  runs(
    scope: TenantScope,
    query: TimeRange & ActivityFilter & { limit: number },
  ): Promise<RunSummaryRow[]>;
  /** End users or sessions with events in the range, latest seen first (raw events). */
  activity(scope: TenantScope, query: ActivityQuery): Promise<ActivityRow[]>;
  /** Model-call spend per bucket, of one user or one session (raw events). */
  spendOverTime(
    scope: TenantScope,
    query: TimeRange & { userId?: string; sessionId?: string; bucket: TimeBucket },
  ): Promise<SpendBucketRow[]>;
  /** AI-fallback methods that succeeded more than `minSuccesses` times. */
  learningCandidates(
    scope: TenantScope,
    query: TimeRange & { minSuccesses: number; limit: number },
  ): Promise<LearningCandidateRow[]>;
  /** Model calls per org and operation kind, for billing. */
  chargeback(scope: TenantScope, range: TimeRange): Promise<ChargebackRow[]>;
  /** Models of calls recorded without a price, most calls first. */
  unpricedModels(
    scope: TenantScope,
    query: AnalyticsQuery & { limit: number },
  ): Promise<UnpricedModelRow[]>;
  /** Per prompt name and model: calls, errors, tokens, cost and p95 latency (raw events). */
  modelUsage(
    scope: TenantScope,
    query: AnalyticsQuery & { limit: number },
  ): Promise<ModelUsageRow[]>;
  /** Identical successful uncached requests (same model and input) sent at least `minCalls` times. */
  repeatedRequests(
    scope: TenantScope,
    query: AnalyticsQuery & { minCalls: number; limit: number },
  ): Promise<RepeatedRequestRow[]>;
  /**
   * Groups of at least `minCalls` successful uncached calls sharing leading
   * messages of at least `minPrefixTokens` (estimated), none of which read or
   * wrote cached input tokens; `cacheTtlMs` decides which calls count as cache reads.
   */
  promptPrefixes(
    scope: TenantScope,
    query: AnalyticsQuery & {
      minCalls: number;
      minPrefixTokens: number;
      cacheTtlMs: number;
      limit: number;
    },
  ): Promise<PromptPrefixRow[]>;
  /** Per version of the prompt named `promptName`, from its calls and their feedback. */
  promptComparison(
    scope: TenantScope,
    query: TimeRange & { promptName: string },
  ): Promise<PromptComparisonRow[]>;
  /**
   * The overview: totals and per-bucket figures (rollups, hour resolution),
   * the latency histogram of the same calls and the `errorLimit` most
   * frequent error messages, read one query after another.
   */
  overview(
    scope: TenantScope,
    query: AnalyticsQuery & { bucket: TimeBucket; errorLimit: number },
  ): Promise<OverviewResult>;
  /** One event of the tenant by id, looked for within `range`. */
  findEvent(scope: TenantScope, eventId: string, range: TimeRange): Promise<EventRow | undefined>;
}
