import {
  calculateCost,
  type ModelUsageRow,
  type PriceList,
  type PromptPrefixRow,
  type RepeatedRequestRow,
  type UnpricedModelRow,
} from '@tollgate/core';
import { money, ratio } from './analytics-parameters';
import type { RecommendationResponse } from '@tollgate/core/api';
import type { z } from 'zod';

/**
 * Cost recommendations from recorded traffic (issue 19, item 4): pure
 * functions over what the event store and the budget counters answered, so
 * every figure is exact (nano-dollars as bigint, rendered as decimal strings).
 */

/** The bounds a recommendation must meet; echoed in every answer. */
export const RECOMMENDATION_BOUNDS = {
  /** Calls each model needs on the same prompt in the range before they are compared. */
  min_calls: 50,
  /** The cheaper model's success rate may be at most this many percentage points lower. */
  max_success_rate_drop_points: 2,
  /** The cheaper model's p95 latency may be at most this much higher (0.2 = 20 %). */
  max_p95_latency_increase: 0.2,
  /** Identical requests (same model and input) seen at least this often form a repeat group. */
  min_identical_calls: 2,
  /** Calls that must open with the same messages before prompt caching is suggested. */
  min_prefix_calls: 3,
  /** The shortest prefix providers cache (OpenAI and Anthropic: 1024 tokens; some models need more). */
  min_cacheable_prefix_tokens: 1024,
  /** How long a provider keeps a cached prefix after its last use (Anthropic 5 minutes; OpenAI 5 to 10). */
  prompt_cache_ttl_minutes: 5,
  /** Savings are projected to a month of this many days at the range's rate. */
  month_days: 30,
} as const;

const DAY_MS = 86_400_000;

export type Recommendation = z.output<typeof RecommendationResponse>;
type OfKind<Kind extends Recommendation['kind']> = Extract<Recommendation, { kind: Kind }>;

/** `nanos` over `windowMs`, at the same rate over a month (rounded half up to a nano). */
export function perMonth(nanos: bigint, windowMs: number): bigint {
  const month = BigInt(RECOMMENDATION_BOUNDS.month_days * DAY_MS);
  const window = BigInt(Math.max(1, Math.round(windowMs)));
  return (nanos * month * 2n + window) / (window * 2n);
}

export function unpricedRecommendations(rows: UnpricedModelRow[]): OfKind<'unpriced_model'>[] {
  return rows.map((row) => ({
    kind: 'unpriced_model' as const,
    model: row.model,
    provider: row.provider,
    evidence: { calls: row.calls, last_seen: row.last_seen },
    action: `add a price for ${row.model} (PUT /api/v1/admin/prices); its cost is unknown, never counted as $0`,
  }));
}

const successRate = (row: ModelUsageRow) => (row.calls - row.errors) / row.calls;

/**
 * For each prompt, each model with enough calls against every cheaper model
 * with enough calls on the same prompt: the current model's traffic repriced
 * at the other model's prices (exact, from its token totals), when the other
 * model's success rate and p95 latency are within the bounds. The largest
 * saving per prompt and current model is kept.
 */
export function cheaperModelRecommendations(
  rows: ModelUsageRow[],
  prices: PriceList,
  windowMs: number,
): OfKind<'cheaper_model'>[] {
  const bounds = RECOMMENDATION_BOUNDS;
  const eligible = rows.filter(
    (row) => row.calls >= bounds.min_calls && row.unpriced_calls === 0 && row.cost_nanos > 0n,
  );
  const found: OfKind<'cheaper_model'>[] = [];
  for (const current of eligible) {
    let best: { candidate: ModelUsageRow; repriced: bigint } | undefined;
    for (const candidate of eligible) {
      if (candidate.prompt_name !== current.prompt_name || candidate.model === current.model) {
        continue;
      }
      const dropPoints = (successRate(current) - successRate(candidate)) * 100;
      if (dropPoints > bounds.max_success_rate_drop_points + 1e-9) continue;
      if (current.latency_p95_ms === null || candidate.latency_p95_ms === null) continue;
      if (
        candidate.latency_p95_ms >
        current.latency_p95_ms * (1 + bounds.max_p95_latency_increase)
      ) {
        continue;
      }
      const cost = repricedCost(candidate.model, current, prices);
      if (cost === undefined) continue;
      if (cost >= current.cost_nanos) continue;
      if (!best || cost < best.repriced) best = { candidate, repriced: cost };
    }
    if (!best) continue;
    const saving = current.cost_nanos - best.repriced;
    const { candidate } = best;
    found.push({
      kind: 'cheaper_model',
      prompt_name: current.prompt_name,
      current_model: current.model,
      suggested_model: candidate.model,
      evidence: {
        current: usageEvidence(current),
        suggested: usageEvidence(candidate),
        ...money(best.repriced, 'repriced_cost'),
      },
      ...money(saving, 'saving'),
      ...money(perMonth(saving, windowMs), 'monthly_saving'),
    });
  }
  return found.sort((a, b) => compareNanos(b.saving_nanos, a.saving_nanos));
}

/**
 * What `traffic`'s calls would have cost at `model`'s prices: its token
 * totals spread evenly over its calls (every call gets the average, the
 * remainder one token each to the first calls), each call priced and rounded
 * as a recorded call is, and summed exactly. Per call, so a long-context
 * threshold applies as it would to the calls; undefined when unpriced.
 */
export function repricedCost(
  model: string,
  traffic: Pick<ModelUsageRow, 'calls' | 'input_tokens' | 'output_tokens' | 'cached_tokens'>,
  prices: PriceList,
): bigint | undefined {
  const { calls } = traffic;
  if (calls <= 0) return undefined;
  const totals = [traffic.input_tokens, traffic.output_tokens, traffic.cached_tokens];
  const base = totals.map((total) => Math.floor(total / calls));
  const extra = totals.map((total, index) => total - base[index]! * calls);
  const edges = [...new Set([0, ...extra, calls])].sort((a, b) => a - b);
  let sum = 0n;
  for (let index = 0; index + 1 < edges.length; index += 1) {
    const start = edges[index]!;
    const end = edges[index + 1]!;
    const [input, output, cached] = base.map((tokens, at) => tokens + (start < extra[at]! ? 1 : 0));
    const cost = calculateCost(
      model,
      { inputTokens: input!, outputTokens: output!, cachedInputTokens: Math.min(cached!, input!) },
      prices,
    );
    if (!cost.priced) return undefined;
    sum += BigInt(cost.costNanos) * BigInt(end - start);
  }
  return sum;
}

function usageEvidence(row: ModelUsageRow) {
  return {
    model: row.model,
    calls: row.calls,
    errors: row.errors,
    success_rate: ratio(row.calls - row.errors, row.calls),
    latency_p95_ms: row.latency_p95_ms,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    cached_tokens: row.cached_tokens,
    ...money(row.cost_nanos),
  };
}

/** Identical requests a response cache would have answered, with the cost of the repeats. */
export function repeatedRequestRecommendations(
  rows: RepeatedRequestRow[],
  windowMs: number,
): OfKind<'repeated_requests'>[] {
  return rows
    .filter((row) => row.unpriced_calls === 0 && row.repeat_cost_nanos > 0n)
    .map((row) => ({
      kind: 'repeated_requests' as const,
      model: row.model,
      prompt_name: row.prompt_name,
      input_sample: row.input_sample,
      evidence: {
        identical_calls: row.calls,
        repeats: row.calls - 1,
        first_seen: row.first_seen,
        last_seen: row.last_seen,
      },
      action: 'enable the response cache for this route (or cache the answer in the app)',
      ...money(row.repeat_cost_nanos, 'saving'),
      ...money(perMonth(row.repeat_cost_nanos, windowMs), 'monthly_saving'),
    }));
}

/**
 * Calls that open with the same long messages (see `promptPrefixesStatement`)
 * and would have read them from the provider's prompt cache. With P the
 * group's prefix tokens, each call priced at the group's smallest input (so
 * the price tier is the one its calls bill at, or a cheaper one):
 * a cache read saves cost(input) − cost(input with P cached), and each other
 * call writes the prefix to the cache and pays cost(input with P written) −
 * cost(input) more (Anthropic 1.25× input; OpenAI nothing). saving =
 * reads × the first − writes × the second, all from the one cost function
 * and the org's price list, so exact. A model without a price, or without a
 * cache-read price, gets the recommendation with its saving unknown (null),
 * never $0; a group where caching would not pay is left out.
 */
export function promptCachingRecommendations(
  rows: PromptPrefixRow[],
  prices: PriceList,
  windowMs: number,
): OfKind<'prompt_caching'>[] {
  const found: OfKind<'prompt_caching'>[] = [];
  for (const row of rows) {
    const saving = promptCachingSaving(row, prices);
    if ('nanos' in saving && saving.nanos <= 0n) continue;
    found.push({
      kind: 'prompt_caching',
      provider: row.provider,
      model: row.model,
      prompt_name: row.prompt_name,
      prefix_sample: row.prefix_sample,
      evidence: {
        calls: row.calls,
        distinct_inputs: row.distinct_inputs,
        prefix_messages: row.prefix_messages,
        estimated_prefix_tokens: row.prefix_tokens,
        cache_reads: row.cache_reads,
        cache_writes: row.calls - row.cache_reads,
        first_seen: row.first_seen,
        last_seen: row.last_seen,
      },
      action:
        'send the shared messages first and unchanged, and mark them cacheable where the provider asks (Anthropic: cache_control on the last shared message)',
      ...('unknown' in saving
        ? {
            saving_nanos: null,
            saving_usd: null,
            monthly_saving_nanos: null,
            monthly_saving_usd: null,
            saving_unknown: saving.unknown,
          }
        : {
            ...money(saving.nanos, 'saving'),
            ...money(perMonth(saving.nanos, windowMs), 'monthly_saving'),
          }),
    });
  }
  // Known savings, largest first; unknown ones after them.
  return found.sort((a, b) =>
    a.saving_nanos === null || b.saving_nanos === null
      ? Number(a.saving_nanos === null) - Number(b.saving_nanos === null)
      : compareNanos(b.saving_nanos, a.saving_nanos),
  );
}

/** The group's exact saving with prompt caching, or why its model's prices cannot say. */
export function promptCachingSaving(
  row: PromptPrefixRow,
  prices: PriceList,
): { nanos: bigint } | { unknown: string } {
  const inputTokens = Math.max(row.min_input_tokens, row.prefix_tokens);
  const prefix = row.prefix_tokens;
  const cost = (usage: { cachedInputTokens?: number; cacheWrite5mTokens?: number }) =>
    calculateCost(row.model, { inputTokens, outputTokens: 0, ...usage }, prices);
  const plain = cost({});
  if (!plain.priced) return { unknown: `${row.model} has no price in the price list` };
  if (plain.price?.price.rates?.cachedInput === undefined) {
    return { unknown: `${row.model} has no cache-read price in the price list` };
  }
  const base = BigInt(plain.costNanos);
  const readSaving = base - BigInt(cost({ cachedInputTokens: prefix }).costNanos);
  const writePremium = BigInt(cost({ cacheWrite5mTokens: prefix }).costNanos) - base;
  const reads = BigInt(row.cache_reads);
  const writes = BigInt(row.calls - row.cache_reads);
  return { nanos: reads * readSaving - writes * writePremium };
}

export interface BudgetProjectionInput {
  id: string;
  scope: string;
  scopeId: string;
  period: string;
  amountNanos: bigint;
  spentNanos: bigint;
  periodStart: number;
  periodEnd: number;
}

/**
 * A budget whose spend so far, continued at the same rate, reaches its amount
 * before its period ends (linear projection from the period's start to now).
 * Budgets already exhausted are reported as such.
 */
export function budgetRecommendations(
  budgets: BudgetProjectionInput[],
  now: number,
): OfKind<'budget_projection'>[] {
  const found: OfKind<'budget_projection'>[] = [];
  for (const budget of budgets) {
    const elapsed = now - budget.periodStart;
    const length = budget.periodEnd - budget.periodStart;
    if (budget.spentNanos <= 0n || elapsed <= 0) continue;
    const projected =
      (budget.spentNanos * BigInt(length) * 2n + BigInt(elapsed)) / (BigInt(elapsed) * 2n);
    if (projected <= budget.amountNanos) continue;
    const exhausted = budget.spentNanos >= budget.amountNanos;
    const runsOutAt = exhausted
      ? now
      : budget.periodStart + Number((budget.amountNanos * BigInt(elapsed)) / budget.spentNanos);
    found.push({
      kind: 'budget_projection',
      budget_id: budget.id,
      scope: budget.scope,
      scope_id: budget.scopeId,
      period: budget.period,
      exhausted,
      runs_out_at: new Date(runsOutAt).toISOString(),
      period_ends_at: new Date(budget.periodEnd).toISOString(),
      evidence: {
        period_start: new Date(budget.periodStart).toISOString(),
        ...money(budget.spentNanos, 'spent'),
        ...money(budget.amountNanos, 'amount'),
      },
      ...money(projected, 'projected_spend'),
      ...money(projected - budget.amountNanos, 'projected_overrun'),
    });
  }
  return found;
}

function compareNanos(a: unknown, b: unknown): number {
  const left = BigInt(String(a));
  const right = BigInt(String(b));
  return left === right ? 0 : left < right ? -1 : 1;
}
