import { describe, it, expect } from 'vitest';
import {
  PRICE_TABLE,
  PRICE_TABLE_CHECKED_AT,
  modelPriceSchema,
  priceOverridesSchema,
} from './price-table';

const REQUIRED_MODELS = [
  'gpt-5',
  'gpt-5-mini',
  'gpt-5-nano',
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'gpt-4o',
  'gpt-4o-mini',
  'o1',
  'o3',
  'o3-mini',
  'o4-mini',
  'gpt-3.5-turbo',
  'text-embedding-3-small',
  'text-embedding-3-large',
  'text-embedding-ada-002',
  'claude-opus-4-1',
  'claude-opus-4',
  'claude-opus-4-5',
  'claude-sonnet-4-5',
  'claude-sonnet-4',
  'claude-3-7-sonnet',
  'claude-haiku-4-5',
  'claude-3-5-haiku',
  'claude-3-5-sonnet',
  'claude-3-haiku',
  'gemini-2.5-pro',
  'gemini-2.5-flash',
  'gemini-2.5-flash-lite',
  'gemini-2.0-flash',
  'gemini-2.0-flash-lite',
  'gemini-1.5-pro',
  'gemini-1.5-flash',
  'text-embedding-004',
  'gemini-embedding-001',
];

describe('PRICE_TABLE', () => {
  it('has a review date in ISO form', () => {
    expect(PRICE_TABLE_CHECKED_AT).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(new Date(PRICE_TABLE_CHECKED_AT).toISOString().slice(0, 10)).toBe(
      PRICE_TABLE_CHECKED_AT,
    );
  });

  it.each(REQUIRED_MODELS)('prices %s', (model) => {
    expect(PRICE_TABLE[model]).toBeDefined();
  });

  it('holds only valid prices under lower-case keys', () => {
    for (const [model, price] of Object.entries(PRICE_TABLE)) {
      expect(model).toBe(model.toLowerCase());
      expect(modelPriceSchema.safeParse(price).success).toBe(true);
      if (price.cachedInput !== undefined)
        expect(price.cachedInput).toBeLessThanOrEqual(price.input);
    }
  });

  it('uses prices that are whole picodollars per token', () => {
    for (const price of Object.values(PRICE_TABLE)) {
      for (const usdPerMillion of [price.input, price.output, price.cachedInput ?? 0]) {
        const picos = usdPerMillion * 1_000_000;
        expect(Math.abs(picos - Math.round(picos))).toBeLessThan(1e-6);
      }
    }
  });
});

describe('priceOverridesSchema', () => {
  it('accepts overrides of the table shape and rejects negative prices', () => {
    const valid = { 'my-model': { provider: 'openai', input: 1, output: 2 } };
    expect(priceOverridesSchema.safeParse(valid).success).toBe(true);
    const negative = { 'my-model': { provider: 'openai', input: -1, output: 2 } };
    expect(priceOverridesSchema.safeParse(negative).success).toBe(false);
  });
});
