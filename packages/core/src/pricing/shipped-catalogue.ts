import { parsePriceCatalogue, type PriceCatalogue } from './price-catalogue';
import shippedPrices from './catalogue/model-prices.json';

/**
 * The date the shipped figures were last checked against the providers'
 * public price lists (through LiteLLM's `model_prices_and_context_window.json`
 * and the providers' pricing pages), not the date any price took effect.
 */
export const SHIPPED_CATALOGUE_CHECKED_AT = '2026-12-07';

/**
 * The catalogue shipped with Tollgate: OpenAI, Anthropic and Google chat,
 * reasoning, embedding, image and video models, in LiteLLM's format (the same
 * parser reads a newer list loaded at runtime). Models missing here are
 * unpriced, never guessed; an operator adds them by override or refresh.
 */
export const SHIPPED_PRICE_CATALOGUE: PriceCatalogue = parsePriceCatalogue(shippedPrices, {
  checkedAt: SHIPPED_CATALOGUE_CHECKED_AT,
  source: 'shipped',
});
