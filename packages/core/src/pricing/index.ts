export {
  PRICE_PROVIDERS,
  PRICE_TABLE,
  PRICE_TABLE_CHECKED_AT,
  SIMULATED_MODEL_PREFIX,
  modelPriceSchema,
  priceOverridesSchema,
} from './price-table';
export type { ModelPrice, PriceOverrides, PriceProvider } from './price-table';
export { resolveModelPrice } from './resolve-model-price';
export type { ResolvedPrice } from './resolve-model-price';
export { NANOS_PER_USD, calculateCost, formatUsd, nanosToUsd, usdToNanos } from './cost';
export type { CostResult, TokenUsage } from './cost';
export {
  applyRate,
  divideRounded,
  formatUsdNanos,
  parseDecimalRate,
  parseUsdNanos,
  roundToCents,
} from './money';
export type { DecimalRate } from './money';
