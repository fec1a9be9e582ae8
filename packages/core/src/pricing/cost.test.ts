import { describe, it, expect } from 'vitest';
import { NANOS_PER_USD, calculateCost, formatUsd, nanosToUsd, usdToNanos } from './cost';
import type { PriceOverrides } from './price-overrides';

describe('calculateCost', () => {
  it('prices gpt-4o at 1M input + 1M output = 12.50 USD', () => {
    // 2.50 USD per 1M input + 10.00 USD per 1M output
    const cost = calculateCost('gpt-4o', { inputTokens: 1_000_000, outputTokens: 1_000_000 });
    expect(cost).toMatchObject({ costNanos: 12_500_000_000, priced: true });
    expect(cost.price?.model).toBe('gpt-4o');
  });

  it('charges cached input tokens, a subset of input tokens, at the cached price', () => {
    // 600k uncached * 2.50/1M = 1.50; 400k cached * 1.25/1M = 0.50; 2k output * 10/1M = 0.02
    const cost = calculateCost('gpt-4o', {
      inputTokens: 1_000_000,
      cachedInputTokens: 400_000,
      outputTokens: 2_000,
    });
    expect(cost.costNanos).toBe(2_020_000_000);
  });

  it('charges cached tokens at the input price when the model has no cached price', () => {
    // gpt-3.5-turbo: 0.50/1M input, no cached price
    const cached = calculateCost('gpt-3.5-turbo', {
      inputTokens: 1_000,
      cachedInputTokens: 1_000,
      outputTokens: 0,
    });
    expect(cached.costNanos).toBe(500_000);
  });

  it('prices Anthropic usage with cache reads added to the input tokens', () => {
    // claude-sonnet-4-5: 3/1M input, 0.30/1M cache read, 15/1M output
    // 10k fresh input = 0.03; 90k cache read = 0.027; 1k output = 0.015
    const cost = calculateCost('claude-sonnet-4-5-20250929', {
      inputTokens: 100_000,
      cachedInputTokens: 90_000,
      outputTokens: 1_000,
    });
    expect(cost.costNanos).toBe(72_000_000);
  });

  it('prices a snapshot name at its base model and never gpt-4o-mini as gpt-4o', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 0 };
    expect(calculateCost('gpt-4o-2024-08-06', usage).costNanos).toBe(2_500_000_000);
    expect(calculateCost('gpt-4o-mini', usage).costNanos).toBe(150_000_000);
    expect(calculateCost('gpt-4o-mini-2024-07-18', usage).costNanos).toBe(150_000_000);
  });

  it('flags an unknown model as unpriced with a zero cost', () => {
    expect(calculateCost('mystery-model-9000', { inputTokens: 500, outputTokens: 500 })).toEqual({
      costNanos: 0,
      priced: false,
    });
  });

  it('prices a simulated model as the model it imitates, labelled simulated', () => {
    const cost = calculateCost('simulated/gpt-4o', { inputTokens: 1_000, outputTokens: 1_000 });
    // 1k × 2.50/1M + 1k × 10/1M = 0.0125
    expect(cost).toMatchObject({ costNanos: 12_500_000, priced: true });
    expect(cost.price).toMatchObject({ model: 'gpt-4o', simulated: true });
  });

  it('prices the simulated provider’s own models (imitating nothing) at zero but as priced', () => {
    const cost = calculateCost('simulated/fast', { inputTokens: 1_000, outputTokens: 1_000 });
    expect(cost).toMatchObject({ costNanos: 0, priced: true, price: { source: 'simulated' } });
  });

  it('lets overrides win over the table', () => {
    const overrides: PriceOverrides = { 'gpt-4o': { provider: 'openai', input: 1, output: 2 } };
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(calculateCost('gpt-4o', usage, overrides)).toMatchObject({
      costNanos: 3_000_000_000,
      priced: true,
      price: { source: 'override' },
    });
  });

  it('rounds to nanos once, at the end, half up', () => {
    // gemini-1.5-flash cached input: 0.01875 USD/1M = 18.75 nanos per token
    const cachedOnly = (tokens: number) =>
      calculateCost('gemini-1.5-flash', {
        inputTokens: tokens,
        cachedInputTokens: tokens,
        outputTokens: 0,
      }).costNanos;
    expect(cachedOnly(1)).toBe(19); // 18.75
    expect(cachedOnly(2)).toBe(38); // 37.5, half up
    expect(cachedOnly(4)).toBe(75); // exact; rounding per token would give 76
  });

  it('stays exact when the picodollar total is beyond float precision', () => {
    // o1 at 60 USD/1M output: 10^11 tokens = 6,000,000 USD (6e18 picodollars > 2^53)
    const cost = calculateCost('o1', { inputTokens: 0, outputTokens: 100_000_000_000 });
    expect(cost.costNanos).toBe(6_000_000 * NANOS_PER_USD);
  });

  it('throws rather than return a cost too large to hold exactly', () => {
    const usage = { inputTokens: 0, outputTokens: 1_000_000_000_000 };
    expect(() => calculateCost('o1', usage)).toThrow(RangeError);
  });

  it('sums a hundred thousand tiny costs exactly in nanos while the float sum drifts', () => {
    // One gpt-4o-mini input token: 0.15 USD / 1M = 150 nanos
    let totalNanos = 0;
    let totalUsdFloat = 0;
    for (let call = 0; call < 100_000; call += 1) {
      const { costNanos } = calculateCost('gpt-4o-mini', { inputTokens: 1, outputTokens: 0 });
      totalNanos += costNanos;
      totalUsdFloat += 0.15 / 1_000_000;
    }
    expect(totalNanos).toBe(15_000_000);
    expect(formatUsd(totalNanos)).toBe('0.015');
    expect(totalUsdFloat).not.toBe(0.015);
  });

  it.each([
    ['inputTokens', { inputTokens: -1, outputTokens: 0 }],
    ['inputTokens', { inputTokens: 1.5, outputTokens: 0 }],
    ['inputTokens', { inputTokens: Number.NaN, outputTokens: 0 }],
    ['outputTokens', { inputTokens: 0, outputTokens: -5 }],
    ['outputTokens', { inputTokens: 0, outputTokens: 0.1 }],
    ['cachedInputTokens', { inputTokens: 10, outputTokens: 0, cachedInputTokens: -1 }],
    ['cachedInputTokens', { inputTokens: 10, outputTokens: 0, cachedInputTokens: 2.5 }],
    ['cachedInputTokens', { inputTokens: 10, outputTokens: 0, cachedInputTokens: 11 }],
    ['cacheWrite5mTokens', { inputTokens: 10, outputTokens: 0, cacheWrite5mTokens: 11 }],
    ['cacheWrite1hTokens', { inputTokens: 10, outputTokens: 0, cacheWrite1hTokens: -1 }],
    ['reasoningTokens', { inputTokens: 0, outputTokens: 5, reasoningTokens: 6 }],
    ['imageCount', { inputTokens: 0, outputTokens: 0, imageCount: 1.5 }],
  ])('throws a RangeError naming %s', (field, usage) => {
    expect(() => calculateCost('gpt-4o', usage)).toThrow(RangeError);
    expect(() => calculateCost('gpt-4o', usage)).toThrow(field);
  });

  it('validates usage even for an unknown model', () => {
    expect(() => calculateCost('mystery', { inputTokens: -1, outputTokens: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('usdToNanos and nanosToUsd', () => {
  it('converts between USD and integer nanos', () => {
    expect(NANOS_PER_USD).toBe(1_000_000_000);
    expect(usdToNanos(12.5)).toBe(12_500_000_000);
    expect(usdToNanos(0.1)).toBe(100_000_000);
    expect(usdToNanos(0.000_000_000_4)).toBe(0);
    expect(usdToNanos(0.000_000_000_6)).toBe(1);
    expect(nanosToUsd(12_500_000_000)).toBe(12.5);
    expect(nanosToUsd(usdToNanos(0.000123))).toBe(0.000123);
    // Parsed as the decimal it prints as, not multiplied as a float (0.29 × 1e9 = 289999999.99…).
    expect(usdToNanos(0.29)).toBe(290_000_000);
    expect(usdToNanos(1.005)).toBe(1_005_000_000);
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '0.00'],
    [1, '0.000000001'],
    [123_000, '0.000123'],
    [10_000_000, '0.01'],
    [150_000_000, '0.15'],
    [1_000_000_000, '1.00'],
    [12_500_000_000, '12.50'],
    [1_234_567_890_123, '1234.567890123'],
    [-2_500_000, '-0.0025'],
    [Number.MAX_SAFE_INTEGER, '9007199.254740991'],
  ])('formats %d nanos as %s', (nanos, expected) => {
    expect(formatUsd(nanos)).toBe(expected);
  });

  it('rejects non-integer nanos', () => {
    expect(() => formatUsd(1.5)).toThrow(RangeError);
    expect(() => formatUsd(Number.NaN)).toThrow(RangeError);
  });
});
