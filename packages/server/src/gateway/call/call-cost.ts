import { calculateCost } from '@tollgate/core';
import type { CostResult, EventTenant, TokenUsage } from '@tollgate/core';

/** What, beyond the tokens, decides a call's price. */
export interface CallPriceContext {
  /** The service tier the provider says it served the call with (OpenAI's `service_tier`). */
  serviceTier?: string;
  /** An image's size (`1024x1024`) and quality (`hd`, `high` …): image models are priced per image by both. */
  imageSize?: string;
  imageQuality?: string;
}

/**
 * The exact cost of a gateway call with the org's prices. A usage the price
 * table cannot price (an unknown model, or counts the cost function refuses)
 * is unpriced, never $0 priced: the call itself never fails over its cost.
 */
export function costOfCall(
  model: string,
  usage: TokenUsage,
  tenant: EventTenant,
  context: CallPriceContext = {},
): CostResult {
  try {
    return calculateCost(model, usage, tenant.priceOverrides, context);
  } catch {
    return { costNanos: 0, priced: false };
  }
}
