import { readFile } from 'node:fs/promises';
import {
  PriceList,
  SHIPPED_PRICE_CATALOGUE,
  parsePriceCatalogue,
  type MetaStore,
  type PriceCatalogue,
  type PriceLayers,
  type PriceOverrides,
} from '@tollgate/core';

/**
 * Global prices are stored in the operator organization's `price_overrides`
 * under keys with this prefix (`global:gpt-4o`), apart from the operator org's
 * own prices: no other org's record holds them, and no model id starts so.
 */
export const GLOBAL_PRICE_PREFIX = 'global:';

/** The global prices kept in an operator org's overrides, keyed by model. */
export function globalPricesOf(stored: PriceOverrides | null | undefined): PriceOverrides {
  return Object.fromEntries(
    Object.entries(stored ?? {})
      .filter(([key]) => key.startsWith(GLOBAL_PRICE_PREFIX))
      .map(([key, price]) => [key.slice(GLOBAL_PRICE_PREFIX.length), price]),
  );
}

/** An org's own prices, without the global ones an operator org's record also holds. */
export function ownPricesOf(stored: PriceOverrides | null | undefined): PriceOverrides {
  return Object.fromEntries(
    Object.entries(stored ?? {}).filter(([key]) => !key.startsWith(GLOBAL_PRICE_PREFIX)),
  );
}

/** How long the operator's global overrides are reused before the meta store is asked again. */
const GLOBAL_OVERRIDES_MAX_AGE_MS = 30_000;
const CATALOGUE_FETCH_TIMEOUT_MS = 30_000;
const CATALOGUE_MAX_BYTES = 50 * 1024 * 1024;

/** A catalogue that could not be loaded: the message says from where and why. */
export class CatalogueLoadError extends Error {
  override name = 'CatalogueLoadError';
}

export interface PricingServiceOptions {
  meta: MetaStore;
  clock?: () => number;
}

/**
 * The prices of the running server: the catalogue (shipped, or a newer one
 * loaded from a file or URL in LiteLLM's format), the operator's global
 * overrides (the operator organization's `price_overrides`) and, per org, the
 * org's own. Handed to every path through `forOrganization`, so the gateway,
 * the ingestion API, the SDK and OTLP price alike.
 */
export class PricingService {
  private layers: PriceLayers = { catalogue: SHIPPED_PRICE_CATALOGUE, globalOverrides: {} };
  private globalLoadedAt = Number.NEGATIVE_INFINITY;
  private readonly clock: () => number;

  constructor(private readonly options: PricingServiceOptions) {
    this.clock = options.clock ?? Date.now;
  }

  get catalogue(): PriceCatalogue {
    return this.layers.catalogue;
  }

  get globalOverrides(): PriceOverrides {
    return this.layers.globalOverrides ?? {};
  }

  /** The price list of an org: its overrides over the global ones over the current catalogue. */
  forOrganization(orgOverrides?: PriceOverrides | null): PriceList {
    const own = ownPricesOf(orgOverrides);
    let from: PriceLayers | undefined;
    let built: PriceLayers | undefined;
    return new PriceList(() => {
      // Same object while nothing changed, so the list's lookup tables are built once.
      if (from !== this.layers) {
        from = this.layers;
        built = { ...this.layers, orgOverrides: own };
      }
      return built!;
    });
  }

  /** Reads the global overrides again when they are older than 30 s (other replicas may have changed them). */
  async refreshGlobalOverrides(force = false): Promise<void> {
    if (!force && this.clock() - this.globalLoadedAt < GLOBAL_OVERRIDES_MAX_AGE_MS) return;
    this.globalLoadedAt = this.clock();
    const organizations = await this.options.meta.listOrganizations();
    const operator = organizations.find((organization) => organization.operator);
    this.setGlobalOverrides(globalPricesOf(operator?.priceOverrides));
  }

  /** Another process changed an org: read the global overrides again on the next request. */
  markGlobalOverridesStale(): void {
    this.globalLoadedAt = Number.NEGATIVE_INFINITY;
  }

  setGlobalOverrides(overrides: PriceOverrides): void {
    this.layers = { ...this.layers, globalOverrides: overrides };
    this.globalLoadedAt = this.clock();
  }

  /** Replaces the catalogue by one in LiteLLM's format read from a file path or an http(s) URL. */
  async loadCatalogue(source: string): Promise<PriceCatalogue> {
    const text = /^https?:\/\//i.test(source)
      ? await fetchCatalogue(source)
      : await readFile(source, 'utf8').catch((error: Error) => {
          throw new CatalogueLoadError(
            `cannot read the price catalogue ${source}: ${error.message}`,
          );
        });
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new CatalogueLoadError(
        `the price catalogue ${source} is not JSON: ${(error as Error).message}`,
      );
    }
    let catalogue: PriceCatalogue;
    try {
      catalogue = parsePriceCatalogue(document, {
        checkedAt: new Date(this.clock()).toISOString(),
        source,
      });
    } catch (error) {
      throw new CatalogueLoadError(`${source}: ${(error as Error).message}`);
    }
    if (catalogue.models.size === 0) {
      throw new CatalogueLoadError(`the price catalogue ${source} prices no model`);
    }
    this.layers = { ...this.layers, catalogue };
    return catalogue;
  }

  /** Back to the catalogue shipped with this release. */
  useShippedCatalogue(): PriceCatalogue {
    this.layers = { ...this.layers, catalogue: SHIPPED_PRICE_CATALOGUE };
    return SHIPPED_PRICE_CATALOGUE;
  }
}

async function fetchCatalogue(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'follow',
      signal: AbortSignal.timeout(CATALOGUE_FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new CatalogueLoadError(
      `cannot fetch the price catalogue ${url}: ${(error as Error).message}`,
    );
  }
  if (!response.ok) {
    throw new CatalogueLoadError(`fetching the price catalogue ${url} answered ${response.status}`);
  }
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > CATALOGUE_MAX_BYTES) {
    throw new CatalogueLoadError(`the price catalogue ${url} is larger than 50 MB`);
  }
  const text = await response.text();
  if (text.length > CATALOGUE_MAX_BYTES) {
    throw new CatalogueLoadError(`the price catalogue ${url} is larger than 50 MB`);
  }
  return text;
}
