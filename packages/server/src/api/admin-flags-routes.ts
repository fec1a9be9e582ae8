import { AdminFlagsResponse } from '@tollgate/core/api';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { storableText } from '../http/storable-text';
import { ApiError } from '../http/errors';
import { GATEWAY_FLAGS } from '../governance/flags/feature-flags';
import { invalidField, orgAdminOnly, orgIdOf } from './admin-access';
import { audit, idField } from './admin-tenants-present';
import { flagNameField, flagUserIdField, presentFlag } from './flag-fields';

const MAX_OVERRIDES = 1_000;

const overrideSchema = z
  .strictObject({
    project_id: idField.nullable().optional(),
    user_id: flagUserIdField.nullable().optional(),
    enabled: z.boolean(),
  })
  .refine((override) => override.project_id || override.user_id, {
    message: 'an override names a project_id, a user_id or both',
  });

const flagBodySchema = z.strictObject({
  default: z.boolean(),
  description: storableText().trim().max(1_000).nullable().optional(),
  overrides: z.array(overrideSchema).max(MAX_OVERRIDES).optional(),
});

const nameParams = z.strictObject({ name: flagNameField });

/**
 * The organization's feature flags (`/api/v1/admin/flags`): a default, with
 * overrides per project and per app user. `PUT` creates or replaces a flag;
 * every change is audited. The gateway reads its own flags (`cache`,
 * `guardrails`, `pii_redaction_upstream`) from here too.
 */
export async function adminFlagsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = orgAdminOnly(app);
  const { meta } = app.stores;

  const listSchema = { response: { 200: AdminFlagsResponse } };
  app.get('/api/v1/admin/flags', { preValidation, schema: listSchema }, async (request) => {
    const flags = await meta.listFlags(orgIdOf(request));
    const defined = new Set(flags.map((flag) => flag.name));
    return {
      flags: flags.map(presentFlag),
      // The gateway's own flags, with the default they have until the org defines them.
      built_in: Object.entries(GATEWAY_FLAGS).map(([name, value]) => ({
        name,
        default: value,
        defined: defined.has(name),
      })),
    };
  });

  app.get(
    '/api/v1/admin/flags/:name',
    { preValidation, schema: { params: nameParams } },
    async (request) => {
      const name = request.params.name;
      const flag = await meta.getFlag(orgIdOf(request), name);
      if (!flag) throw new ApiError('not_found', `flag ${name} not found`);
      return presentFlag(flag);
    },
  );

  app.put(
    '/api/v1/admin/flags/:name',
    { preValidation, schema: { params: nameParams, body: flagBodySchema } },
    async (request) => {
      const orgId = orgIdOf(request);
      const name = request.params.name;
      const body = request.body;
      const overrides = body.overrides?.map((override) => ({
        projectId: override.project_id ?? null,
        userId: override.user_id ?? null,
        enabled: override.enabled,
      }));
      if (overrides) {
        const projects = new Set((await meta.listProjects(orgId)).map((project) => project.id));
        const targets = new Set<string>();
        overrides.forEach((override, index) => {
          if (override.projectId && !projects.has(override.projectId)) {
            throw invalidField(
              `overrides.${index}.project_id`,
              `project ${override.projectId} not found`,
            );
          }
          const target = `${override.projectId ?? ''}\u0000${override.userId ?? ''}`;
          if (targets.has(target)) {
            throw invalidField(`overrides.${index}`, 'repeats the project and user of an override');
          }
          targets.add(target);
        });
      }
      const before = await meta.getFlag(orgId, name);
      const flag = await meta.putFlag(orgId, name, {
        defaultEnabled: body.default,
        description: body.description,
        overrides,
      });
      app.policies.flags.invalidate(orgId);
      const presented = presentFlag(flag);
      await audit(app, request, {
        orgId,
        action: before ? 'flag.updated' : 'flag.created',
        targetType: 'flag',
        targetId: name,
        before: before ? presentFlag(before) : null,
        after: presented,
      });
      return presented;
    },
  );

  app.delete(
    '/api/v1/admin/flags/:name',
    { preValidation, schema: { params: nameParams } },
    async (request, reply) => {
      const orgId = orgIdOf(request);
      const name = request.params.name;
      const before = await meta.getFlag(orgId, name);
      if (!before || !(await meta.deleteFlag(orgId, name))) {
        throw new ApiError('not_found', `flag ${name} not found`);
      }
      app.policies.flags.invalidate(orgId);
      await audit(app, request, {
        orgId,
        action: 'flag.deleted',
        targetType: 'flag',
        targetId: name,
        before: presentFlag(before),
        after: null,
      });
      return reply.status(204).send();
    },
  );
}
