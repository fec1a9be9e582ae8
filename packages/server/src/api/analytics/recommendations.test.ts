import { calculateCost, PriceList } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { budgetRecommendations, perMonth, repricedCost } from './recommendations';

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
