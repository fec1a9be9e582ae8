import type { AnalyticsQuery, TenantScope } from '@tollgate/core';
import { assertLimit, rawEvents } from './analytics-filters';
import type { Statement } from './event-queries';

export const MAX_UNPRICED_MODELS = 100;

export interface UnpricedModelResultRow {
  model: string;
  provider: string;
  calls: number;
  last_seen: string;
}

/**
 * The models of the calls recorded without a price, most calls first: what
 * the dashboard lists as "unpriced", with a way to add each one's price.
 */
export function unpricedModelsStatement(
  scope: TenantScope,
  query: AnalyticsQuery & { limit: number },
): Statement {
  assertLimit(query.limit, MAX_UNPRICED_MODELS);
  const conditions = rawEvents(scope, query, query.filters).add('cost_unpriced = 1');
  return {
    sql: `SELECT
    model,
    any(provider) AS provider,
    toUInt32(count()) AS calls,
    toString(max(ts)) AS last_seen
FROM events
WHERE ${conditions.sql}
GROUP BY model
ORDER BY calls DESC, model
LIMIT {limit:UInt32}`,
    parameters: { ...conditions.parameters, limit: query.limit },
  };
}
