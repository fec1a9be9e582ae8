import { calculateCost, PriceList, type PromptPrefixRow } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import {
  budgetRecommendations,
  perMonth,
  promptCachingRecommendations,
  repricedCost,
} from './recommendations';

const DAY = 86_400_000;
const start = Date.UTC(2026, 11, 1);
const end = Date.UTC(2027, 0, 1);
const budget = (amountNanos: bigint, spentNanos: bigint) => ({
  id: 'b-1',
  scope: 'org',
  scopeId: 'org-1',
  period: 'month',
  amountNanos,
  spentNanos,
  periodStart: start,
  periodEnd: end,
});

describe('budgetRecommendations', () => {
  it('projects spend linearly and names the day the amount runs out', () => {
    // $10 spent in 10 of 31 days: $31 projected against $20, out on day 20.
    const [found] = budgetRecommendations(
      [budget(20_000_000_000n, 10_000_000_000n)],
      start + 10 * DAY,
    );
    expect(found).toMatchObject({
      exhausted: false,
      runs_out_at: new Date(start + 20 * DAY).toISOString(),
      projected_spend_nanos: '31000000000',
      projected_overrun_nanos: '11000000000',
    });
  });

  it('stays silent for a budget that lasts the period, or has no spend', () => {
    const now = start + 10 * DAY;
    expect(budgetRecommendations([budget(31_000_000_000n, 10_000_000_000n)], now)).toEqual([]);
    expect(budgetRecommendations([budget(1n, 0n)], now)).toEqual([]);
  });
});

describe('repricedCost', () => {
  it('prices the calls one by one, as recorded calls are', () => {
    const one = calculateCost('gpt-4o-mini', { inputTokens: 333, outputTokens: 7 }).costNanos;
    const two = calculateCost('gpt-4o-mini', { inputTokens: 334, outputTokens: 8 }).costNanos;
    // 1000 in and 22 out over 3 calls: one call of 334/8 and two of 333/7.
    const traffic = { calls: 3, input_tokens: 1000, output_tokens: 22, cached_tokens: 0 };
    expect(repricedCost('gpt-4o-mini', traffic, PriceList.of())).toBe(
      BigInt(two) + 2n * BigInt(one),
    );
  });

  it('is undefined for a model without a price', () => {
    const traffic = { calls: 1, input_tokens: 10, output_tokens: 1, cached_tokens: 0 };
    expect(repricedCost('model-nobody-prices', traffic, PriceList.of())).toBeUndefined();
  });
});

describe('perMonth', () => {
  it('scales a saving to 30 days, rounding half up to a nano', () => {
    expect(perMonth(7n, 2 * 3_600_000)).toBe(2520n);
    expect(perMonth(1n, 60 * DAY)).toBe(1n);
  });
});

describe('promptCachingRecommendations', () => {
  const group = (fields: Partial<PromptPrefixRow>): PromptPrefixRow => ({
    provider: 'openai',
    model: 'gpt-4o',
    prompt_name: '',
    calls: 10,
    distinct_inputs: 10,
    prefix_messages: 1,
    prefix_tokens: 2000,
    min_input_tokens: 2100,
    cache_reads: 9,
    prefix_sample: '[{"role":"system"',
    first_seen: new Date(start).toISOString(),
    last_seen: new Date(start + 600_000).toISOString(),
    ...fields,
  });

  it('saves the cache-read discount on every read; OpenAI charges no cache write', () => {
    // gpt-4o: $2.50/M input, $1.25/M cache read: 1250 nanos a token on 2000 tokens, 9 reads.
    const [found] = promptCachingRecommendations([group({})], PriceList.of(), DAY);
    expect(found).toMatchObject({
      kind: 'prompt_caching',
      saving_nanos: String(9n * 2000n * 1250n),
      monthly_saving_nanos: String(30n * 9n * 2000n * 1250n),
      evidence: { cache_reads: 9, cache_writes: 1, estimated_prefix_tokens: 2000 },
    });
  });

  it('charges each cache write its premium, and drops a group where caching would cost more', () => {
    const claude = { provider: 'anthropic', model: 'claude-sonnet-4-6' };
    // Reads save 2700 nanos a token, writes cost 750 more: 1 read and 4 writes lose money.
    const losing = group({ ...claude, calls: 5, cache_reads: 1 });
    expect(promptCachingRecommendations([losing], PriceList.of(), DAY)).toEqual([]);
    const [paying] = promptCachingRecommendations(
      [group({ ...claude, calls: 5, cache_reads: 4 })],
      PriceList.of(),
      DAY,
    );
    expect(paying!.saving_nanos).toBe(String(2000n * (4n * 2700n - 750n)));
  });

  it('says unknown, never $0, when the model has no price or no cache-read price; after the known', () => {
    const found = promptCachingRecommendations(
      [group({ model: 'model-nobody-prices' }), group({ model: 'gpt-3.5-turbo' }), group({})],
      PriceList.of(),
      DAY,
    );
    expect(found.map((item) => [item.model, item.saving_nanos, item.saving_unknown])).toEqual([
      ['gpt-4o', String(9n * 2000n * 1250n), undefined],
      ['model-nobody-prices', null, 'model-nobody-prices has no price in the price list'],
      ['gpt-3.5-turbo', null, 'gpt-3.5-turbo has no cache-read price in the price list'],
    ]);
  });
});
