import { nanosToUsd, SUMMARY_GROUPS } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readScope } from '../auth/auth-plugin';
import { parseTimeRange } from '../http/time-range';

const summaryQuerySchema = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  groupBy: z.enum(SUMMARY_GROUPS).default('none'),
  project_id: z.string().max(128).optional(),
});

export async function metricsSummaryRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/metrics/summary',
    { preValidation: app.requireScope('read'), schema: { querystring: summaryQuerySchema } },
    async (request) => {
      const query = request.query;
      const scope = await readScope(request, app.stores.meta, query.project_id);
      const range = parseTimeRange(query);
      const rows = await app.stores.events.summary(scope, { ...range, groupBy: query.groupBy });
      return {
        from: new Date(range.from).toISOString(),
        to: new Date(range.to).toISOString(),
        group_by: query.groupBy,
        rows: rows.map((row) => ({ ...row, cost_usd: nanosToUsd(row.cost_nanos) })),
      };
    },
  );
}
