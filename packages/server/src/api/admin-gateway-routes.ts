import type { GatewayRouteRecord } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { routeConfigSchema } from '../gateway/routing/route-config';
import { ApiError } from '../http/errors';
import { orgAdminOnly, orgIdOf } from './admin-access';
import { parseAdminRouteConfig } from './admin-route-config';
import { checkOutboundUrl } from './outbound-field';
import { audit } from './admin-tenants-present';

const modelSchema = z.string().min(1).max(256);
/**
 * A route as the routes file writes it; `model` may be left out (the path names it). The
 * handler checks it against the path and what only an org route must not do
 * (`parseAdminRouteConfig`).
 */
const routeBodySchema = routeConfigSchema.extend({ model: modelSchema.optional() });

const modelParams = z.strictObject({ model: modelSchema });

function presentRoute(record: GatewayRouteRecord) {
  return { model: record.model, config: record.config, updated_at: record.updatedAt.toISOString() };
}

/**
 * The organization's own gateway routes (`/api/v1/admin/routes`): model name →
 * deployments. They take precedence over the routes file for this org. A
 * model name holding `/` is sent URL-encoded (`team%2Fchat`).
 */
export async function adminGatewayRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = orgAdminOnly(app);
  const { meta } = app.stores;

  app.get('/api/v1/admin/routes', { preValidation }, async (request) => {
    const records = await meta.listGatewayRoutes(orgIdOf(request));
    return { routes: records.map(presentRoute) };
  });

  app.get(
    '/api/v1/admin/routes/:model',
    { preValidation, schema: { params: modelParams } },
    async (request) => {
      const model = request.params.model;
      const records = await meta.listGatewayRoutes(orgIdOf(request));
      const record = records.find((each) => each.model === model);
      if (!record) throw new ApiError('not_found', `no route for model ${model}`);
      return presentRoute(record);
    },
  );

  app.put(
    '/api/v1/admin/routes/:model',
    { preValidation, schema: { params: modelParams, body: routeBodySchema } },
    async (request) => {
      const orgId = orgIdOf(request);
      const model = request.params.model;
      const credentials = await meta.listProviderCredentials(orgId);
      const config = parseAdminRouteConfig(
        request.body,
        model,
        new Set(credentials.map((credential) => credential.name)),
      );
      for (const [index, deployment] of config.deployments.entries()) {
        await checkOutboundUrl(
          app.outbound,
          orgId,
          deployment.baseUrl,
          `deployments.${index}.baseUrl`,
        );
      }
      const before = (await meta.listGatewayRoutes(orgId)).find((each) => each.model === model);
      const record = await meta.putGatewayRoute(orgId, model, config);
      app.gateway.routeTable.invalidate(orgId);
      const presented = presentRoute(record);
      await audit(app, request, {
        orgId,
        action: before ? 'gateway_route.updated' : 'gateway_route.created',
        targetType: 'gateway_route',
        targetId: model,
        before: before ? presentRoute(before) : null,
        after: presented,
      });
      return presented;
    },
  );

  app.delete(
    '/api/v1/admin/routes/:model',
    { preValidation, schema: { params: modelParams } },
    async (request, reply) => {
      const orgId = orgIdOf(request);
      const model = request.params.model;
      const before = (await meta.listGatewayRoutes(orgId)).find((each) => each.model === model);
      if (!before || !(await meta.deleteGatewayRoute(orgId, model))) {
        throw new ApiError('not_found', `no route for model ${model}`);
      }
      app.gateway.routeTable.invalidate(orgId);
      await audit(app, request, {
        orgId,
        action: 'gateway_route.deleted',
        targetType: 'gateway_route',
        targetId: model,
        before: presentRoute(before),
        after: null,
      });
      return reply.status(204).send();
    },
  );
}
