import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { orgAdminOnly, orgIdOf } from './admin-access';
import { presentAuditEntry } from './admin-tenants-present';

const auditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  before: z.iso.datetime({ offset: true }).optional(),
});

/** `GET /api/v1/admin/audit`: the org's admin changes (and those its admins made), newest first. */
export async function auditRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/admin/audit',
    { preValidation: orgAdminOnly(app), schema: { querystring: auditQuerySchema } },
    async (request) => {
      const entries = await app.stores.meta.listAuditEntries(orgIdOf(request), {
        limit: request.query.limit,
        before: request.query.before ? new Date(request.query.before) : undefined,
      });
      return { entries: entries.map(presentAuditEntry) };
    },
  );
}
