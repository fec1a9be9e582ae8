import type { RetentionRun } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { orgAdminOnly, orgIdOf } from './admin-access';

const runsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

function presentRun(run: RetentionRun) {
  return {
    id: run.id,
    run_id: run.runId,
    retention_days: run.retentionDays,
    cutoff: run.cutoff.toISOString(),
    deleted: run.deleted,
    created_at: run.createdAt.toISOString(),
  };
}

/** `GET /api/v1/admin/retention/runs`: what each retention run deleted of the org's data, newest first. */
export async function adminRetentionRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/admin/retention/runs',
    { preValidation: orgAdminOnly(app), schema: { querystring: runsQuerySchema } },
    async (request) => {
      const query = request.query;
      const runs = await app.stores.meta.listRetentionRuns(orgIdOf(request), query.limit);
      return { runs: runs.map(presentRun) };
    },
  );
}
