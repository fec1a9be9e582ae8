import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { issueApiKey } from '../auth/issue-api-key';
import { ApiError } from '../http/errors';
import { invalidField, orgAdminOnly, orgIdOf } from './admin-access';
import {
  audit,
  found,
  idField,
  nameField,
  presentApiKey,
  rateLimitsField,
  scopesField,
} from './admin-tenants-present';

const newKeySchema = z.strictObject({
  name: nameField,
  scopes: scopesField,
  project_id: idField.nullable().optional(),
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
  rate_limits: rateLimitsField.optional(),
});

const idParams = z.strictObject({ id: idField });

/**
 * API keys of the organization (`/api/v1/admin/keys`). A new key's secret is
 * in the creation answer only; the store keeps its hash and visible prefix.
 * Revoking (DELETE) takes effect on the next request of every server process.
 */
export async function adminKeysRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = orgAdminOnly(app);
  const { meta } = app.stores;

  app.get('/api/v1/admin/keys', { preValidation }, async (request) => {
    const keys = await meta.listApiKeys(orgIdOf(request));
    return { keys: keys.map(presentApiKey) };
  });

  app.get(
    '/api/v1/admin/keys/:id',
    { preValidation, schema: { params: idParams } },
    async (request) => {
      const { id } = request.params;
      return presentApiKey(found(await meta.getApiKey(orgIdOf(request), id), `key ${id}`));
    },
  );

  app.post(
    '/api/v1/admin/keys',
    { preValidation, schema: { body: newKeySchema } },
    async (request, reply) => {
      const orgId = orgIdOf(request);
      const body = request.body;
      const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
      if (expiresAt && expiresAt.getTime() <= Date.now()) {
        throw invalidField('expires_at', 'must be in the future');
      }
      const projectId = body.project_id ?? null;
      if (projectId) {
        const project = await meta.getProject(projectId);
        if (!project || project.orgId !== orgId) {
          throw new ApiError('not_found', `project ${projectId} not found`, {
            field: 'project_id',
          });
        }
      }
      const { key, secret } = await issueApiKey(meta, {
        orgId,
        projectId,
        name: body.name,
        scopes: body.scopes,
        expiresAt,
        rateLimits: body.rate_limits,
      });
      await audit(app, request, {
        orgId,
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: key.id,
        before: null,
        after: presentApiKey(key),
      });
      return reply.status(201).send({ ...presentApiKey(key), secret });
    },
  );

  app.delete(
    '/api/v1/admin/keys/:id',
    { preValidation, schema: { params: idParams } },
    async (request) => {
      const orgId = orgIdOf(request);
      const { id } = request.params;
      const before = found(await meta.getApiKey(orgId, id), `key ${id}`);
      await meta.revokeApiKey(orgId, id);
      // Before answering: the next request of every process already refuses the key.
      await app.invalidateVerifiedKeys();
      const after = found(await meta.getApiKey(orgId, id), `key ${id}`);
      if (before.revokedAt === null) {
        await audit(app, request, {
          orgId,
          action: 'api_key.revoked',
          targetType: 'api_key',
          targetId: id,
          before: presentApiKey(before),
          after: presentApiKey(after),
        });
      }
      return presentApiKey(after);
    },
  );
}
