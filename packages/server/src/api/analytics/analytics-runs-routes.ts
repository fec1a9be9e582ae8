import { RunsResponse } from '@tollgate/core/api';
import { searchableText } from '../text-search';
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

const runsExtra = z.object({
  limit: boundedInteger(100, 1000),
  user_id: z.string().min(1).max(256).optional(),
  session_id: z.string().min(1).max(256).optional(),
  name: z.string().min(1).max(256).optional(),
  q: z.string().trim().min(1).max(200).optional(),
});
const runsQuery = analyticsQuery(runsExtra);

/**
 * `GET /api/v1/analytics/runs`: runs with events in the range, newest first,
 * with their totals: events, agent steps, tool calls, model calls, errors,
 * cost (of model calls), start, end and duration, and a status (`error`
 * when any event failed). `user_id`, `session_id`, `name` (an event's name)
 * and `q` (free text in names, prompts, responses and errors) keep the runs
 * with an event that matches. One run's tree is `GET /api/v1/runs/:runId`.
 */
export async function analyticsRunsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/analytics/runs',
    {
      preValidation: app.requireScope('read'),
      schema: { querystring: runsQuery, response: { 200: RunsResponse } },
    },
    async (request) => {
      const { scope, query, extra } = await parseAnalyticsRequest(app, request, runsExtra, []);
      const runs = await app.stores.events.analytics.runs(scope, {
        from: query.from,
        to: query.to,
        limit: extra.limit,
        userId: extra.user_id,
        sessionId: extra.session_id,
        name: extra.name,
        text: await searchableText(app.stores.meta, scope, extra.q),
      });
      return {
        ...rangeOf(query),
        runs: runs.map(({ cost_nanos, ...run }) => ({
          ...run,
          status: run.errors > 0 ? ('error' as const) : ('success' as const),
          ...money(cost_nanos),
        })),
      };
    },
  );
}
