import {
  OutboundRefusedError,
  REFUSED_MESSAGE,
  type OutboundPolicy,
} from '../outbound/outbound-policy';
import { invalidField } from './admin-access';

/**
 * A URL an org stores (a deployment's base URL, a webhook) checked against the
 * outbound policy when it is written, so a refusal is a clear 400 naming the
 * field rather than a failure at call time. Resolved addresses are checked
 * again at connect time.
 */
export async function checkOutboundUrl(
  policy: OutboundPolicy,
  orgId: string,
  url: string | null | undefined,
  field: string,
): Promise<void> {
  if (!url) return;
  try {
    policy.checkUrl(url, await policy.trustOf(orgId));
  } catch (error) {
    if (!(error instanceof OutboundRefusedError)) throw error;
    throw invalidField(
      field,
      `${REFUSED_MESSAGE}: ${error.reason} (the operator may allow it with TOLLGATE_OUTBOUND_ALLOW)`,
    );
  }
}
