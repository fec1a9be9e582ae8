import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  boundedInteger,
  money,
  parseAnalyticsRequest,
  rangeOf,
  analyticsQuery,
} from './analytics-parameters';

const runsExtra = z.object({ limit: boundedInteger(100, 1000) });
const runsQuery = analyticsQuery(runsExtra);

/**
 * `GET /api/v1/analytics/runs`: runs with events in the range, newest first,
 * with their totals: events, agent steps, tool calls, model calls, errors,
 * cost (of model calls), start, end and duration, and a status (`error`
 * when any event failed). One run's tree is `GET /api/v1/runs/:runId`.
 */
export async function analyticsRunsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/analytics/runs',
    { preValidation: app.requireScope('read'), schema: { querystring: runsQuery } },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(app, request, runsExtra, []);
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
    },
  );
}
