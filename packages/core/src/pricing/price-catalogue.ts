import { scaledNumber } from './scaled-decimal';

/**
 * Prices are held as integer femto-dollars (10^-15 USD): per token, per image
 * and per second of video. A per-token list price such as $1.875 per million
 * tokens is 1_875_000 femto-dollars a token, so every product and sum is exact.
 */
export const FEMTOS_PER_USD = 1_000_000_000_000_000n;
const FEMTO_SCALE = 15;

/** Per-token rates, in femto-dollars. Absent cache rates fall back by the rules of `cost.ts`. */
export interface TokenRates {
  input: bigint;
  output: bigint;
  cachedInput?: bigint;
  cacheWrite5m?: bigint;
  cacheWrite1h?: bigint;
  reasoning?: bigint;
}

export const SERVICE_TIERS = ['priority', 'flex'] as const;
export type ServiceTier = (typeof SERVICE_TIERS)[number];

export type TierRates = Partial<Record<ServiceTier, Partial<TokenRates>>>;

/** One model's (or one image size and quality's) price. */
export interface ModelPrice {
  /** Tollgate's provider name (`openai`, `anthropic`, `google`) or the list's own. */
  provider: string;
  /** `chat`, `embedding`, `image_generation`, … as the list says. */
  mode?: string;
  /** Absent for entries priced only per image or per second. */
  rates?: TokenRates;
  tiers?: TierRates;
  /** Rates for a whole call whose prompt is above `aboveTokens` input tokens. */
  longContext?: { aboveTokens: number; rates: Partial<TokenRates>; tiers?: TierRates };
  perImage?: bigint;
  perVideoSecond?: bigint;
}

/** A dated list of prices keyed by lower-case model id. */
export interface PriceCatalogue {
  /** When the figures were checked (shipped) or loaded (refreshed), `YYYY-MM-DD` or ISO time. */
  checkedAt: string;
  /** Where the figures came from: `shipped`, a file path or a URL. */
  source: string;
  models: ReadonlyMap<string, ModelPrice>;
}

/** LiteLLM's provider names mapped to the provider names Tollgate uses. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  openai: 'openai',
  'text-completion-openai': 'openai',
  anthropic: 'anthropic',
  gemini: 'google',
  'vertex_ai-language-models': 'google',
  'vertex_ai-embedding-models': 'google',
};

/** Prefixes LiteLLM puts on keys of providers whose bare ids Tollgate's adapters send. */
const STRIPPED_KEY_PREFIXES: Readonly<Record<string, string>> = { gemini: 'gemini/' };

type Entry = Record<string, unknown>;

const LONG_CONTEXT_FIELD = /^input_cost_per_token_above_(\d+)k_tokens$/;

/**
 * Parses a price list in the format LiteLLM publishes
 * (`model_prices_and_context_window.json`): an object of model id to fields
 * such as `input_cost_per_token`, `cache_read_input_token_cost`,
 * `cache_creation_input_token_cost(_above_1hr)`, `*_above_200k_tokens`,
 * `*_priority` / `*_flex`, `output_cost_per_image` and
 * `output_cost_per_second`, all in USD. Entries with no price at all (such as
 * `sample_spec`) are skipped. Throws a `TypeError` when the document is not an object.
 */
export function parsePriceCatalogue(
  document: unknown,
  meta: { checkedAt: string; source: string },
): PriceCatalogue {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new TypeError('a price catalogue is a JSON object of model id to prices');
  }
  const models = new Map<string, ModelPrice>();
  const aliases = new Map<string, ModelPrice>();
  for (const [key, value] of Object.entries(document as Entry)) {
    if (key === 'sample_spec' || typeof value !== 'object' || value === null) continue;
    const entry = value as Entry;
    const price = modelPriceOf(entry);
    if (!price) continue;
    const id = key.trim().toLowerCase();
    models.set(id, price);
    const listProvider = typeof entry.litellm_provider === 'string' ? entry.litellm_provider : '';
    const prefix = STRIPPED_KEY_PREFIXES[listProvider];
    if (prefix && id.startsWith(prefix)) aliases.set(id.slice(prefix.length), price);
  }
  // The Gemini API's own entries win over Vertex AI's for a bare id: that is what the adapter calls.
  for (const [id, price] of aliases) models.set(id, price);
  return { ...meta, models };
}

function modelPriceOf(entry: Entry): ModelPrice | undefined {
  const listProvider = typeof entry.litellm_provider === 'string' ? entry.litellm_provider : '';
  const price: ModelPrice = { provider: PROVIDER_NAMES[listProvider] ?? listProvider };
  if (typeof entry.mode === 'string') price.mode = entry.mode;
  const rates = ratesOf(entry, '', '');
  if (rates.input !== undefined && rates.output !== undefined) {
    price.rates = rates as TokenRates;
  } else if (rates.input !== undefined && price.mode === 'embedding') {
    price.rates = { ...rates, input: rates.input, output: 0n };
  }
  const tiers = tiersOf(entry, '');
  if (tiers) price.tiers = tiers;
  const aboveTokens = longContextThreshold(entry);
  if (aboveTokens !== undefined) {
    const infix = `_above_${aboveTokens / 1000}k_tokens`;
    price.longContext = { aboveTokens, rates: ratesOf(entry, infix, '') };
    const longTiers = tiersOf(entry, infix);
    if (longTiers) price.longContext.tiers = longTiers;
  }
  const perImage =
    usd(entry.output_cost_per_image) ??
    (price.mode === 'image_generation' ? usd(entry.input_cost_per_image) : undefined);
  if (perImage !== undefined) price.perImage = perImage;
  const perSecond = usd(entry.output_cost_per_second);
  if (perSecond !== undefined && price.mode === 'video_generation') {
    price.perVideoSecond = perSecond;
  }
  const priced = price.rates ?? price.perImage ?? price.perVideoSecond;
  return priced === undefined ? undefined : price;
}

function ratesOf(entry: Entry, infix: string, suffix: string): Partial<TokenRates> {
  const rates: Partial<TokenRates> = {};
  const set = (name: keyof TokenRates, field: string) => {
    const value = usd(entry[field]);
    if (value !== undefined) rates[name] = value;
  };
  set('input', `input_cost_per_token${infix}${suffix}`);
  set('output', `output_cost_per_token${infix}${suffix}`);
  set('cachedInput', `cache_read_input_token_cost${infix}${suffix}`);
  set('cacheWrite5m', `cache_creation_input_token_cost${infix}${suffix}`);
  set('cacheWrite1h', `cache_creation_input_token_cost_above_1hr${infix}${suffix}`);
  if (!infix) set('reasoning', `output_cost_per_reasoning_token${suffix}`);
  return rates;
}

function tiersOf(entry: Entry, infix: string): TierRates | undefined {
  const tiers: TierRates = {};
  for (const tier of ['priority', 'flex'] as const) {
    const rates = ratesOf(entry, infix, `_${tier}`);
    if (Object.keys(rates).length > 0) tiers[tier] = rates;
  }
  return Object.keys(tiers).length > 0 ? tiers : undefined;
}

function longContextThreshold(entry: Entry): number | undefined {
  for (const field of Object.keys(entry)) {
    const match = LONG_CONTEXT_FIELD.exec(field);
    if (match) return Number(match[1]) * 1000;
  }
  return undefined;
}

/** A USD amount from the list as femto-dollars; undefined when absent or not a price. */
function usd(value: unknown): bigint | undefined {
  return typeof value === 'number' ? scaledNumber(value, FEMTO_SCALE) : undefined;
}
