import { divideRounded } from './money';
import type { ModelPrice, ServiceTier, TokenRates } from './price-catalogue';
import { PriceList, type ResolvedPrice } from './price-list';
import type { PriceOverrides } from './price-overrides';
import { scaledNumber } from './scaled-decimal';

/** Money is stored and summed as integer nano-dollars. */
export const NANOS_PER_USD = 1_000_000_000;

const FEMTOS_PER_NANO = 1_000_000n;
const MILLIS_PER_SECOND = 1000n;

/**
 * The one usage record of a call, on every path (gateway adapters, ingestion
 * API, SDK, OTLP). Convention ("input includes cached"): `inputTokens` counts
 * every prompt token the provider processed, cache reads and cache writes
 * included; `cachedInputTokens`, `cacheWrite5mTokens` and `cacheWrite1hTokens`
 * are parts of it. `outputTokens` counts every generated token, reasoning
 * included; `reasoningTokens` is the part of it spent on reasoning. An adapter
 * for Anthropic, which reports cache reads and writes apart from
 * `input_tokens`, adds them to `inputTokens` before calling.
 */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** Cache reads (part of `inputTokens`). */
  cachedInputTokens?: number;
  /** Prompt-cache writes with a 5-minute lifetime (part of `inputTokens`). */
  cacheWrite5mTokens?: number;
  /** Prompt-cache writes with a 1-hour lifetime (part of `inputTokens`). */
  cacheWrite1hTokens?: number;
  /** Reasoning / thinking tokens (part of `outputTokens`). */
  reasoningTokens?: number;
  /** Images generated (image models are priced per image). */
  imageCount?: number;
  /** Seconds of video generated (video models are priced per second). */
  videoSeconds?: number;
}

/** How a call was billed beyond its token counts. */
export interface CostContext {
  /** OpenAI / Gemini `service_tier`: `priority` and `flex` change the price; others bill the standard rate. */
  serviceTier?: string;
  /** Image size as the API takes it, `1024x1024` (the default). */
  imageSize?: string;
  /** Image quality as the API takes it: `standard`, `hd`, `low`, `medium`, `high`. */
  imageQuality?: string;
}

export interface CostResult {
  costNanos: number;
  /** False when the model has no known price; the cost is then 0, never a guess, and shown as unpriced. */
  priced: boolean;
  price?: ResolvedPrice;
}

/** A price list, or just an org's overrides over the shipped catalogue. */
export type Prices = PriceList | PriceOverrides;

/** The shipped catalogue with no overrides: the prices of a caller that passes none. */
const SHIPPED_PRICES = PriceList.of();

/** Multipliers applied when a model lists no rate for the tier asked for (OpenAI's published rule). */
const TIER_MULTIPLIER: Record<ServiceTier, { numerator: bigint; denominator: bigint }> = {
  priority: { numerator: 2n, denominator: 1n },
  flex: { numerator: 1n, denominator: 2n },
};

/**
 * The exact cost of a call in nano-dollars, the one cost function of every
 * path. Rates are integer femto-dollars per token; the products are summed as
 * integers and the total is rounded to nanos once, half up.
 *
 * Billing rules: a prompt above the model's long-context threshold bills the
 * whole call at the long-context rates; `priority` / `flex` use the tier's
 * listed rates (an OpenAI model without them: ×2 / ×0.5); a cache write with
 * no listed price bills at 1.25× input (5 min) and 2× input (1 h) for
 * Anthropic and at the input rate otherwise; reasoning bills at the output
 * rate unless the model lists its own; images bill per image by size and
 * quality, video per second.
 */
export function calculateCost(
  model: string,
  usage: TokenUsage,
  prices?: Prices,
  context: CostContext = {},
): CostResult {
  const counts = validateUsage(usage);
  const list = priceListOf(prices);
  const resolved = list.resolve(model);
  let femtos = 0n;
  let price = resolved;

  if (counts.imageCount > 0) {
    const image = list.resolveImage(model, context.imageSize, context.imageQuality);
    if (image) {
      femtos += BigInt(counts.imageCount) * image.price.perImage!;
      price = image;
    } else if (!resolved?.price.rates) {
      return { costNanos: 0, priced: false };
    }
  }
  if (counts.videoMillis > 0n) {
    const perSecond = resolved?.price.perVideoSecond;
    if (perSecond !== undefined) {
      femtos += divideRounded(perSecond * counts.videoMillis, MILLIS_PER_SECOND);
    } else if (!resolved?.price.rates) {
      return { costNanos: 0, priced: false };
    }
  }
  if (!price) return { costNanos: 0, priced: false };
  if (resolved?.price.rates) {
    femtos += tokenFemtos(counts, ratesFor(resolved.price, counts.inputTokens, context));
  } else if (counts.imageCount === 0 && counts.videoMillis === 0n) {
    // An image or video model asked to price tokens only: nothing it lists applies.
    return { costNanos: 0, priced: false };
  }
  return { costNanos: femtosToNanos(femtos), priced: true, price };
}

/** The price of a model (for display, routing and estimates), from the same lookup the cost uses. */
export function resolveModelPrice(model: string, prices?: Prices): ResolvedPrice | undefined {
  return priceListOf(prices).resolve(model);
}

function priceListOf(prices: Prices | undefined): PriceList {
  if (prices instanceof PriceList) return prices;
  return prices ? PriceList.of({ orgOverrides: prices }) : SHIPPED_PRICES;
}

/** A femto-dollar per-token rate as USD per million tokens, for display only. */
export function usdPerMillionTokens(femtosPerToken: bigint): number {
  return Number(femtosPerToken) / 1e9;
}

/** USD to integer nano-dollars, rounded to the nearest nano (exact for decimal input). */
export function usdToNanos(usd: number): number {
  const nanos = scaledNumber(usd, 9);
  if (nanos === undefined) return Math.round(usd * NANOS_PER_USD);
  return Number(nanos);
}

/** Nano-dollars to USD, for display and charts only: never sum the result. */
export function nanosToUsd(nanos: number): number {
  return nanos / NANOS_PER_USD;
}

/**
 * Nano-dollars as a USD amount without float drift: up to 9 decimals, trailing
 * zeros trimmed but at least 2 kept. `123_000` → `"0.000123"`, `12_500_000_000` → `"12.50"`.
 */
export function formatUsd(nanos: number): string {
  if (!Number.isSafeInteger(nanos)) {
    throw new RangeError(`nanos must be a safe integer, got ${nanos}`);
  }
  const sign = nanos < 0 ? '-' : '';
  const magnitude = Math.abs(nanos);
  const dollars = Math.floor(magnitude / NANOS_PER_USD);
  const fraction = String(magnitude % NANOS_PER_USD)
    .padStart(9, '0')
    .replace(/0+$/, '')
    .padEnd(2, '0');
  return `${sign}${dollars}.${fraction}`;
}

interface UsageCounts {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  reasoningTokens: number;
  imageCount: number;
  videoMillis: bigint;
}

/** `ratesFor`'s answers per price (prices are immutable once built): long context × service tier. */
const ratesByPrice = new WeakMap<ModelPrice, Map<string, TokenRates>>();

/** The rates a call bills at: long-context tier by prompt size, then the service tier. */
function ratesFor(price: ModelPrice, inputTokens: number, context: CostContext): TokenRates {
  const long = price.longContext !== undefined && inputTokens > price.longContext.aboveTokens;
  const tier = serviceTierOf(context.serviceTier);
  const key = `${long ? 'long' : ''}|${tier ?? ''}`;
  let known = ratesByPrice.get(price);
  if (!known) ratesByPrice.set(price, (known = new Map()));
  let rates = known.get(key);
  if (!rates) known.set(key, (rates = computeRates(price, long, tier)));
  return rates;
}

function computeRates(price: ModelPrice, long: boolean, tier: ServiceTier | undefined): TokenRates {
  const base = price.rates!;
  let rates = long ? overlay(base, price.longContext!.rates) : base;
  if (tier) {
    const listed = long ? price.longContext!.tiers?.[tier] : price.tiers?.[tier];
    if (listed) rates = overlay(rates, listed);
    else if (price.provider === 'openai') rates = multiply(rates, TIER_MULTIPLIER[tier]);
  }
  const anthropic = price.provider === 'anthropic';
  const cacheWrite5m = rates.cacheWrite5m ?? (anthropic ? (rates.input * 5n) / 4n : rates.input);
  const cacheWrite1h = rates.cacheWrite1h ?? (anthropic ? rates.input * 2n : cacheWrite5m);
  return { ...rates, cacheWrite5m, cacheWrite1h };
}

function tokenFemtos(counts: UsageCounts, rates: TokenRates): bigint {
  const uncachedInput =
    counts.inputTokens -
    counts.cachedInputTokens -
    counts.cacheWrite5mTokens -
    counts.cacheWrite1hTokens;
  return (
    BigInt(uncachedInput) * rates.input +
    BigInt(counts.cachedInputTokens) * (rates.cachedInput ?? rates.input) +
    BigInt(counts.cacheWrite5mTokens) * rates.cacheWrite5m! +
    BigInt(counts.cacheWrite1hTokens) * rates.cacheWrite1h! +
    BigInt(counts.outputTokens - counts.reasoningTokens) * rates.output +
    BigInt(counts.reasoningTokens) * (rates.reasoning ?? rates.output)
  );
}

/**
 * `over`'s rates on top of `base`. A rate `over` does not list is scaled from
 * `base` by `over`'s input rate (a tier that lists only input and output keeps
 * the cache discounts in proportion).
 */
function overlay(base: TokenRates, over: Partial<TokenRates>): TokenRates {
  const scale = (value: bigint | undefined): bigint | undefined => {
    if (value === undefined) return undefined;
    if (over.input === undefined || base.input === 0n) return value;
    return divideRounded(value * over.input, base.input);
  };
  const result: TokenRates = {
    input: over.input ?? base.input,
    output: over.output ?? scale(base.output)!,
  };
  for (const field of ['cachedInput', 'cacheWrite5m', 'cacheWrite1h'] as const) {
    const value = over[field] ?? scale(base[field]);
    if (value !== undefined) result[field] = value;
  }
  // A listed reasoning rate belongs to the output rate it was listed with.
  const reasoning = over.reasoning ?? (over.output === undefined ? base.reasoning : undefined);
  if (reasoning !== undefined) result.reasoning = reasoning;
  return result;
}

function multiply(rates: TokenRates, by: { numerator: bigint; denominator: bigint }): TokenRates {
  const result = {} as TokenRates;
  for (const [field, value] of Object.entries(rates) as [keyof TokenRates, bigint][]) {
    result[field] = divideRounded(value * by.numerator, by.denominator);
  }
  return result;
}

function serviceTierOf(value: string | undefined): ServiceTier | undefined {
  const tier = value?.trim().toLowerCase();
  return tier === 'priority' || tier === 'flex' ? tier : undefined;
}

function validateUsage(usage: TokenUsage): UsageCounts {
  const count = (field: keyof TokenUsage, value: number | undefined) => {
    const checked = value ?? 0;
    if (!Number.isSafeInteger(checked) || checked < 0) {
      throw new RangeError(`${field} must be a non-negative integer, got ${value}`);
    }
    return checked;
  };
  const counts: UsageCounts = {
    inputTokens: count('inputTokens', usage.inputTokens),
    outputTokens: count('outputTokens', usage.outputTokens),
    cachedInputTokens: count('cachedInputTokens', usage.cachedInputTokens),
    cacheWrite5mTokens: count('cacheWrite5mTokens', usage.cacheWrite5mTokens),
    cacheWrite1hTokens: count('cacheWrite1hTokens', usage.cacheWrite1hTokens),
    reasoningTokens: count('reasoningTokens', usage.reasoningTokens),
    imageCount: count('imageCount', usage.imageCount),
    videoMillis: videoMillisOf(usage.videoSeconds),
  };
  const cacheParts =
    counts.cachedInputTokens + counts.cacheWrite5mTokens + counts.cacheWrite1hTokens;
  if (cacheParts > counts.inputTokens) {
    throw new RangeError(
      `cachedInputTokens + cacheWrite5mTokens + cacheWrite1hTokens (${cacheParts}) cannot exceed inputTokens (${counts.inputTokens}): cache reads and writes are part of the input`,
    );
  }
  if (counts.reasoningTokens > counts.outputTokens) {
    throw new RangeError(
      `reasoningTokens (${counts.reasoningTokens}) cannot exceed outputTokens (${counts.outputTokens}): reasoning is part of the output`,
    );
  }
  return counts;
}

function videoMillisOf(seconds: number | undefined): bigint {
  if (seconds === undefined) return 0n;
  const millis = scaledNumber(seconds, 3);
  if (millis === undefined)
    throw new RangeError(`videoSeconds must be non-negative, got ${seconds}`);
  return millis;
}

function femtosToNanos(femtos: bigint): number {
  const nanos = Number((femtos + FEMTOS_PER_NANO / 2n) / FEMTOS_PER_NANO);
  if (!Number.isSafeInteger(nanos)) {
    throw new RangeError(`Cost of ${femtos} femto-dollars is too large to hold as nanos`);
  }
  return nanos;
}
