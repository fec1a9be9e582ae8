import { ChargebackResponse } from '@tollgate/core/api';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readScope } from '../../auth/auth-plugin';
import { parseTimeRange } from '../../http/time-range';
import {
  buildChargebackReport,
  chargebackCsv,
  chargebackJson,
  chargebackRateOf,
} from '../../reports/chargeback-report';

const chargebackQuerySchema = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  rate: z
    .string()
    .regex(/^\d{1,6}(\.\d{1,6})?$/, 'must be a decimal such as 1.2 (up to 6 decimals)')
    .optional(),
  format: z.enum(['json', 'csv']).optional(),
  project_id: z.string().max(128).optional(),
});

/**
 * `GET /api/v1/analytics/chargeback?from&to[&rate][&format=csv]`: the
 * chargeback report of the caller's org for the period (an org key; with
 * `project_id`, one project), or of its project for a project key, which
 * must not see the rest of the org. JSON, or CSV with `format=csv` or
 * `Accept: text/csv`. The rate: `rate` when given, else the org's own
 * chargeback rate, else 1.2.
 * Orgs have no rate column yet: `rate` (default 1.2) applies.
 */
export async function chargebackRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/analytics/chargeback',
    {
      preValidation: app.requireScope('read'),
      // The JSON answer; a CSV one (`format=csv`) is text, written as it is.
      schema: { querystring: chargebackQuerySchema, response: { 200: ChargebackResponse } },
    },
    async (request, reply) => {
      const query = request.query;
      const scope = await readScope(request, app.stores.meta, query.project_id);
      const range = parseTimeRange(query);
      const organization = await app.stores.meta.getOrganization(scope.orgId);
      const rate = chargebackRateOf(query.rate, organization);
      const report = await buildChargebackReport(app.stores.events, [{ scope, rate }], range);
      const accept = request.headers.accept ?? '';
      const csv =
        query.format === 'csv' || (query.format === undefined && accept.includes('text/csv'));
      if (!csv) {
        // Names beside the ids, for people reading the report.
        const project = scope.projectId ? await app.stores.meta.getProject(scope.projectId) : null;
        const json = chargebackJson(report);
        return {
          ...json,
          orgs: json.orgs.map((org) => ({
            ...org,
            org_name: organization?.name ?? null,
            project_name: project?.name ?? null,
          })),
        };
      }
      // Text, not the JSON answer its schema types `send` for: Fastify writes a string with a
      // non-JSON content type as it is, past the serializer.
      return (reply as unknown as FastifyReply)
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="chargeback.csv"')
        .send(chargebackCsv(report));
    },
  );
}
