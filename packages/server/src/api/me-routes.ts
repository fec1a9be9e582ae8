import { MeResponse } from '@tollgate/core/api';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyInstance } from 'fastify';

/**
 * `GET /api/v1/me`: who the key is, for any key with the `read` scope, so a
 * client (the dashboard) learns what it may show without probing the admin
 * API: its org, its project (null for an org-wide key), its scopes, whether it
 * is an org admin key, and the projects it may read (its own, or those of the
 * org it reads: an operator admin may name another with `org_id`).
 */
export async function meRoutes(app: FastifyInstance): Promise<void> {
  const { meta } = app.stores;
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const options = {
    preHandler: app.requireScope('read'),
    schema: { response: { 200: MeResponse } },
  };
  typed.get('/api/v1/me', options, async (request) => {
    const caller = request.caller!;
    const orgId = caller.keyOrgId ?? caller.orgId;
    const organization = await meta.getOrganization(orgId);
    const projectId = caller.keyOrgId ? null : caller.projectId;
    const projects = projectId
      ? [await meta.getProject(projectId)].filter((project) => project !== undefined)
      : await meta.listProjects(caller.orgId);
    return {
      key_id: caller.keyId,
      org: {
        id: orgId,
        name: organization?.name ?? orgId,
        operator: organization?.operator === true,
      },
      reading_org_id: caller.orgId,
      project_id: projectId,
      scopes: [...caller.scopes],
      admin: projectId === null && caller.scopes.includes('admin'),
      projects: projects.map((project) => ({ id: project.id, name: project.name })),
    };
  });
}
