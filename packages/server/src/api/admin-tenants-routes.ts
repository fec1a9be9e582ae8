import { OrganizationsResponse, ProjectsResponse } from '@tollgate/core/api';
import type { Organization } from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { issueApiKey } from '../auth/issue-api-key';
import { ApiError } from '../http/errors';
import { orgAdminOnly, orgIdOf } from './admin-access';
import {
  audit,
  chargebackRateField,
  found,
  idField,
  nameField,
  planField,
  presentApiKey,
  presentOrganization,
  presentProject,
  priceOverridesField,
  rateLimitsField,
  retentionDaysField,
} from './admin-tenants-present';

const organizationFields = {
  name: nameField,
  plan: planField,
  retention_days: retentionDaysField,
  chargeback_rate: chargebackRateField,
  price_overrides: priceOverridesField,
  rate_limits: rateLimitsField,
};
const newOrganizationSchema = z.strictObject({
  ...organizationFields,
  plan: planField.optional(),
  retention_days: retentionDaysField.optional(),
  chargeback_rate: chargebackRateField.optional(),
  price_overrides: priceOverridesField.optional(),
  rate_limits: rateLimitsField.optional(),
});
const organizationChangesSchema = z.strictObject(organizationFields).partial();

const projectFields = {
  name: nameField,
  content_storage: z.boolean(),
  pii_redaction: z.boolean(),
  content_encryption: z.boolean(),
  rate_limits: rateLimitsField,
};
const newProjectSchema = z.strictObject(projectFields).partial().required({ name: true });
const projectChangesSchema = z.strictObject(projectFields).partial();

const idParams = z.strictObject({ id: idField });

/**
 * Organizations and projects (`/api/v1/admin/orgs`, `/api/v1/admin/projects`).
 * An org admin sees its own org and manages its projects; only admins of the
 * operator's org (the one made at bootstrap) create, change and delete orgs.
 * Every change is written to the audit log with the record before and after.
 */
export async function adminTenantsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = orgAdminOnly(app);
  const { meta } = app.stores;

  async function callerOrganization(request: FastifyRequest): Promise<Organization> {
    return found(await meta.getOrganization(orgIdOf(request)), 'the caller’s organization');
  }

  async function operatorOnly(request: FastifyRequest): Promise<Organization> {
    const own = await callerOrganization(request);
    if (!own.operator) {
      throw new ApiError('forbidden', 'only an admin of the operator organization manages orgs');
    }
    return own;
  }
  /** Org changes need the operator: refused (403) before their body is looked at. */
  const operatorValidation = [
    ...preValidation,
    async (request: FastifyRequest) => {
      await operatorOnly(request);
    },
  ];

  /** An org the caller may see: its own, or any for the operator (404 otherwise, never 403). */
  async function visibleOrganization(request: FastifyRequest, id: string): Promise<Organization> {
    const own = await callerOrganization(request);
    if (id === own.id) return own;
    const other = own.operator ? await meta.getOrganization(id) : undefined;
    return found(other, `organization ${id}`);
  }

  const orgsSchema = { response: { 200: OrganizationsResponse } };
  app.get('/api/v1/admin/orgs', { preValidation, schema: orgsSchema }, async (request) => {
    const own = await callerOrganization(request);
    const organizations = own.operator ? await meta.listOrganizations() : [own];
    return { organizations: organizations.map(presentOrganization) };
  });

  app.get(
    '/api/v1/admin/orgs/:id',
    { preValidation, schema: { params: idParams } },
    async (request) => {
      const id = request.params.id;
      return presentOrganization(await visibleOrganization(request, id));
    },
  );

  app.post(
    '/api/v1/admin/orgs',
    { preValidation: operatorValidation, schema: { body: newOrganizationSchema } },
    async (request, reply) => {
      const body = request.body;
      const organization = await meta.createOrganization({
        name: body.name,
        plan: body.plan,
        retentionDays: body.retention_days,
        chargebackRate: body.chargeback_rate,
        priceOverrides: body.price_overrides,
        rateLimits: body.rate_limits,
      });
      // The new org's first admin key, so somebody can administer it; its secret is shown this once.
      const admin = await issueApiKey(meta, {
        orgId: organization.id,
        name: 'first admin key',
        scopes: ['admin', 'read', 'ingest', 'gateway'],
      });
      const presented = presentOrganization(organization);
      await audit(app, request, {
        orgId: organization.id,
        action: 'organization.created',
        targetType: 'organization',
        targetId: organization.id,
        before: null,
        after: presented,
      });
      return reply.status(201).send({
        organization: presented,
        admin_key: { ...presentApiKey(admin.key), secret: admin.secret },
      });
    },
  );

  app.patch(
    '/api/v1/admin/orgs/:id',
    {
      preValidation: operatorValidation,
      schema: { params: idParams, body: organizationChangesSchema },
    },
    async (request) => {
      const id = request.params.id;
      const body = request.body;
      const before = found(await meta.getOrganization(id), `organization ${id}`);
      const after = found(
        await meta.updateOrganization(id, {
          name: body.name,
          plan: body.plan,
          retentionDays: body.retention_days,
          chargebackRate: body.chargeback_rate,
          priceOverrides: body.price_overrides,
          rateLimits: body.rate_limits,
        }),
        `organization ${id}`,
      );
      await audit(app, request, {
        orgId: id,
        action: 'organization.updated',
        targetType: 'organization',
        targetId: id,
        before: presentOrganization(before),
        after: presentOrganization(after),
      });
      // Callers carry their org's retention: let every process load it again.
      await app.invalidateVerifiedKeys();
      return presentOrganization(after);
    },
  );

  app.delete(
    '/api/v1/admin/orgs/:id',
    { preValidation, schema: { params: idParams } },
    async (request, reply) => {
      const id = request.params.id;
      const own = await operatorOnly(request);
      if (id === own.id)
        throw new ApiError('conflict', 'the operator organization cannot delete itself');
      const before = found(await meta.getOrganization(id), `organization ${id}`);
      if (!(await meta.deleteOrganization(id)))
        throw new ApiError('not_found', `organization ${id} not found`);
      await app.invalidateVerifiedKeys();
      await audit(app, request, {
        orgId: id,
        action: 'organization.deleted',
        targetType: 'organization',
        targetId: id,
        before: presentOrganization(before),
        after: null,
      });
      return reply.status(204).send();
    },
  );

  const projectsSchema = { response: { 200: ProjectsResponse } };
  app.get('/api/v1/admin/projects', { preValidation, schema: projectsSchema }, async (request) => {
    const projects = await meta.listProjects(orgIdOf(request));
    return { projects: projects.map(presentProject) };
  });

  app.get(
    '/api/v1/admin/projects/:id',
    { preValidation, schema: { params: idParams } },
    async (request) => {
      const id = request.params.id;
      const project = await meta.getProject(id);
      if (!project || project.orgId !== orgIdOf(request))
        throw new ApiError('not_found', `project ${id} not found`);
      return presentProject(project);
    },
  );

  app.post(
    '/api/v1/admin/projects',
    { preValidation, schema: { body: newProjectSchema } },
    async (request, reply) => {
      const orgId = orgIdOf(request);
      const body = request.body;
      if ((await meta.listProjects(orgId)).some((project) => project.name === body.name)) {
        throw new ApiError(
          'conflict',
          `the organization already has a project named ${body.name}`,
          {
            field: 'name',
          },
        );
      }
      const project = await meta.createProject({
        orgId,
        name: body.name,
        contentStorage: body.content_storage,
        piiRedaction: body.pii_redaction,
        contentEncryption: body.content_encryption,
        rateLimits: body.rate_limits,
      });
      await audit(app, request, {
        orgId,
        action: 'project.created',
        targetType: 'project',
        targetId: project.id,
        before: null,
        after: presentProject(project),
      });
      return reply.status(201).send(presentProject(project));
    },
  );

  app.patch(
    '/api/v1/admin/projects/:id',
    { preValidation, schema: { params: idParams, body: projectChangesSchema } },
    async (request) => {
      const orgId = orgIdOf(request);
      const id = request.params.id;
      const body = request.body;
      const before = await meta.getProject(id);
      if (!before || before.orgId !== orgId)
        throw new ApiError('not_found', `project ${id} not found`);
      const after = found(
        await meta.updateProject(orgId, id, {
          name: body.name,
          contentStorage: body.content_storage,
          piiRedaction: body.pii_redaction,
          contentEncryption: body.content_encryption,
          rateLimits: body.rate_limits,
        }),
        `project ${id}`,
      );
      await audit(app, request, {
        orgId,
        action: 'project.updated',
        targetType: 'project',
        targetId: id,
        before: presentProject(before),
        after: presentProject(after),
      });
      // Callers carry their project's content storage setting: let every process load it again.
      await app.invalidateVerifiedKeys();
      return presentProject(after);
    },
  );

  app.delete(
    '/api/v1/admin/projects/:id',
    { preValidation, schema: { params: idParams } },
    async (request, reply) => {
      const orgId = orgIdOf(request);
      const id = request.params.id;
      const before = await meta.getProject(id);
      if (!before || before.orgId !== orgId || !(await meta.deleteProject(orgId, id))) {
        throw new ApiError('not_found', `project ${id} not found`);
      }
      // The project's keys are deleted with it.
      await app.invalidateVerifiedKeys();
      await audit(app, request, {
        orgId,
        action: 'project.deleted',
        targetType: 'project',
        targetId: id,
        before: presentProject(before),
        after: null,
      });
      return reply.status(204).send();
    },
  );
}
