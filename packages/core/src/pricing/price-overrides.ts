import { z } from 'zod';
import type { ModelPrice, TokenRates } from './price-catalogue';
import { scaledNumber } from './scaled-decimal';

const usdPerMillionTokens = z.number().nonnegative().max(1_000_000);
const usdPerUnit = z.number().nonnegative().max(1_000_000);

/**
 * One model's price as an operator or org admin writes it: USD per million
 * tokens (`input`, `output`, `cached_input`-style fields in camelCase), USD per
 * image and per second of video. Also the shape of a stored price override.
 */
export const modelPriceSchema = z.strictObject({
  /** Tollgate's provider name; informational. */
  provider: z.string().trim().min(1).max(64).optional(),
  input: usdPerMillionTokens,
  output: usdPerMillionTokens,
  cachedInput: usdPerMillionTokens.optional(),
  /** Prompt-cache writes with a 5-minute lifetime. */
  cacheWrite5m: usdPerMillionTokens.optional(),
  /** Prompt-cache writes with a 1-hour lifetime. */
  cacheWrite1h: usdPerMillionTokens.optional(),
  /** USD per generated image. */
  perImage: usdPerUnit.optional(),
  /** USD per second of generated video. */
  perVideoSecond: usdPerUnit.optional(),
});
export type PriceOverride = z.infer<typeof modelPriceSchema>;

/** Price overrides keyed by model id; they win over the catalogue. */
export const priceOverridesSchema = z.record(z.string().trim().min(1).max(256), modelPriceSchema);
export type PriceOverrides = Readonly<Record<string, PriceOverride>>;

/** Models named `simulated/<model>` come from the built-in simulated provider. */
export const SIMULATED_MODEL_PREFIX = 'simulated/';

/** USD per million tokens is 10^9 femto-dollars per token. */
const PER_MILLION_TOKENS_SCALE = 9;
const PER_UNIT_SCALE = 15;

/** An override as a catalogue price (exact: the decimal is parsed, not multiplied as a float). */
export function overrideToModelPrice(override: PriceOverride): ModelPrice {
  const perToken = (value: number) => scaledNumber(value, PER_MILLION_TOKENS_SCALE) ?? 0n;
  const rates: TokenRates = { input: perToken(override.input), output: perToken(override.output) };
  if (override.cachedInput !== undefined) rates.cachedInput = perToken(override.cachedInput);
  if (override.cacheWrite5m !== undefined) rates.cacheWrite5m = perToken(override.cacheWrite5m);
  if (override.cacheWrite1h !== undefined) rates.cacheWrite1h = perToken(override.cacheWrite1h);
  const price: ModelPrice = { provider: override.provider ?? '', rates };
  if (override.perImage !== undefined) {
    price.perImage = scaledNumber(override.perImage, PER_UNIT_SCALE) ?? 0n;
  }
  if (override.perVideoSecond !== undefined) {
    price.perVideoSecond = scaledNumber(override.perVideoSecond, PER_UNIT_SCALE) ?? 0n;
  }
  return price;
}
