/**
 * List prices of the models Tollgate prices out of the box, in USD per million
 * tokens, keyed by canonical model id (lower case).
 *
 * Source: each provider's public pricing page, standard (non-batch, non-priority)
 * tier — platform.openai.com/docs/pricing, docs.anthropic.com (now
 * platform.claude.com)/docs/en/about-claude/pricing, ai.google.dev/gemini-api/docs/pricing
 * (paid tier). `cachedInput` is the cache-read / cached-input price.
 * PRICE_TABLE_CHECKED_AT is the date these figures were last reviewed, not the
 * date any price took effect.
 *
 * Not modelled here (callers get the base rate): batch discounts, long-context
 * surcharges (Gemini 2.5 Pro above 200k prompt tokens, Gemini 1.5 above 128k,
 * Claude Sonnet 4/4.5 with the 1M context beta), Anthropic cache writes,
 * audio/image tokens, and per-character Vertex AI billing.
 *
 * Per-organisation prices (negotiated rates, fine-tunes, self-hosted models)
 * belong in price overrides, not in this table.
 */
import { z } from 'zod';

export const PRICE_TABLE_CHECKED_AT = '2026-11-23';

export const PRICE_PROVIDERS = ['openai', 'anthropic', 'google'] as const;
export type PriceProvider = (typeof PRICE_PROVIDERS)[number];

const usdPerMillionTokens = z.number().nonnegative();

/** One model's price, USD per million tokens. Also the shape of a price override. */
export const modelPriceSchema = z.object({
  provider: z.enum(PRICE_PROVIDERS),
  input: usdPerMillionTokens,
  output: usdPerMillionTokens,
  cachedInput: usdPerMillionTokens.optional(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** Per-organisation price overrides keyed by model id; they win over the table. */
export const priceOverridesSchema = z.record(z.string().min(1), modelPriceSchema);
export type PriceOverrides = Readonly<Record<string, ModelPrice>>;

/** Models named `simulated/<anything>` come from the built-in simulated provider, which is free. */
export const SIMULATED_MODEL_PREFIX = 'simulated/';

export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  'gpt-5': { provider: 'openai', input: 1.25, output: 10, cachedInput: 0.125 },
  'gpt-5-mini': { provider: 'openai', input: 0.25, output: 2, cachedInput: 0.025 },
  'gpt-5-nano': { provider: 'openai', input: 0.05, output: 0.4, cachedInput: 0.005 },
  'gpt-4.1': { provider: 'openai', input: 2, output: 8, cachedInput: 0.5 },
  'gpt-4.1-mini': { provider: 'openai', input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1-nano': { provider: 'openai', input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gpt-4o': { provider: 'openai', input: 2.5, output: 10, cachedInput: 1.25 },
  // The first gpt-4o snapshot kept its launch price and never had cached input.
  'gpt-4o-2024-05-13': { provider: 'openai', input: 5, output: 15 },
  'gpt-4o-mini': { provider: 'openai', input: 0.15, output: 0.6, cachedInput: 0.075 },
  o1: { provider: 'openai', input: 15, output: 60, cachedInput: 7.5 },
  o3: { provider: 'openai', input: 2, output: 8, cachedInput: 0.5 },
  'o3-mini': { provider: 'openai', input: 1.1, output: 4.4, cachedInput: 0.55 },
  'o4-mini': { provider: 'openai', input: 1.1, output: 4.4, cachedInput: 0.275 },
  'gpt-3.5-turbo': { provider: 'openai', input: 0.5, output: 1.5 },
  // Older gpt-3.5-turbo snapshots are priced differently from the current alias (0125).
  'gpt-3.5-turbo-1106': { provider: 'openai', input: 1, output: 2 },
  'gpt-3.5-turbo-0613': { provider: 'openai', input: 1.5, output: 2 },
  'gpt-3.5-turbo-0301': { provider: 'openai', input: 1.5, output: 2 },
  'text-embedding-3-small': { provider: 'openai', input: 0.02, output: 0 },
  'text-embedding-3-large': { provider: 'openai', input: 0.13, output: 0 },
  'text-embedding-ada-002': { provider: 'openai', input: 0.1, output: 0 },

  // Anthropic (cache hits bill at 0.1x input)
  'claude-opus-4-5': { provider: 'anthropic', input: 5, output: 25, cachedInput: 0.5 },
  'claude-opus-4-1': { provider: 'anthropic', input: 15, output: 75, cachedInput: 1.5 },
  'claude-opus-4': { provider: 'anthropic', input: 15, output: 75, cachedInput: 1.5 },
  'claude-sonnet-4-5': { provider: 'anthropic', input: 3, output: 15, cachedInput: 0.3 },
  'claude-sonnet-4': { provider: 'anthropic', input: 3, output: 15, cachedInput: 0.3 },
  'claude-3-7-sonnet': { provider: 'anthropic', input: 3, output: 15, cachedInput: 0.3 },
  'claude-3-5-sonnet': { provider: 'anthropic', input: 3, output: 15, cachedInput: 0.3 },
  'claude-haiku-4-5': { provider: 'anthropic', input: 1, output: 5, cachedInput: 0.1 },
  'claude-3-5-haiku': { provider: 'anthropic', input: 0.8, output: 4, cachedInput: 0.08 },
  'claude-3-haiku': { provider: 'anthropic', input: 0.25, output: 1.25, cachedInput: 0.03 },

  // Google (Gemini API paid tier, text input; prompts up to 200k / 128k tokens)
  'gemini-2.5-pro': { provider: 'google', input: 1.25, output: 10, cachedInput: 0.125 },
  'gemini-2.5-flash': { provider: 'google', input: 0.3, output: 2.5, cachedInput: 0.03 },
  'gemini-2.5-flash-lite': { provider: 'google', input: 0.1, output: 0.4, cachedInput: 0.01 },
  'gemini-2.0-flash': { provider: 'google', input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gemini-2.0-flash-lite': { provider: 'google', input: 0.075, output: 0.3 },
  'gemini-1.5-pro': { provider: 'google', input: 1.25, output: 5, cachedInput: 0.3125 },
  'gemini-1.5-flash': { provider: 'google', input: 0.075, output: 0.3, cachedInput: 0.01875 },
  'gemini-embedding-001': { provider: 'google', input: 0.15, output: 0 },
  // Listed free of charge on the Gemini API (Vertex AI bills it per character instead).
  'text-embedding-004': { provider: 'google', input: 0, output: 0 },
};
