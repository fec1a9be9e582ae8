import { describe, it, expect } from 'vitest';
import { resolveModelPrice, usdPerMillionTokens } from './cost';
import type { PriceOverrides } from './price-overrides';

const inputOf = (model: string, overrides?: PriceOverrides) => {
  const rates = resolveModelPrice(model, overrides)?.price.rates;
  return rates ? usdPerMillionTokens(rates.input) : undefined;
};

describe('resolveModelPrice', () => {
  it('matches an exact model id', () => {
    expect(resolveModelPrice('gpt-4o')).toMatchObject({
      model: 'gpt-4o',
      provider: 'openai',
      source: 'catalogue',
      simulated: false,
      price: {
        rates: { input: 2_500_000_000n, output: 10_000_000_000n, cachedInput: 1_250_000_000n },
      },
    });
  });

  it('ignores case and surrounding space', () => {
    expect(resolveModelPrice(' GPT-4o ')?.model).toBe('gpt-4o');
  });

  it.each([
    ['openai/gpt-4o', 'gpt-4o'],
    ['anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5'],
    ['google/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['models/gemini-2.5-flash', 'gemini-2.5-flash'],
    ['google/models/gemini-2.0-flash', 'gemini-2.0-flash'],
  ])('strips the provider prefix of %s', (name, expected) => {
    expect(resolveModelPrice(name)?.model).toBe(expected);
  });

  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['gpt-4.1-2025-04-14', 'gpt-4.1'],
    ['gpt-5-mini-2025-08-07', 'gpt-5-mini'],
    ['o3-mini-2025-01-31', 'o3-mini'],
    ['gpt-3.5-turbo-0125', 'gpt-3.5-turbo'],
    ['claude-3-5-haiku-20241022', 'claude-3-5-haiku'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-opus-4-1-20250805', 'claude-opus-4-1'],
    ['claude-opus-4-20250514', 'claude-opus-4'],
    ['claude-sonnet-4-0', 'claude-sonnet-4'],
    ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
    ['gemini-2.5-flash-preview-05-20', 'gemini-2.5-flash'],
    ['gemini-2.5-flash-lite-preview-06-17', 'gemini-2.5-flash-lite'],
    ['gemini-2.0-flash-001', 'gemini-2.0-flash'],
    ['models/gemini-1.5-pro-002', 'gemini-1.5-pro'],
    ['anthropic/claude-3-5-sonnet-20241022', 'claude-3-5-sonnet'],
  ])('resolves the snapshot %s to %s', (name, expected) => {
    expect(resolveModelPrice(name)?.model).toBe(expected);
  });

  it('does not match gpt-4o-mini to gpt-4o', () => {
    const price = resolveModelPrice('gpt-4o-mini');
    expect(price?.model).toBe('gpt-4o-mini');
    expect(inputOf('gpt-4o-mini')).toBe(0.15);
  });

  it('prefers a snapshot listed with its own price over its base', () => {
    expect(inputOf('gpt-4o-2024-05-13')).toBe(5);
    expect(resolveModelPrice('gpt-4o-2024-05-13')?.price.rates?.cachedInput).toBeUndefined();
    expect(inputOf('gpt-4-0125-preview')).toBe(10);
  });

  it.each([
    'gpt-4o-realtime-preview-2024-12-17', // a different model priced differently from gpt-4o
    'o1-mini', // not o1
    'gemini-1.5-flash-8b',
    'gpt-5.4-codex', // not a snapshot of gpt-5.4
    'claude-opus-4-9', // a newer minor version, not a snapshot of claude-opus-4
    'ft:gpt-4o-mini-2024-07-18:acme::abc123',
    'llama-3.1-70b',
    '',
    'simulated/',
  ])('leaves %s unpriced rather than guessing', (name) => {
    expect(resolveModelPrice(name)).toBeUndefined();
  });

  it('prices a simulated model as the model it imitates, and the simulator’s own at zero', () => {
    expect(resolveModelPrice('simulated/gpt-4o-2024-08-06')).toMatchObject({
      model: 'gpt-4o',
      source: 'catalogue',
      simulated: true,
    });
    expect(resolveModelPrice('simulated/echo')).toMatchObject({
      model: 'simulated/echo',
      provider: 'simulated',
      source: 'simulated',
      price: { rates: { input: 0n, output: 0n } },
    });
  });

  describe('with overrides', () => {
    const overrides: PriceOverrides = {
      'gpt-4o': { provider: 'openai', input: 2, output: 8 },
      'Acme-Finetune': { provider: 'openai', input: 4, output: 16, cachedInput: 1 },
    };

    it('lets an override win over the catalogue', () => {
      expect(resolveModelPrice('gpt-4o', overrides)).toMatchObject({
        model: 'gpt-4o',
        provider: 'openai',
        source: 'override',
      });
      expect(inputOf('gpt-4o', overrides)).toBe(2);
    });

    it('applies an override to snapshots and prefixed names of its model', () => {
      expect(resolveModelPrice('openai/gpt-4o-2024-11-20', overrides)?.source).toBe('override');
      expect(resolveModelPrice('gpt-4o-mini', overrides)?.source).toBe('catalogue');
    });

    it('prices models the table does not know', () => {
      expect(inputOf('acme-finetune', overrides)).toBe(4);
      expect(resolveModelPrice('acme-finetune-2025-01-01', overrides)?.model).toBe('acme-finetune');
    });

    it('can price a simulated model', () => {
      const priced = { 'simulated/echo': { provider: 'openai', input: 1, output: 1 } } as const;
      expect(resolveModelPrice('simulated/echo', priced)?.source).toBe('override');
    });
  });
});
