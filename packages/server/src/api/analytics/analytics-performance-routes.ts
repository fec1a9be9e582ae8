import { LATENCY_GROUPS } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CALL_EVENT_TYPES, parseAnalyticsRequest, rangeOf } from './analytics-parameters';

/**
 * `GET /api/v1/analytics/performance?groupBy=`: latency p50/p95/p99 and
 * sample counts per service, method, model, provider or (AI fallbacks)
 * decision, with time to first token of streamed calls. Quantiles are
 * t-digest estimates merged from the rollups' states.
 */
export async function analyticsPerformanceRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/v1/analytics/performance',
    { preHandler: app.requireScope('read') },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(
        app,
        request,
        z.object({ groupBy: z.enum(LATENCY_GROUPS).default('none') }),
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
