import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseQuery } from '../http/parse-query';
import { orgAdminOnly, orgIdOf } from './admin-access';
import { presentAuditEntry } from './admin-tenants-present';

const auditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  before: z.iso.datetime({ offset: true }).optional(),
});

/** `GET /api/v1/admin/audit`: the org's admin changes (and those its admins made), newest first. */
export async function auditRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/admin/audit', { preHandler: orgAdminOnly(app) }, async (request) => {
    const query = parseQuery(auditQuerySchema, request.query);
    const entries = await app.stores.meta.listAuditEntries(orgIdOf(request), {
      limit: query.limit,
      before: query.before ? new Date(query.before) : undefined,
    });
    return { entries: entries.map(presentAuditEntry) };
  });
}
