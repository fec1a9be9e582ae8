import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../http/errors';
import { parseTimeRange } from '../http/time-range';
import {
  chargebackCsv,
  chargebackJson,
  OrganizationNotFoundError,
  organizationsChargeback,
} from '../reports/chargeback-report';
import { presentRetentionOutcome } from '../governance/retention/retention-job';
import { checkStores } from '../stores/check-stores';
import { orgAdminOnly, orgIdOf } from './admin-access';

const chargebackQuerySchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  org: z.string().max(128).optional(),
  rate: z
    .string()
    .regex(/^\d{1,6}(\.\d{1,6})?$/, 'must be a decimal such as 1.2 (up to 6 decimals)')
    .optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

/**
 * The operator's maintenance API: what the `tollgate` CLI asks a running
 * server for, since the embedded stores belong to one process at a time.
 * Only an admin key of the operator organization may call it.
 * - `GET /api/v1/admin/system/check`: the event store's tables, and whether
 *   the meta store and hot state answer (`tollgate check`).
 * - `POST /api/v1/admin/retention/run`: every org's retention applied now
 *   (`tollgate retention run`); 409 while another process runs it.
 * - `GET /api/v1/admin/reports/chargeback?from&to[&org][&rate][&format=csv]`:
 *   the chargeback report of one org or of every org (`tollgate report chargeback`).
 */
export async function adminOperatorRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const operatorOnly = async (request: FastifyRequest) => {
    const own = await app.stores.meta.getOrganization(orgIdOf(request));
    if (!own?.operator || request.caller?.keyOrgId !== undefined) {
      throw new ApiError(
        'forbidden',
        'only an admin key of the operator organization may call this endpoint',
      );
    }
  };
  const preValidation = [...orgAdminOnly(app), operatorOnly];

  app.get('/api/v1/admin/system/check', { preValidation }, async () => checkStores(app.stores));

  app.post('/api/v1/admin/retention/run', { preValidation }, async () => {
    const outcome = await app.policies.retention.run();
    if (!outcome.ran) {
      throw new ApiError('conflict', 'retention is already running in another process');
    }
    return presentRetentionOutcome(outcome);
  });

  app.get(
    '/api/v1/admin/reports/chargeback',
    { preValidation, schema: { querystring: chargebackQuerySchema } },
    async (request, reply) => {
      const query = request.query;
      const range = parseTimeRange(query);
      try {
        const report = await organizationsChargeback(app.stores, {
          range,
          orgId: query.org,
          rate: query.rate,
        });
        if (query.format === 'json') return chargebackJson(report);
        return reply.type('text/csv; charset=utf-8').send(chargebackCsv(report));
      } catch (error) {
        if (error instanceof OrganizationNotFoundError) {
          throw new ApiError('not_found', error.message, { field: 'org' });
        }
        throw error;
      }
    },
  );
}
