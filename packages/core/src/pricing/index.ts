export {
  FEMTOS_PER_USD,
  SERVICE_TIERS,
  parsePriceCatalogue,
  type ModelPrice,
  type PriceCatalogue,
  type ServiceTier,
  type TierRates,
  type TokenRates,
} from './price-catalogue';
export { SHIPPED_CATALOGUE_CHECKED_AT, SHIPPED_PRICE_CATALOGUE } from './shipped-catalogue';
export {
  SIMULATED_MODEL_PREFIX,
  modelPriceSchema,
  overrideToModelPrice,
  priceOverridesSchema,
} from './price-overrides';
export type { PriceOverride, PriceOverrides } from './price-overrides';
export { PriceList } from './price-list';
export type { PriceLayers, PriceSource, ResolvedPrice } from './price-list';
export {
  NANOS_PER_USD,
  calculateCost,
  formatUsd,
  nanosToUsd,
  resolveModelPrice,
  usdPerMillionTokens,
  usdToNanos,
} from './cost';
export type { CostContext, CostResult, Prices, TokenUsage } from './cost';
export { parseScaledDecimal, scaledNumber } from './scaled-decimal';
export {
  applyRate,
  divideRounded,
  formatUsdNanos,
  parseDecimalRate,
  parseUsdNanos,
  roundToCents,
} from './money';
export type { DecimalRate } from './money';
