import { describe, expect, it } from 'vitest';
import { calculateCost } from './cost';
import { PriceList } from './price-list';

/**
 * Real usage shapes priced by hand from the providers' list prices (USD per
 * million tokens), asserted to the nano-dollar.
 */
describe('calculateCost billing rules', () => {
  it('bills Anthropic cache reads, 5-minute and 1-hour writes at their own prices', () => {
    // claude-sonnet-4-5: input 3, cache read 0.30, write 5m 3.75, write 1h 6, output 15.
    // 100k input = 10k fresh + 60k read + 20k 5m write + 10k 1h write:
    // 0.03 + 0.018 + 0.075 + 0.06, + 1k output 0.015 = 0.198
    const cost = calculateCost('claude-sonnet-4-5-20250929', {
      inputTokens: 100_000,
      cachedInputTokens: 60_000,
      cacheWrite5mTokens: 20_000,
      cacheWrite1hTokens: 10_000,
      outputTokens: 1_000,
    });
    expect(cost).toMatchObject({ costNanos: 198_000_000, priced: true });
  });

  it('bills a 1-hour write at 2× input for an Anthropic model whose list gives only the 5m price', () => {
    // claude-3-opus lists write 5m 18.75 but no 1h price: 1h = 2 × 15 = 30 per million.
    const cost = calculateCost('claude-3-opus-20240229', {
      inputTokens: 1_000,
      cacheWrite1hTokens: 1_000,
      outputTokens: 0,
    });
    expect(cost.costNanos).toBe(30_000_000);
  });

  it('prices opus 4.6 and 4.7 as themselves, never as opus 4, and leaves unknown minors unpriced', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(calculateCost('claude-opus-4-6', usage).costNanos).toBe(30_000_000_000);
    expect(calculateCost('claude-opus-4-7-20260416', usage).costNanos).toBe(30_000_000_000);
    expect(calculateCost('claude-opus-4-20250514', usage).costNanos).toBe(90_000_000_000);
    expect(calculateCost('claude-opus-4-9', usage).priced).toBe(false);
  });

  it('bills the whole call at the long-context rate once the prompt is above 200k tokens', () => {
    // claude-sonnet-4-5 above 200k: input 6, output 22.5.
    const atThreshold = calculateCost('claude-sonnet-4-5', {
      inputTokens: 200_000,
      outputTokens: 1_000,
    });
    expect(atThreshold.costNanos).toBe(615_000_000); // 0.6 + 0.015
    const above = calculateCost('claude-sonnet-4-5', { inputTokens: 250_000, outputTokens: 1_000 });
    expect(above.costNanos).toBe(1_522_500_000); // 1.5 + 0.0225
  });

  it('bills Gemini 2.5 Pro above 200k at its long-context input, cached and output rates', () => {
    // 300k input incl. 100k cached: 200k × 2.50 + 100k × 0.25 + 2k output × 15 = 0.5 + 0.025 + 0.03
    const cost = calculateCost('models/gemini-2.5-pro', {
      inputTokens: 300_000,
      cachedInputTokens: 100_000,
      outputTokens: 2_000,
    });
    expect(cost.costNanos).toBe(555_000_000);
  });

  it('bills long-context cache writes by the tier, with the Anthropic 1-hour rule inside it', () => {
    // claude-sonnet-4 above 200k: input 6, write 5m 7.5, no 1h figure → 2 × 6 = 12.
    const cost = calculateCost('claude-sonnet-4-20250514', {
      inputTokens: 300_000,
      cacheWrite5mTokens: 100_000,
      cacheWrite1hTokens: 100_000,
      outputTokens: 0,
    });
    expect(cost.costNanos).toBe(600_000_000 + 750_000_000 + 1_200_000_000);
  });

  it('applies OpenAI service tiers from the list, and ×2 / ×0.5 where the list has no tier rate', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(calculateCost('gpt-4o', usage, undefined, { serviceTier: 'priority' }).costNanos).toBe(
      21_250_000_000, // 4.25 + 17
    );
    expect(calculateCost('gpt-5', usage, undefined, { serviceTier: 'flex' }).costNanos).toBe(
      5_625_000_000, // 0.625 + 5
    );
    expect(
      calculateCost('gpt-5-mini', usage, undefined, { serviceTier: 'priority' }).costNanos,
    ).toBe(
      4_500_000_000, // (0.25 + 2) × 2
    );
    expect(calculateCost('gpt-4o', usage, undefined, { serviceTier: 'default' }).costNanos).toBe(
      12_500_000_000,
    );
  });

  it('keeps a tier’s cache discount in proportion when the tier lists no cached rate', () => {
    // gpt-5.5-pro flex lists input 15 and output 90 only; cached 3 (of 30) scales to 1.5.
    const cost = calculateCost(
      'gpt-5.5-pro',
      { inputTokens: 100_000, cachedInputTokens: 100_000, outputTokens: 0 },
      undefined,
      { serviceTier: 'flex' },
    );
    expect(cost.costNanos).toBe(150_000_000);
  });

  it('uses the 272k long-context tier of gpt-5.4', () => {
    // above 272k: input 5, output 22.5
    const cost = calculateCost('gpt-5.4', { inputTokens: 300_000, outputTokens: 10_000 });
    expect(cost.costNanos).toBe(1_500_000_000 + 225_000_000);
  });

  it('bills reasoning tokens as output (they are part of it)', () => {
    // gpt-5.1 output 10: 10k output incl. 8k reasoning = 0.1
    const cost = calculateCost('gpt-5.1', {
      inputTokens: 0,
      outputTokens: 10_000,
      reasoningTokens: 8_000,
    });
    expect(cost.costNanos).toBe(100_000_000);
  });

  it('prices the current models the old table left free', () => {
    // 100k in + 100k out: a tenth of the per-million input + output prices.
    const usage = { inputTokens: 100_000, outputTokens: 100_000 };
    const expected: Record<string, number> = {
      'claude-sonnet-4-6': 1.8,
      'claude-opus-4-6': 3,
      'claude-opus-4-7': 3,
      'gpt-5.1': 1.125,
      'gpt-5.2': 1.575,
      'gpt-5.4': 1.75,
      'gpt-5.5': 3.5,
      'gpt-5-pro': 13.5,
      'o3-pro': 10,
      'gpt-4': 9,
      'gpt-4-turbo': 4,
      'gemini-3-pro-preview': 1.4,
      'gemini-3.1-pro-preview': 1.4,
      'gemini-3.1-flash-lite': 0.175,
    };
    for (const [model, usd] of Object.entries(expected)) {
      expect(calculateCost(model, usage), model).toMatchObject({
        priced: true,
        costNanos: Math.round(usd * 1e9),
      });
    }
  });

  it('bills gemini-2.0-flash-lite cache reads at its cached price', () => {
    const cost = calculateCost('gemini-2.0-flash-lite', {
      inputTokens: 1_000_000,
      cachedInputTokens: 1_000_000,
      outputTokens: 0,
    });
    expect(cost.costNanos).toBe(18_750_000);
  });

  it('prices images per image by size and quality, and refuses to guess a quality', () => {
    const hd = calculateCost(
      'dall-e-3',
      { inputTokens: 0, outputTokens: 0, imageCount: 2 },
      undefined,
      {
        imageSize: '1024x1792',
        imageQuality: 'hd',
      },
    );
    expect(hd).toMatchObject({ costNanos: 240_000_000, priced: true });
    const standard = calculateCost('dall-e-3', { inputTokens: 0, outputTokens: 0, imageCount: 1 });
    expect(standard.costNanos).toBe(40_000_000);
    const high = calculateCost(
      'gpt-image-1',
      { inputTokens: 50, outputTokens: 0, imageCount: 3 },
      undefined,
      {
        imageSize: '1536x1024',
        imageQuality: 'high',
      },
    );
    expect(high.costNanos).toBe(750_000_000);
    const auto = calculateCost(
      'gpt-image-1',
      { inputTokens: 50, outputTokens: 0, imageCount: 1 },
      undefined,
      {
        imageQuality: 'auto',
      },
    );
    expect(auto.priced).toBe(false);
    const imagen = calculateCost('imagen-4.0-generate-001', {
      inputTokens: 0,
      outputTokens: 0,
      imageCount: 4,
    });
    expect(imagen.costNanos).toBe(160_000_000);
  });

  it('prices video per second, fractions of a second exactly', () => {
    const cost = calculateCost('sora-2', { inputTokens: 0, outputTokens: 0, videoSeconds: 8.5 });
    expect(cost).toMatchObject({ costNanos: 850_000_000, priced: true });
  });

  it('layers the org’s overrides over the operator’s over the catalogue, per org', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 0 };
    const globalOverrides = {
      'gpt-4o': { input: 2, output: 8 },
      'my-model': { input: 1, output: 1 },
    };
    const orgA = PriceList.of({
      globalOverrides,
      orgOverrides: { 'gpt-4o': { input: 1, output: 4 } },
    });
    const orgB = PriceList.of({ globalOverrides });
    expect(calculateCost('gpt-4o-2024-08-06', usage, orgA)).toMatchObject({
      costNanos: 1_000_000_000,
      price: { source: 'override' },
    });
    expect(calculateCost('gpt-4o', usage, orgB)).toMatchObject({
      costNanos: 2_000_000_000,
      price: { source: 'global-override' },
    });
    expect(calculateCost('my-model', usage, orgB).costNanos).toBe(1_000_000_000);
    expect(calculateCost('gpt-4o', usage).costNanos).toBe(2_500_000_000);
  });
});
