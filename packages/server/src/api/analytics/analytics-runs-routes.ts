import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { boundedInteger, money, parseAnalyticsRequest, rangeOf } from './analytics-parameters';

/**
 * `GET /api/v1/analytics/runs`: runs with events in the range, newest first,
 * with their totals: events, agent steps, tool calls, model calls, errors,
 * cost (of model calls), start, end and duration, and a status (`error`
 * when any event failed). One run's tree is `GET /api/v1/runs/:runId`.
 */
export async function analyticsRunsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/analytics/runs', { preHandler: app.requireScope('read') }, async (request) => {
    const { scope, query, extra } = await parseAnalyticsRequest(
      app,
      request,
      z.object({ limit: boundedInteger(100, 1000) }),
      [],
    );
    const runs = await app.stores.events.analytics.runs(scope, {
      from: query.from,
      to: query.to,
      limit: extra.limit,
    });
    return {
      ...rangeOf(query),
      runs: runs.map(({ cost_nanos, ...run }) => ({
        ...run,
        status: run.errors > 0 ? 'error' : 'success',
        ...money(cost_nanos),
      })),
    };
  });
}
