import type { PriceOverride } from '@tollgate/core';

/**
 * What budgets and `x-tollgate-max-cost-usd` do with a call whose model has no
 * known price (`TOLLGATE_UNPRICED_POLICY`): `refuse` it (the default), `allow`
 * it uncounted, or estimate it at a default price (`input/output`, USD per
 * million tokens). Only the pre-call check uses the default price: the
 * recorded event stays unpriced, never an invented figure.
 */
export type UnpricedPolicy =
  { kind: 'refuse' } | { kind: 'allow' } | { kind: 'price'; price: PriceOverride };

export const UNPRICED_POLICY_PATTERN = /^(refuse|allow|\d{1,6}(\.\d{1,9})?\/\d{1,6}(\.\d{1,9})?)$/;

/** Parses a value already matched by `UNPRICED_POLICY_PATTERN`. */
export function parseUnpricedPolicy(text: string): UnpricedPolicy {
  if (text === 'refuse' || text === 'allow') return { kind: text };
  const [input, output] = text.split('/').map(Number) as [number, number];
  return { kind: 'price', price: { input, output } };
}

/** The policy as text, for error details and the pricing API. */
export function describeUnpricedPolicy(policy: UnpricedPolicy): string {
  return policy.kind === 'price' ? `${policy.price.input}/${policy.price.output}` : policy.kind;
}
