import { calculateCost, tokenUsageOf } from '@tollgate/core';
import type { CostResult, EventTenant, OpenAIUsage } from '@tollgate/core';

/** What, beyond the tokens, decides a call's price. */
export interface CallPriceContext {
  /** The service tier the provider says it served the call with (OpenAI's `service_tier`). */
  serviceTier?: string;
}

/**
 * The exact cost of a gateway call with the org's prices. A usage the price
 * table cannot price (an unknown model, or counts the cost function refuses)
 * is unpriced, never $0 priced: the call itself never fails over its cost.
 */
export function costOfCall(
  model: string,
  usage: OpenAIUsage,
  tenant: EventTenant,
  context: CallPriceContext = {},
): CostResult {
  // The tier is recorded on the event; calculateCost prices it once the catalogue has service tiers.
  void context;
  try {
    return calculateCost(model, tokenUsageOf(usage), tenant.priceOverrides);
  } catch {
    return { costNanos: 0, priced: false };
  }
}
