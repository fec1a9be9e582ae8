import { z } from 'zod';
import { costFields, isoTime, moneyFields, rangeFields, ratio } from './common';
import { EventResponse } from './events';

/** Requests, errors, tokens, exact cost and latency percentiles of a set of model calls. */
const overviewFigures = {
  requests: z.number(),
  errors: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  /** t-digest estimates; null when there is no call. */
  latency_p50_ms: z.number().nullable(),
  latency_p95_ms: z.number().nullable(),
  latency_p99_ms: z.number().nullable(),
  success_rate: ratio,
  ...costFields,
};

export const LatencyHistogramBin = z.object({
  /** Exclusive lower edge (0 for the first bin). */
  above_ms: z.number(),
  /** Inclusive upper edge; null for the last bin. */
  up_to_ms: z.number().nullable(),
  calls: z.number(),
});

/** `GET /api/v1/analytics/overview`: the dashboard's overview in one answer. */
export const OverviewResponse = z.object({
  ...rangeFields,
  bucket: z.string(),
  event_types: z.array(z.string()),
  totals: z.object(overviewFigures),
  buckets: z.array(z.object({ bucket: isoTime, ...overviewFigures })),
  latency_histogram: z.array(LatencyHistogramBin),
  top_errors: z.array(
    z.object({
      error_message: z.string(),
      occurrences: z.number(),
      last_seen: z.string(),
      /** One event carrying the message, to open. */
      example_event_id: z.string(),
    }),
  ),
});

/** One group of a cost answer: its calls, tokens, total and average exact cost. */
export const CostRowResponse = z.object({
  key: z.string(),
  requests: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  ...costFields,
  ...moneyFields('average_cost'),
});

/** `GET /api/v1/analytics/cost`: cost per group. */
export const CostResponse = z.object({
  ...rangeFields,
  group_by: z.string(),
  total: z.object({ requests: z.number(), ...costFields }),
  rows: z.array(CostRowResponse),
});

/** A model whose calls have no price: their cost is unknown, never counted as 0. */
export const UnpricedModelResponse = z.object({
  model: z.string(),
  provider: z.string(),
  calls: z.number(),
  last_seen: isoTime,
});

/** `GET /api/v1/analytics/cost/summary`: one tenant's total with breakdowns. */
export const CostSummaryResponse = z.object({
  ...rangeFields,
  org_id: z.string(),
  project_id: z.string().nullable(),
  user_id: z.string().nullable(),
  total: CostRowResponse,
  by_operation: z.array(CostRowResponse),
  by_model: z.array(CostRowResponse),
  by_day: z.array(CostRowResponse),
  unpriced: z.object({ calls: z.number(), models: z.array(UnpricedModelResponse) }),
});

/** One end user or session in a range: calls, tokens, exact cost, error rate, first and last seen. */
export const ActivityResponse = z.object({
  /** The user id or the session id. */
  id: z.string(),
  calls: z.number(),
  errors: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  unpriced_calls: z.number(),
  events: z.number(),
  runs: z.number(),
  sessions: z.number(),
  /** For sessions: the user it belongs to (the latest seen), '' when none. */
  user_id: z.string(),
  first_seen: z.string(),
  last_seen: z.string(),
  error_rate: ratio,
  ...costFields,
});

/** `GET /api/v1/analytics/users`. */
export const UsersResponse = z.object({ ...rangeFields, users: z.array(ActivityResponse) });
/** `GET /api/v1/analytics/sessions`. */
export const SessionsResponse = z.object({ ...rangeFields, sessions: z.array(ActivityResponse) });

/** `GET /api/v1/analytics/users/:userId`: a user's totals, sessions and spend over time. */
export const UserDetailResponse = z.object({
  ...rangeFields,
  user_id: z.string(),
  totals: ActivityResponse.nullable(),
  sessions: z.array(ActivityResponse),
  bucket: z.string(),
  spend: z.array(
    z.object({ bucket: z.string(), calls: z.number(), unpriced_calls: z.number(), ...costFields }),
  ),
});

/** One run in a range: its timing, counts, outcome and exact cost. */
export const RunSummaryResponse = z.object({
  run_id: z.string(),
  started_at: z.string(),
  /** Latest event end (time plus latency). */
  ended_at: z.string(),
  duration_ms: z.number(),
  events: z.number(),
  steps: z.number(),
  tool_calls: z.number(),
  model_calls: z.number(),
  errors: z.number(),
  status: z.enum(['success', 'error']),
  ...costFields,
});

/** `GET /api/v1/analytics/runs`. */
export const RunsResponse = z.object({ ...rangeFields, runs: z.array(RunSummaryResponse) });

/** `GET /api/v1/analytics/sessions/:sessionId`: a session's totals, runs and events in order. */
export const SessionDetailResponse = z.object({
  ...rangeFields,
  session_id: z.string(),
  totals: ActivityResponse.nullable(),
  runs: z.array(RunSummaryResponse),
  events: z.array(EventResponse),
  events_truncated: z.boolean(),
});

const modelUsageEvidence = z.object({
  model: z.string(),
  calls: z.number(),
  errors: z.number(),
  success_rate: ratio,
  latency_p95_ms: z.number().nullable(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cached_tokens: z.number(),
  ...costFields,
});

const savingFields = { ...moneyFields('saving'), ...moneyFields('monthly_saving') };

export const RecommendationResponse = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('unpriced_model'),
    model: z.string(),
    provider: z.string(),
    evidence: z.object({ calls: z.number(), last_seen: z.string() }),
    action: z.string(),
  }),
  z.object({
    kind: z.literal('cheaper_model'),
    prompt_name: z.string(),
    current_model: z.string(),
    suggested_model: z.string(),
    evidence: z.object({
      current: modelUsageEvidence,
      suggested: modelUsageEvidence,
      ...moneyFields('repriced_cost'),
    }),
    ...savingFields,
  }),
  z.object({
    kind: z.literal('repeated_requests'),
    model: z.string(),
    prompt_name: z.string(),
    input_sample: z.string(),
    evidence: z.object({
      identical_calls: z.number(),
      repeats: z.number(),
      first_seen: z.string(),
      last_seen: z.string(),
    }),
    action: z.string(),
    ...savingFields,
  }),
  z.object({
    kind: z.literal('prompt_caching'),
    provider: z.string(),
    model: z.string(),
    prompt_name: z.string(),
    prefix_sample: z.string(),
    evidence: z.object({
      calls: z.number(),
      distinct_inputs: z.number(),
      prefix_messages: z.number(),
      estimated_prefix_tokens: z.number(),
      cache_reads: z.number(),
      cache_writes: z.number(),
      first_seen: z.string(),
      last_seen: z.string(),
    }),
    action: z.string(),
    /** Null when the price list cannot tell (`saving_unknown` says why): unknown, never $0. */
    saving_nanos: z.string().nullable(),
    saving_usd: z.string().nullable(),
    monthly_saving_nanos: z.string().nullable(),
    monthly_saving_usd: z.string().nullable(),
    saving_unknown: z.string().optional(),
  }),
  z.object({
    kind: z.literal('budget_projection'),
    budget_id: z.string(),
    scope: z.string(),
    scope_id: z.string(),
    period: z.string(),
    exhausted: z.boolean(),
    runs_out_at: isoTime,
    period_ends_at: isoTime,
    evidence: z.object({
      period_start: isoTime,
      ...moneyFields('spent'),
      ...moneyFields('amount'),
    }),
    ...moneyFields('projected_spend'),
    ...moneyFields('projected_overrun'),
  }),
]);

/** `GET /api/v1/analytics/recommendations`: where recorded calls could cost less, with evidence. */
export const RecommendationsResponse = z.object({
  ...rangeFields,
  bounds: z.object({
    min_calls: z.number(),
    max_success_rate_drop_points: z.number(),
    max_p95_latency_increase: z.number(),
    min_identical_calls: z.number(),
    min_prefix_calls: z.number(),
    min_cacheable_prefix_tokens: z.number(),
    prompt_cache_ttl_minutes: z.number(),
    month_days: z.number(),
  }),
  recommendations: z.array(RecommendationResponse),
});

/** Latency percentiles of a group of calls; time to first token null when none streamed. */
const LatencyRowResponse = z.object({
  key: z.string(),
  samples: z.number(),
  latency_p50_ms: z.number(),
  latency_p95_ms: z.number(),
  latency_p99_ms: z.number(),
  ttft_p50_ms: z.number().nullable(),
  ttft_p95_ms: z.number().nullable(),
  ttft_p99_ms: z.number().nullable(),
});

/** `GET /api/v1/analytics/fallbacks`: AI fallbacks by method, their cost, speed and failures. */
export const FallbacksResponse = z.object({
  ...rangeFields,
  total: z.object({ calls: z.number(), ...costFields }),
  cost_by_method: z.array(
    z.object({
      method: z.string(),
      calls: z.number(),
      input_tokens: z.number(),
      output_tokens: z.number(),
      ...costFields,
    }),
  ),
  performance_by_decision: z.array(LatencyRowResponse),
  performance_by_method: z.array(LatencyRowResponse),
  top_methods: z.array(
    z.object({
      service: z.string(),
      method: z.string(),
      calls: z.number(),
      failures: z.number(),
      success_rate: ratio,
    }),
  ),
  min_count: z.number(),
  failures: z.array(EventResponse),
});

const chargebackUsage = z.object({
  requests: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  ...costFields,
});

/** `GET /api/v1/analytics/chargeback` as JSON (with `format=csv`, the same figures as CSV). */
export const ChargebackResponse = z.object({
  ...rangeFields,
  orgs: z.array(
    z.object({
      org_id: z.string(),
      org_name: z.string().nullable(),
      project_id: z.string().nullable(),
      project_name: z.string().nullable(),
      /** Usage per kind of call (completion, embedding, ...). */
      by_kind: z.record(z.string(), chargebackUsage),
      total: chargebackUsage,
      /** An exact decimal, e.g. "1.2". */
      chargeback_rate: z.string(),
      /** Exact, 9 decimals. */
      amount_usd: z.string(),
      /** Rounded to cents. */
      amount_to_charge_usd: z.string(),
    }),
  ),
});
