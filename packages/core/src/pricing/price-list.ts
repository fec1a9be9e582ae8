import type { ModelPrice, PriceCatalogue } from './price-catalogue';
import { SHIPPED_PRICE_CATALOGUE } from './shipped-catalogue';
import {
  SIMULATED_MODEL_PREFIX,
  overrideToModelPrice,
  type PriceOverrides,
} from './price-overrides';

export type PriceSource = 'override' | 'global-override' | 'catalogue' | 'simulated';

/** A price found for a model, with the key it was found under and where it came from. */
export interface ResolvedPrice {
  /** The catalogue or override key that matched, e.g. `gpt-4o` for `openai/gpt-4o-2024-08-06`. */
  model: string;
  provider: string;
  source: PriceSource;
  /** True for `simulated/<model>`: priced as the model it imitates, and labelled simulated. */
  simulated: boolean;
  price: ModelPrice;
}

/** What a price list is built from: the catalogue, the operator's overrides and the org's. */
export interface PriceLayers {
  catalogue: PriceCatalogue;
  globalOverrides?: PriceOverrides;
  orgOverrides?: PriceOverrides;
}

const FREE: ModelPrice = { provider: 'simulated', rates: { input: 0n, output: 0n } };

/** Prefixes that routers, SDKs and the Gemini API put in front of a model id. */
const PROVIDER_PREFIXES = ['openai/', 'anthropic/', 'google/', 'gemini/', 'models/'] as const;

/**
 * Segments allowed after a known model id for the name to count as a snapshot
 * of it: dates (`2024-08-06`, `20241022`, `05-20`), revision numbers (`001`,
 * `0125`), the `-0` alias (`claude-sonnet-4-0`), `latest` and `preview`.
 * Anything else (`mini`, `pro`, `realtime`, `8b`, a one-digit minor version
 * such as the `6` of `claude-opus-4-6`) names a different model, which is left
 * unpriced rather than priced as its family. A snapshot whose price differs
 * from its family's is listed under its own id, which wins.
 */
/** Distinct model names remembered by one price list before it starts again (bounds its memory). */
const MAX_RESOLVED_MODELS = 1000;
const SNAPSHOT_SEGMENT = /^(?:\d{2,}|0|latest|preview)$/;

type Layer = { source: PriceSource; find(key: string): ModelPrice | undefined; keys(): string[] };

/**
 * The prices one org pays: its own overrides, then the operator's global
 * overrides, then the catalogue. `layers` is read on every lookup, so a price
 * list handed out before a catalogue refresh prices with the new catalogue.
 */
export class PriceList {
  private built: { from: PriceLayers; layers: Layer[] } | undefined;
  /** `resolve`'s answers for the current layers: a gateway call prices the same few models again and again. */
  private readonly resolved = new Map<string, ResolvedPrice | undefined>();

  constructor(private readonly layers: () => PriceLayers) {}

  /** A fixed price list (tests, the SDK, callers with only org overrides). */
  static of(layers: Partial<PriceLayers> = {}): PriceList {
    const fixed: PriceLayers = { catalogue: SHIPPED_PRICE_CATALOGUE, ...layers };
    return new PriceList(() => fixed);
  }

  get catalogue(): PriceCatalogue {
    return this.layers().catalogue;
  }

  /**
   * The price of a model: an exact id first, then the id without a provider
   * prefix, then a dated or versioned snapshot of a known id (longest known id
   * wins, so `gpt-4o-mini-2024-07-18` is `gpt-4o-mini`, not `gpt-4o`). Every
   * layer is tried at every step, the org's first. `simulated/<model>` is priced
   * as `<model>` (so a demo shows money, labelled simulated); a simulated model
   * that imitates no known model is the simulated provider's own, and free.
   * Unknown models give `undefined`.
   */
  resolve(model: string): ResolvedPrice | undefined {
    this.layerList(); // a refresh of the layers forgets the answers below
    if (this.resolved.has(model)) return this.resolved.get(model);
    const price = this.lookUp(model);
    if (price) Object.freeze(price); // shared by every later caller
    if (this.resolved.size >= MAX_RESOLVED_MODELS) this.resolved.clear();
    this.resolved.set(model, price);
    return price;
  }

  private lookUp(model: string): ResolvedPrice | undefined {
    const name = model.trim().toLowerCase();
    const simulated = name.startsWith(SIMULATED_MODEL_PREFIX);
    const imitated = simulated ? name.slice(SIMULATED_MODEL_PREFIX.length) : name;
    const found = (simulated ? this.exact(name) : undefined) ?? this.find(imitated);
    if (found) return { ...found, simulated };
    if (!simulated || !imitated) return undefined;
    return { model: name, provider: 'simulated', source: 'simulated', simulated, price: FREE };
  }

  /**
   * The per-image price of an image model at a size (`1024x1024`) and quality
   * (`hd`, `low`, …): the catalogue's `quality/size/model` entry, then
   * `size/model`, then the model's own per-image price.
   */
  resolveImage(model: string, size?: string, quality?: string): ResolvedPrice | undefined {
    const name = model.trim().toLowerCase();
    const simulated = name.startsWith(SIMULATED_MODEL_PREFIX);
    const bare = stripProviderPrefixes(
      simulated ? name.slice(SIMULATED_MODEL_PREFIX.length) : name,
    );
    const sizeKey = (size ?? '1024x1024')
      .trim()
      .toLowerCase()
      .replace(/\s*-?x-?\s*/, '-x-');
    const candidates = [
      quality ? `${quality.trim().toLowerCase()}/${sizeKey}/${bare}` : undefined,
      `${sizeKey}/${bare}`,
    ];
    for (const key of candidates) {
      const found = key ? this.exact(key) : undefined;
      if (found?.price.perImage !== undefined) return { ...found, simulated };
    }
    const own = this.resolve(model);
    return own?.price.perImage !== undefined ? own : undefined;
  }

  private find(name: string): Omit<ResolvedPrice, 'simulated'> | undefined {
    const exact = this.exact(name);
    if (exact) return exact;
    const bare = stripProviderPrefixes(name).replaceAll('@', '-');
    return this.exact(bare) ?? this.snapshot(bare);
  }

  private exact(key: string): Omit<ResolvedPrice, 'simulated'> | undefined {
    for (const layer of this.layerList()) {
      const price = layer.find(key);
      if (price) return { model: key, provider: price.provider, source: layer.source, price };
    }
    return undefined;
  }

  private snapshot(name: string): Omit<ResolvedPrice, 'simulated'> | undefined {
    let longest: string | undefined;
    for (const layer of this.layerList()) {
      for (const modelId of layer.keys()) {
        if (!name.startsWith(`${modelId}-`)) continue;
        if (longest === undefined || modelId.length > longest.length) longest = modelId;
      }
    }
    if (longest === undefined) return undefined;
    const suffix = name.slice(longest.length + 1);
    if (!suffix.split('-').every((segment) => SNAPSHOT_SEGMENT.test(segment))) return undefined;
    return this.exact(longest);
  }

  /** The lookup layers, rebuilt only when the price layers were replaced (a refresh). */
  private layerList(): Layer[] {
    const from = this.layers();
    if (this.built?.from !== from) {
      this.built = { from, layers: buildLayers(from) };
      this.resolved.clear();
    }
    return this.built.layers;
  }
}

function buildLayers({ catalogue, globalOverrides, orgOverrides }: PriceLayers): Layer[] {
  return [
    overrideLayer('override', orgOverrides),
    overrideLayer('global-override', globalOverrides),
    {
      source: 'catalogue',
      find: (key) => catalogue.models.get(key),
      keys: () => [...catalogue.models.keys()],
    },
  ];
}

function overrideLayer(source: PriceSource, overrides: PriceOverrides | undefined): Layer {
  const prices = new Map(
    Object.entries(overrides ?? {}).map(([id, price]) => [
      id.trim().toLowerCase(),
      overrideToModelPrice(price),
    ]),
  );
  return { source, find: (key) => prices.get(key), keys: () => [...prices.keys()] };
}

function stripProviderPrefixes(name: string): string {
  const prefix = PROVIDER_PREFIXES.find((candidate) => name.startsWith(candidate));
  return prefix ? stripProviderPrefixes(name.slice(prefix.length)) : name;
}
