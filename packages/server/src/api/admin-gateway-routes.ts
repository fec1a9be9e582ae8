import type { GatewayRouteRecord } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { routeConfigSchema, type RouteConfig } from '../gateway/routing/route-config';
import { deploymentIdOf } from '../gateway/routing/route-table';
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
 * A routes-file route as a tenant may see it: what serves the model and how it
 * is tried, never where it goes or with what (base URL, headers, key variable
 * and options are the operator's).
 */
function presentFileRoute(route: RouteConfig, overridden: boolean) {
  return {
    model: route.model,
    overridden,
    config: {
      deployments: route.deployments.map((deployment) => ({
        id: deploymentIdOf(deployment),
        provider: deployment.provider,
        model: deployment.model,
        priority: deployment.priority,
        weight: deployment.weight,
        timeoutMs: deployment.timeoutMs,
        maxRetries: deployment.maxRetries,
      })),
      cacheTtlSeconds: route.cacheTtlSeconds,
      deadlineMs: route.deadlineMs,
      ...(route.fallbackModel === undefined ? {} : { fallbackModel: route.fallbackModel }),
    },
  };
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

  // The routes file (TOLLGATE_ROUTES) is read-only here; `overridden` when the org routes the model.
  app.get('/api/v1/admin/routes-file', { preValidation }, async (request) => {
    const own = new Set(
      (await meta.listGatewayRoutes(orgIdOf(request))).map((record) => record.model),
    );
    return {
      routes: app.gateway.routeTable
        .fileRouteConfigs()
        .map((route) => presentFileRoute(route, own.has(route.model))),
    };
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
