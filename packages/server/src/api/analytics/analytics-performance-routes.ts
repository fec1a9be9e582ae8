import { LATENCY_GROUPS } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CALL_EVENT_TYPES,
  parseAnalyticsRequest,
  rangeOf,
  analyticsQuery,
} from './analytics-parameters';

const performanceExtra = z.object({ groupBy: z.enum(LATENCY_GROUPS).default('none') });
const performanceQuery = analyticsQuery(performanceExtra);

/**
 * `GET /api/v1/analytics/performance?groupBy=`: latency p50/p95/p99 and
 * sample counts per service, method, model, provider or (AI fallbacks)
 * decision, with time to first token of streamed calls. Quantiles are
 * t-digest estimates merged from the rollups' states.
 */
export async function analyticsPerformanceRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/analytics/performance',
    { preValidation: app.requireScope('read'), schema: { querystring: performanceQuery } },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(
        app,
        request,
        performanceExtra,
        CALL_EVENT_TYPES,
      );
      const rows = await app.stores.events.analytics.latency(scope, {
        ...query,
        groupBy: extra.groupBy,
      });
      return { ...rangeOf(query), group_by: extra.groupBy, rows };
    },
  );
}
