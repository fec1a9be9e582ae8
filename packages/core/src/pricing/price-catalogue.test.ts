import { describe, expect, it } from 'vitest';
import { calculateCost } from './cost';
import { parsePriceCatalogue } from './price-catalogue';
import { PriceList } from './price-list';
import { SHIPPED_PRICE_CATALOGUE } from './shipped-catalogue';

/** A slice of LiteLLM's `model_prices_and_context_window.json`, as published. */
const LITELLM_SLICE = {
  sample_spec: { input_cost_per_token: 0.0, litellm_provider: 'one of …', mode: 'one of: …' },
  'gpt-5.4': {
    cache_read_input_token_cost: 2.5e-7,
    cache_read_input_token_cost_above_272k_tokens: 5e-7,
    cache_read_input_token_cost_flex: 1.3e-7,
    input_cost_per_token: 2.5e-6,
    input_cost_per_token_above_272k_tokens: 5e-6,
    input_cost_per_token_flex: 1.25e-6,
    input_cost_per_token_priority: 5e-6,
    litellm_provider: 'openai',
    max_input_tokens: 1050000,
    mode: 'chat',
    output_cost_per_token: 1.5e-5,
    output_cost_per_token_above_272k_tokens: 2.25e-5,
    output_cost_per_token_flex: 7.5e-6,
    output_cost_per_token_priority: 3e-5,
    supports_reasoning: true,
  },
  'claude-sonnet-4-5': {
    cache_creation_input_token_cost: 3.75e-6,
    cache_creation_input_token_cost_above_1hr: 6e-6,
    cache_creation_input_token_cost_above_1hr_above_200k_tokens: 1.2e-5,
    cache_read_input_token_cost: 3e-7,
    input_cost_per_token: 3e-6,
    input_cost_per_token_above_200k_tokens: 6e-6,
    output_cost_per_token_above_200k_tokens: 2.25e-5,
    cache_creation_input_token_cost_above_200k_tokens: 7.5e-6,
    cache_read_input_token_cost_above_200k_tokens: 6e-7,
    litellm_provider: 'anthropic',
    mode: 'chat',
    output_cost_per_token: 1.5e-5,
  },
  'gemini-2.0-flash-lite': {
    input_cost_per_token: 7.5e-8,
    output_cost_per_token: 3e-7,
    litellm_provider: 'vertex_ai-language-models',
    mode: 'chat',
  },
  'gemini/gemini-2.0-flash-lite': {
    cache_read_input_token_cost: 1.875e-8,
    input_cost_per_token: 7.5e-8,
    output_cost_per_token: 3e-7,
    litellm_provider: 'gemini',
    mode: 'chat',
  },
  'hd/1024-x-1792/dall-e-3': {
    litellm_provider: 'openai',
    mode: 'image_generation',
    output_cost_per_image: 0.12,
  },
  'dataforseo/search': {
    input_cost_per_query: 0.003,
    litellm_provider: 'dataforseo',
    mode: 'search',
  },
};

describe('parsePriceCatalogue (LiteLLM format)', () => {
  const catalogue = parsePriceCatalogue(LITELLM_SLICE, { checkedAt: '2026-12-07', source: 'test' });

  it('reads prices as exact femto-dollars, with tiers, long context and cache writes', () => {
    expect(catalogue.models.get('gpt-5.4')).toEqual({
      provider: 'openai',
      mode: 'chat',
      rates: { input: 2_500_000_000n, output: 15_000_000_000n, cachedInput: 250_000_000n },
      tiers: {
        priority: { input: 5_000_000_000n, output: 30_000_000_000n },
        flex: { input: 1_250_000_000n, output: 7_500_000_000n, cachedInput: 130_000_000n },
      },
      longContext: {
        aboveTokens: 272_000,
        rates: { input: 5_000_000_000n, output: 22_500_000_000n, cachedInput: 500_000_000n },
      },
    });
    expect(catalogue.models.get('claude-sonnet-4-5')?.longContext?.rates).toEqual({
      input: 6_000_000_000n,
      output: 22_500_000_000n,
      cachedInput: 600_000_000n,
      cacheWrite5m: 7_500_000_000n,
      cacheWrite1h: 12_000_000_000n,
    });
  });

  it('gives the Gemini API entry the bare id, over Vertex AI’s', () => {
    expect(catalogue.models.get('gemini-2.0-flash-lite')?.rates?.cachedInput).toBe(18_750_000n);
    expect(catalogue.models.get('gemini-2.0-flash-lite')?.provider).toBe('google');
  });

  it('keeps per-image entries and skips the spec and entries with no usage price', () => {
    expect(catalogue.models.get('hd/1024-x-1792/dall-e-3')?.perImage).toBe(120_000_000_000_000n);
    expect(catalogue.models.has('sample_spec')).toBe(false);
    expect(catalogue.models.has('dataforseo/search')).toBe(false);
  });

  it('prices with a loaded catalogue exactly as with the shipped one', () => {
    const loaded = PriceList.of({ catalogue });
    const usage = { inputTokens: 100_000, cachedInputTokens: 40_000, outputTokens: 5_000 };
    expect(calculateCost('gpt-5.4', usage, loaded).costNanos).toBe(
      calculateCost('gpt-5.4', usage).costNanos,
    );
  });

  it('refuses a document that is not an object of models', () => {
    expect(() => parsePriceCatalogue([], { checkedAt: 'x', source: 'x' })).toThrow(TypeError);
    expect(() => parsePriceCatalogue('{}', { checkedAt: 'x', source: 'x' })).toThrow(TypeError);
  });
});

describe('the shipped catalogue', () => {
  it('is dated and covers the three providers', () => {
    expect(SHIPPED_PRICE_CATALOGUE.checkedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const providers = new Set([...SHIPPED_PRICE_CATALOGUE.models.values()].map((p) => p.provider));
    expect([...providers].sort()).toEqual(['anthropic', 'google', 'openai']);
    expect(SHIPPED_PRICE_CATALOGUE.models.size).toBeGreaterThan(100);
  });

  it('lists a cache-read price for every Anthropic model and both write prices for current ones', () => {
    for (const [id, price] of SHIPPED_PRICE_CATALOGUE.models) {
      if (price.provider !== 'anthropic') continue;
      expect(price.rates?.cachedInput, id).toBeDefined();
      expect(price.rates?.cacheWrite5m, id).toBeDefined();
    }
  });
});
