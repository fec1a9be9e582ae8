import type { PriceOverrides } from './price-table';
import { resolveModelPrice } from './resolve-model-price';
import type { ResolvedPrice } from './resolve-model-price';

/** Money is stored and summed as integer nano-dollars. */
export const NANOS_PER_USD = 1_000_000_000;

const PICOS_PER_USD_PER_MILLION_TOKENS = 1_000_000;
const PICOS_PER_NANO = 1_000n;

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

export interface CostResult {
  costNanos: number;
  /** False when the model has no known price; the cost is then 0, never a guess. */
  priced: boolean;
  price?: ResolvedPrice;
}

/**
 * The exact cost of a call in nano-dollars. Each per-million price becomes an
 * integer number of pico-dollars per token, the products are summed as
 * integers, and the total is rounded to nanos once, half up.
 */
export function calculateCost(
  model: string,
  usage: TokenUsage,
  overrides?: PriceOverrides,
): CostResult {
  const { inputTokens, outputTokens, cachedInputTokens } = validateUsage(usage);
  const price = resolveModelPrice(model, overrides);
  if (!price) return { costNanos: 0, priced: false };

  const costPicos =
    BigInt(inputTokens - cachedInputTokens) * picosPerToken(price.input) +
    BigInt(cachedInputTokens) * picosPerToken(price.cachedInput ?? price.input) +
    BigInt(outputTokens) * picosPerToken(price.output);
  return { costNanos: picosToNanos(costPicos), priced: true, price };
}

/** USD to integer nano-dollars, rounded to the nearest nano. */
export function usdToNanos(usd: number): number {
  return Math.round(usd * NANOS_PER_USD);
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

function validateUsage(
  usage: TokenUsage,
): Required<Pick<TokenUsage, 'inputTokens' | 'outputTokens' | 'cachedInputTokens'>> {
  const inputTokens = assertTokenCount('inputTokens', usage.inputTokens);
  const outputTokens = assertTokenCount('outputTokens', usage.outputTokens);
  const cachedInputTokens = assertTokenCount('cachedInputTokens', usage.cachedInputTokens ?? 0);
  if (cachedInputTokens > inputTokens) {
    throw new RangeError(
      `cachedInputTokens (${cachedInputTokens}) cannot exceed inputTokens (${inputTokens}): cached tokens are part of the input`,
    );
  }
  return { inputTokens, outputTokens, cachedInputTokens };
}

function assertTokenCount(field: keyof TokenUsage, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative integer, got ${value}`);
  }
  return value;
}

function picosPerToken(usdPerMillionTokens: number): bigint {
  if (!Number.isFinite(usdPerMillionTokens) || usdPerMillionTokens < 0) {
    throw new RangeError(`A price must be a non-negative number, got ${usdPerMillionTokens}`);
  }
  return BigInt(Math.round(usdPerMillionTokens * PICOS_PER_USD_PER_MILLION_TOKENS));
}

function picosToNanos(picos: bigint): number {
  const nanos = Number((picos + PICOS_PER_NANO / 2n) / PICOS_PER_NANO);
  if (!Number.isSafeInteger(nanos)) {
    throw new RangeError(`Cost of ${picos} picodollars is too large to hold as nanos`);
  }
  return nanos;
}
