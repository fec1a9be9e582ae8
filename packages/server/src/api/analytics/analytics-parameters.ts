import {
  EVENT_TYPES,
  formatUsdNanos,
  OPERATION_KINDS,
  type AnalyticsFilters,
  type AnalyticsQuery,
  type TenantScope,
} from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { readScope } from '../../auth/auth-plugin';
import { parseTimeRange } from '../../http/time-range';

/**
 * The query parameters every analytics endpoint shares: the time range
 * (`from`, `to`; a day back from now by default, at most 400 days), an org
 * key's optional `project_id`, and equality filters. `event_type` is a
 * comma-separated list of event types; each endpoint has its own default.
 */
const label = z.string().min(1).max(256);

const eventTypeList = z
  .string()
  .max(512)
  .transform((text) => text.split(',').map((type) => type.trim()))
  .pipe(z.array(z.enum(EVENT_TYPES)).min(1));

export const analyticsQuerySchema = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  project_id: z.string().max(128).optional(),
  event_type: eventTypeList.optional(),
  service: label.optional(),
  method: label.optional(),
  model: label.optional(),
  provider: label.optional(),
  operation: z.enum(OPERATION_KINDS).optional(),
});

/** Positive integer query parameter with a default and a maximum. */
export const boundedInteger = (fallback: number, max: number, min = 1) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** Model calls: what cost is about (an `ai_fallback` event repeats the cost of its calls). */
export const COST_EVENT_TYPES = ['prompt_call'] as const;
/** Calls whose latency and outcome matter. */
export const CALL_EVENT_TYPES = ['prompt_call', 'tool_call', 'ai_fallback'] as const;

export interface ParsedAnalyticsRequest<Extra> {
  scope: TenantScope;
  query: AnalyticsQuery;
  extra: Extra;
}

/** An analytics route's query schema: the shared parameters and the route's own (`extra`). */
export function analyticsQuery<Extra extends z.ZodObject>(extra: Extra) {
  return analyticsQuerySchema.extend(extra.shape);
}

/**
 * The shared and the endpoint's own parameters of a request its route validated with
 * `analyticsQuery(extraSchema)` (the route's `schema.querystring`), and the caller's tenant.
 */
export async function parseAnalyticsRequest<Schema extends z.ZodObject>(
  app: FastifyInstance,
  request: FastifyRequest,
  extraSchema: Schema,
  defaultEventTypes: readonly string[],
): Promise<ParsedAnalyticsRequest<z.output<Schema>>> {
  if (!request.routeOptions.schema?.querystring) {
    // A programming error, not the caller's: the query would reach the store unvalidated.
    throw new Error(`${request.routeOptions.url} declares no query schema`);
  }
  const parsed = request.query as z.output<typeof analyticsQuerySchema>;
  // The endpoint's own parameters only: a handler spreads them beside the shared ones.
  const extra = Object.fromEntries(
    Object.keys(extraSchema.shape).map((key) => [key, (parsed as Record<string, unknown>)[key]]),
  ) as z.output<Schema>;
  const scope = await readScope(request, app.stores.meta, parsed.project_id);
  const range = parseTimeRange(parsed);
  const filters: AnalyticsFilters = {
    eventTypes: parsed.event_type ?? defaultEventTypes,
    service: parsed.service,
    method: parsed.method,
    model: parsed.model,
    provider: parsed.provider,
    operation: parsed.operation,
  };
  return { scope, query: { ...range, filters }, extra };
}

/** Money as the API shows it: exact nanos as a string, and USD as an exact decimal string. */
export function money<Prefix extends string = 'cost'>(
  nanos: bigint,
  prefix: Prefix = 'cost' as Prefix,
): { [Key in `${Prefix}_nanos` | `${Prefix}_usd`]: string } {
  return {
    [`${prefix}_nanos`]: nanos.toString(),
    [`${prefix}_usd`]: formatUsdNanos(nanos),
  } as { [Key in `${Prefix}_nanos` | `${Prefix}_usd`]: string };
}

/** The range echoed back, so a client sees the defaults applied. */
export function rangeOf(query: { from: number; to: number }) {
  return { from: new Date(query.from).toISOString(), to: new Date(query.to).toISOString() };
}

/** `numerator / denominator` rounded to 4 decimals; null when there is nothing to divide. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000;
}
