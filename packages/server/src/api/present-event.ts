import { nanosToUsd, parseEventTime, type EventRow } from '@tollgate/core';
import type { EventResponse } from '@tollgate/core/api';
import type { z } from 'zod';

function parseMetadata(text: string): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

type CacheStatus = 'hit' | 'miss' | 'bypass';
const CACHE_STATUSES = new Set<unknown>(['hit', 'miss', 'bypass'] satisfies CacheStatus[]);

/**
 * What the gateway's response cache did for a call: `hit`, `miss` (asked, not
 * found) or `bypass` (not asked: the route caches nothing, or the client said
 * no-cache), as the gateway recorded it; null for an event that did not pass
 * the gateway's cache (reported by an app, or recorded before it was noted).
 */
function cacheStatusOf(row: EventRow, metadata: unknown): CacheStatus | null {
  if (row.cache_hit) return 'hit';
  const noted =
    typeof metadata === 'object' && metadata !== null
      ? (metadata as Record<string, unknown>).cache_status
      : undefined;
  return CACHE_STATUSES.has(noted) ? (noted as CacheStatus) : null;
}

/**
 * An event as the API shows it: ISO time, metadata as JSON, cost in USD beside
 * the exact nanos. An unpriced call's cost is `null` (unknown), never 0.
 */
export function presentEvent(row: EventRow): z.output<typeof EventResponse> {
  const unpriced = Boolean(row.cost_unpriced);
  const metadata = parseMetadata(row.metadata);
  return {
    ...row,
    ts: new Date(parseEventTime(row.ts)).toISOString(),
    metadata,
    cache_status: cacheStatusOf(row, metadata),
    cost_usd: unpriced ? null : nanosToUsd(Number(row.cost_nanos)),
    cost_nanos: unpriced ? null : Number(row.cost_nanos),
    cache_hit: Boolean(row.cache_hit),
    simulated: Boolean(row.simulated),
    cost_unpriced: Boolean(row.cost_unpriced),
  };
}
