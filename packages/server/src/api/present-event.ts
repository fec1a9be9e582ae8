import { nanosToUsd, parseEventTime, type EventRow } from '@tollgate/core';

function parseMetadata(text: string): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * An event as the API shows it: ISO time, metadata as JSON, cost in USD beside
 * the exact nanos. An unpriced call's cost is `null` (unknown), never 0.
 */
export function presentEvent(row: EventRow): Record<string, unknown> {
  const unpriced = Boolean(row.cost_unpriced);
  return {
    ...row,
    ts: new Date(parseEventTime(row.ts)).toISOString(),
    metadata: parseMetadata(row.metadata),
    cost_usd: unpriced ? null : nanosToUsd(Number(row.cost_nanos)),
    cost_nanos: unpriced ? null : Number(row.cost_nanos),
    cache_hit: Boolean(row.cache_hit),
    simulated: Boolean(row.simulated),
    cost_unpriced: Boolean(row.cost_unpriced),
  };
}
