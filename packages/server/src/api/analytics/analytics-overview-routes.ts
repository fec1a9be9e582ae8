import { OverviewResponse } from '@tollgate/core/api';
import { TIME_BUCKETS, type OverviewFigures } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  boundedInteger,
  COST_EVENT_TYPES,
  money,
  parseAnalyticsRequest,
  rangeOf,
  ratio,
  analyticsQuery,
} from './analytics-parameters';

const TWO_DAYS_MS = 2 * 86_400_000;

const overviewSchema = z.object({
  bucket: z.enum(TIME_BUCKETS).optional(),
  limit: boundedInteger(10, 100),
});

function present(figures: OverviewFigures) {
  const { cost_nanos, ...rest } = figures;
  return {
    ...rest,
    success_rate: ratio(figures.requests - figures.errors, figures.requests),
    ...money(cost_nanos),
  };
}

const overviewQuery = analyticsQuery(overviewSchema);

/**
 * `GET /api/v1/analytics/overview`: everything the dashboard's overview
 * shows, in one answer read by one query after another (concurrent reads
 * contend on the embedded engine): the totals, requests, errors, cost and
 * latency p50/p95/p99 per `bucket` (hour up to two days, else day, unless
 * given), the latency histogram and the `limit` most frequent error messages.
 * Model calls (`prompt_call`) unless `event_type` says otherwise.
 */
export async function analyticsOverviewRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/analytics/overview',
    {
      preValidation: app.requireScope('read'),
      schema: { querystring: overviewQuery, response: { 200: OverviewResponse } },
    },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(
        app,
        request,
        overviewSchema,
        COST_EVENT_TYPES,
      );
      const bucket = extra.bucket ?? (query.to - query.from <= TWO_DAYS_MS ? 'hour' : 'day');
      const overview = await app.stores.events.analytics.overview(scope, {
        ...query,
        bucket,
        errorLimit: extra.limit,
      });
      return {
        ...rangeOf(query),
        bucket,
        event_types: [...query.filters.eventTypes],
        totals: present(overview.totals),
        buckets: overview.buckets.map(({ bucket: start, ...figures }) => ({
          bucket: new Date(start).toISOString(),
          ...present(figures),
        })),
        latency_histogram: overview.histogram,
        top_errors: overview.topErrors,
      };
    },
  );
}
