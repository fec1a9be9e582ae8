import { PRICE_TABLE, SIMULATED_MODEL_PREFIX } from './price-table';
import type { ModelPrice, PriceOverrides, PriceProvider } from './price-table';

/** A price found for a model, with the key it was found under and where it came from. */
export interface ResolvedPrice {
  /** The table or override key that matched, e.g. `gpt-4o` for `openai/gpt-4o-2024-08-06`. */
  model: string;
  provider: PriceProvider | 'simulated';
  /** USD per million tokens. */
  input: number;
  output: number;
  cachedInput?: number;
  source: 'override' | 'table' | 'simulated';
}

/** Prefixes that routers, SDKs and the Gemini API put in front of a model id. */
const PROVIDER_PREFIXES = ['openai/', 'anthropic/', 'google/', 'models/'] as const;

/**
 * Segments allowed after a known model id for the name to count as a snapshot
 * of it: dates (`2024-08-06`, `20241022`, `05-20`), revision numbers (`001`,
 * `0125`), the `-0` alias (`claude-sonnet-4-0`), `latest` and `preview`.
 * Anything else (`mini`, `pro`, `realtime`, `8b`, a one-digit minor version)
 * names a different model, which is left unpriced rather than guessed.
 */
const SNAPSHOT_SEGMENT = /^(?:\d{2,}|0|latest|preview)$/;

type PriceLookup = (key: string) => ResolvedPrice | undefined;

/**
 * Finds the price of a model: an exact id first, then the id without a
 * provider prefix, then a dated or versioned snapshot of a known id (longest
 * known id wins, so `gpt-4o-mini-2024-07-18` is `gpt-4o-mini`, not `gpt-4o`).
 * Overrides win over the table at every step. Unknown models give `undefined`.
 */
export function resolveModelPrice(
  model: string,
  overrides?: PriceOverrides,
): ResolvedPrice | undefined {
  const lookup = createPriceLookup(overrides);
  const exactName = model.trim().toLowerCase();
  const exact = lookup(exactName);
  if (exact) return exact;

  const bareName = stripProviderPrefixes(exactName).replaceAll('@', '-');
  return lookup(bareName) ?? resolveSnapshot(bareName, knownModelIds(overrides), lookup);
}

function createPriceLookup(overrides: PriceOverrides | undefined): PriceLookup {
  const overridesByKey = new Map(
    Object.entries(overrides ?? {}).map(([key, price]) => [key.trim().toLowerCase(), price]),
  );
  return (key) => {
    const override = overridesByKey.get(key);
    if (override) return toResolvedPrice(key, override, 'override');
    const listed = PRICE_TABLE[key];
    if (listed) return toResolvedPrice(key, listed, 'table');
    if (isSimulatedModel(key)) return simulatedPrice(key);
    return undefined;
  };
}

function resolveSnapshot(
  name: string,
  modelIds: readonly string[],
  lookup: PriceLookup,
): ResolvedPrice | undefined {
  const base = longestPrefixModelId(name, modelIds);
  if (base === undefined || !isSnapshotSuffix(name.slice(base.length + 1))) return undefined;
  return lookup(base);
}

function longestPrefixModelId(name: string, modelIds: readonly string[]): string | undefined {
  let longest: string | undefined;
  for (const modelId of modelIds) {
    const isPrefix = name.startsWith(`${modelId}-`);
    if (isPrefix && (longest === undefined || modelId.length > longest.length)) longest = modelId;
  }
  return longest;
}

function isSnapshotSuffix(suffix: string): boolean {
  return suffix.split('-').every((segment) => SNAPSHOT_SEGMENT.test(segment));
}

function stripProviderPrefixes(name: string): string {
  const prefix = PROVIDER_PREFIXES.find((candidate) => name.startsWith(candidate));
  return prefix ? stripProviderPrefixes(name.slice(prefix.length)) : name;
}

function knownModelIds(overrides: PriceOverrides | undefined): string[] {
  const overrideIds = Object.keys(overrides ?? {}).map((key) => key.trim().toLowerCase());
  return [...Object.keys(PRICE_TABLE), ...overrideIds];
}

function isSimulatedModel(name: string): boolean {
  return name.startsWith(SIMULATED_MODEL_PREFIX) && name.length > SIMULATED_MODEL_PREFIX.length;
}

function simulatedPrice(model: string): ResolvedPrice {
  return { model, provider: 'simulated', input: 0, output: 0, cachedInput: 0, source: 'simulated' };
}

function toResolvedPrice(
  model: string,
  price: ModelPrice,
  source: 'override' | 'table',
): ResolvedPrice {
  const resolved: ResolvedPrice = {
    model,
    provider: price.provider,
    input: price.input,
    output: price.output,
    source,
  };
  if (price.cachedInput !== undefined) resolved.cachedInput = price.cachedInput;
  return resolved;
}
