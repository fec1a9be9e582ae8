import { GuardrailReferencesResponse } from '@tollgate/core/api';
import { GUARDRAIL_ACTIONS, type GuardrailReference } from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../http/errors';
import { orgAdminOnly, orgIdOf } from './admin-access';
import { audit, found, idField, nameField } from './admin-tenants-present';

/** Reference prompts are compared in full up to this length. */
const MAX_REFERENCE_CHARACTERS = 20_000;
const MAX_REFERENCES_PER_PROJECT = 1_000;

const referenceBodySchema = z.strictObject({
  name: nameField,
  text: z.string().trim().min(1).max(MAX_REFERENCE_CHARACTERS),
  /** Cosine similarity over word shingles from which a prompt matches. */
  threshold: z.number().gt(0).max(1).default(0.8),
  action: z.enum(GUARDRAIL_ACTIONS).default('flag'),
});

const projectParams = z.strictObject({ id: idField });
const referenceParams = z.strictObject({ id: idField, referenceId: idField });

function presentReference(reference: GuardrailReference) {
  return {
    id: reference.id,
    project_id: reference.projectId,
    name: reference.name,
    text: reference.text,
    threshold: reference.threshold,
    action: reference.action,
    created_at: reference.createdAt.toISOString(),
  };
}

/**
 * A project's guardrails (`/api/v1/admin/projects/:id/guardrails`): flagged
 * reference prompts, each with a similarity threshold and an action (allow,
 * flag, block) the gateway applies to prompts that come close. Audited.
 */
export async function adminGuardrailsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const preValidation = orgAdminOnly(app);
  const { meta } = app.stores;

  /** The caller's org's project `id` (404 for another org's, never 403). */
  async function projectOf(request: FastifyRequest, id: string) {
    const project = await meta.getProject(id);
    return found(
      project && project.orgId === orgIdOf(request) ? project : undefined,
      `project ${id}`,
    );
  }

  app.get(
    '/api/v1/admin/projects/:id/guardrails',
    {
      preValidation,
      schema: { params: projectParams, response: { 200: GuardrailReferencesResponse } },
    },
    async (request) => {
      const project = await projectOf(request, request.params.id);
      const references = await meta.listGuardrailReferences(project.orgId, project.id);
      return { references: references.map(presentReference) };
    },
  );

  app.post(
    '/api/v1/admin/projects/:id/guardrails',
    { preValidation, schema: { params: projectParams, body: referenceBodySchema } },
    async (request, reply) => {
      const project = await projectOf(request, request.params.id);
      const body = request.body;
      const existing = await meta.listGuardrailReferences(project.orgId, project.id);
      if (existing.length >= MAX_REFERENCES_PER_PROJECT) {
        throw new ApiError(
          'conflict',
          `a project has at most ${MAX_REFERENCES_PER_PROJECT} guardrail references; delete one first`,
        );
      }
      const reference = await meta.createGuardrailReference({
        orgId: project.orgId,
        projectId: project.id,
        ...body,
      });
      app.policies.guardrails.invalidate(project.id);
      const presented = presentReference(reference);
      await audit(app, request, {
        orgId: project.orgId,
        action: 'guardrail_reference.created',
        targetType: 'guardrail_reference',
        targetId: reference.id,
        before: null,
        after: presented,
      });
      return reply.status(201).send(presented);
    },
  );

  app.delete(
    '/api/v1/admin/projects/:id/guardrails/:referenceId',
    { preValidation, schema: { params: referenceParams } },
    async (request, reply) => {
      const project = await projectOf(request, request.params.id);
      const referenceId = request.params.referenceId;
      const existing = await meta.listGuardrailReferences(project.orgId, project.id);
      const reference = found(
        existing.find((each) => each.id === referenceId),
        `guardrail reference ${referenceId}`,
      );
      await meta.deleteGuardrailReference(project.orgId, reference.id);
      app.policies.guardrails.invalidate(project.id);
      await audit(app, request, {
        orgId: project.orgId,
        action: 'guardrail_reference.deleted',
        targetType: 'guardrail_reference',
        targetId: reference.id,
        before: presentReference(reference),
        after: null,
      });
      return reply.status(204).send();
    },
  );
}
