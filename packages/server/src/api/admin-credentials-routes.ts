import { CredentialsResponse } from '@tollgate/core/api';
import { PROVIDER_NAMES, type ProviderCredential } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { routeConfigSchema } from '../gateway/routing/route-config';
import { credentialAssociatedData } from '../secrets/secret-box';
import { ApiError } from '../http/errors';
import { orgAdminOnly, orgIdOf } from './admin-access';
import { audit } from './admin-tenants-present';

const nameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][\w.-]{0,127}$/,
    'must be 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

const credentialBodySchema = z.strictObject({
  provider: z.enum(PROVIDER_NAMES),
  apiKey: z.string().trim().min(1).max(16_384),
});

const nameParams = z.strictObject({ name: nameSchema });

/** Never the secret: it is stored encrypted and only the gateway decrypts it. */
function presentCredential(credential: ProviderCredential) {
  return {
    name: credential.name,
    provider: credential.provider,
    created_at: credential.createdAt.toISOString(),
  };
}

/**
 * Provider credentials of the organization (`/api/v1/admin/credentials`):
 * routes name them in `deployments[].credential`. The key is encrypted
 * (AES-256-GCM, bound to the org and name) before it is stored.
 */
export async function adminCredentialsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = orgAdminOnly(app);
  const { meta } = app.stores;

  const listSchema = { response: { 200: CredentialsResponse } };
  app.get('/api/v1/admin/credentials', { preValidation, schema: listSchema }, async (request) => {
    const credentials = await meta.listProviderCredentials(orgIdOf(request));
    return { credentials: credentials.map(presentCredential) };
  });

  app.put(
    '/api/v1/admin/credentials/:name',
    { preValidation, schema: { params: nameParams, body: credentialBodySchema } },
    async (request) => {
      const orgId = orgIdOf(request);
      const name = request.params.name;
      const { provider, apiKey } = request.body;
      const before = (await meta.listProviderCredentials(orgId)).find((each) => each.name === name);
      const credential = await meta.putProviderCredential({
        orgId,
        name,
        provider,
        ciphertext: app.gateway.secretBox.encrypt(apiKey, credentialAssociatedData(orgId, name)),
      });
      // Resolved routes hold decrypted keys: a replaced key must be used from the next call.
      app.gateway.routeTable.invalidate(orgId);
      // The audit log shows which credential changed, never its secret (not even encrypted).
      const presented = presentCredential(credential);
      await audit(app, request, {
        orgId,
        action: before ? 'provider_credential.replaced' : 'provider_credential.created',
        targetType: 'provider_credential',
        targetId: name,
        before: before ? presentCredential(before) : null,
        after: presented,
      });
      return presented;
    },
  );

  app.delete(
    '/api/v1/admin/credentials/:name',
    { preValidation, schema: { params: nameParams } },
    async (request, reply) => {
      const orgId = orgIdOf(request);
      const name = request.params.name;
      const usedBy = (await meta.listGatewayRoutes(orgId))
        .filter((record) => {
          const route = routeConfigSchema.safeParse(record.config);
          return (
            route.success &&
            route.data.deployments.some((deployment) => deployment.credential === name)
          );
        })
        .map((record) => record.model);
      if (usedBy.length > 0) {
        throw new ApiError(
          'conflict',
          `credential ${name} is used by the routes ${usedBy.join(', ')}; change or delete them first`,
          { routes: usedBy },
        );
      }
      const before = (await meta.listProviderCredentials(orgId)).find((each) => each.name === name);
      if (!before || !(await meta.deleteProviderCredential(orgId, name))) {
        throw new ApiError('not_found', `no credential named ${name}`);
      }
      app.gateway.routeTable.invalidate(orgId);
      await audit(app, request, {
        orgId,
        action: 'provider_credential.deleted',
        targetType: 'provider_credential',
        targetId: name,
        before: presentCredential(before),
        after: null,
      });
      return reply.status(204).send();
    },
  );
}
