import { PromptComparisonResponse, PromptResponse, PromptsResponse } from '@tollgate/core/api';
import { divideRounded, formatUsdNanos, type Prompt, type PromptScope } from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../http/errors';
import { parseTimeRange } from '../http/time-range';
import { pickPromptVersion } from '../prompts/pick-prompt-version';
import {
  activationBody,
  activeWeights,
  newPromptBody,
  presentPrompt,
  presentPromptVersion,
  promptNameField,
  promptVersionBody,
  toNewVersion,
} from '../prompts/prompt-fields';
import { invalidField } from './admin-access';
import { audit } from './admin-tenants-present';
import { rangeOf, ratio } from './analytics/analytics-parameters';

const nameParams = z.strictObject({ name: promptNameField });

const projectQuery = z.object({ project_id: z.string().max(128).optional() });
const resolveQuery = projectQuery.extend({ userId: z.string().min(1).max(256).optional() });
const comparisonQuery = projectQuery.extend({
  from: z.string().optional(),
  to: z.string().optional(),
});

/**
 * The project a prompt request is about. Prompts live in a project (gateway
 * calls are made with project keys, and the calls they cause are recorded
 * there): a project key works in its own project, an org key names one with
 * `project_id`.
 */
async function promptScopeOf(app: FastifyInstance, request: FastifyRequest): Promise<PromptScope> {
  const caller = request.caller;
  if (!caller) throw new ApiError('unauthorized', 'an API key is required');
  if (caller.projectId) return { orgId: caller.orgId, projectId: caller.projectId };
  // Validated by the route's query schema (every prompts route takes `project_id`).
  const { project_id: projectId } = request.query as z.output<typeof projectQuery>;
  if (!projectId) {
    throw invalidField('project_id', 'an organization key must name the project of the prompts');
  }
  const project = await app.stores.meta.getProject(projectId);
  if (!project || project.orgId !== caller.orgId) {
    throw new ApiError('not_found', `project ${projectId} not found`, { field: 'project_id' });
  }
  return { orgId: caller.orgId, projectId };
}

/** What activation takes before it becomes weights: the field names a refusal names. */
const activationInput = activationBody.in;

async function existingPrompt(app: FastifyInstance, scope: PromptScope, name: string) {
  const prompt = await app.stores.meta.getPrompt(scope, name);
  if (!prompt) throw new ApiError('not_found', `prompt ${name} not found`);
  return prompt;
}

/**
 * Prompt management (`/api/v1/prompts`): prompts by name in a project with
 * immutable numbered versions, activation of one version or an A/B split,
 * resolution (sticky per user) and a comparison of the versions computed
 * from the recorded calls. Reads need the `read` scope; changes need `admin`
 * and are written to the audit log.
 */
export async function promptsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { meta } = app.stores;
  const read = app.requireScope('read');
  const admin = app.requireScope('admin');

  app.get(
    '/api/v1/prompts',
    {
      preValidation: read,
      schema: { querystring: projectQuery, response: { 200: PromptsResponse } },
    },
    async (request) => {
      const prompts = await meta.listPrompts(await promptScopeOf(app, request));
      return { prompts: prompts.map(presentPrompt) };
    },
  );

  app.post(
    '/api/v1/prompts',
    { preValidation: admin, schema: { querystring: projectQuery, body: newPromptBody } },
    async (request, reply) => {
      const scope = await promptScopeOf(app, request);
      const body = request.body;
      const prompt = await meta.createPrompt(
        scope,
        body.name,
        toNewVersion(body, request.caller!.keyId),
      );
      if (!prompt) throw new ApiError('conflict', `prompt ${body.name} already exists`);
      const presented = presentPrompt(prompt);
      await auditPrompt(request, prompt, 'prompt.created', null, presented);
      return reply.status(201).send(presented);
    },
  );

  app.get(
    '/api/v1/prompts/:name',
    {
      preValidation: read,
      schema: { params: nameParams, querystring: projectQuery, response: { 200: PromptResponse } },
    },
    async (request) => {
      const scope = await promptScopeOf(app, request);
      return presentPrompt(await existingPrompt(app, scope, request.params.name));
    },
  );

  app.post(
    '/api/v1/prompts/:name/versions',
    {
      preValidation: admin,
      schema: { params: nameParams, querystring: projectQuery, body: promptVersionBody },
    },
    async (request, reply) => {
      const scope = await promptScopeOf(app, request);
      const name = request.params.name;
      const body = request.body;
      const version = await meta.addPromptVersion(
        scope,
        name,
        toNewVersion(body, request.caller!.keyId),
      );
      if (!version) throw new ApiError('not_found', `prompt ${name} not found`);
      const presented = presentPromptVersion(version);
      const prompt = await existingPrompt(app, scope, name);
      await auditPrompt(request, prompt, 'prompt.version_created', null, presented);
      return reply.status(201).send(presented);
    },
  );

  app.post(
    '/api/v1/prompts/:name/activate',
    {
      preValidation: admin,
      schema: { params: nameParams, querystring: projectQuery, body: activationInput },
    },
    async (request) => {
      const scope = await promptScopeOf(app, request);
      const name = request.params.name;
      const body = request.body;
      const weights = body.versions ?? [{ version: body.version!, weight: 1 }];
      const before = await existingPrompt(app, scope, name);
      const known = new Set(before.versions.map((version) => version.version));
      weights.forEach(({ version }, index) => {
        if (!known.has(version)) {
          const field = body.versions !== undefined ? `versions.${index}.version` : 'version';
          throw invalidField(field, `prompt ${name} has no version ${version}`);
        }
      });
      const after = await meta.setPromptWeights(scope, name, weights);
      if (!after) throw new ApiError('not_found', `prompt ${name} not found`);
      await auditPrompt(
        request,
        after,
        'prompt.activated',
        { active: activeWeights(before) },
        { active: activeWeights(after) },
      );
      return presentPrompt(after);
    },
  );

  app.get(
    '/api/v1/prompts/:name/resolve',
    { preValidation: read, schema: { params: nameParams, querystring: resolveQuery } },
    async (request) => {
      const scope = await promptScopeOf(app, request);
      const name = request.params.name;
      const { userId } = request.query;
      const prompt = await existingPrompt(app, scope, name);
      const picked = pickPromptVersion(prompt.name, prompt.versions, userId);
      if (!picked) throw new ApiError('not_found', `prompt ${name} has no active version`);
      return {
        name: prompt.name,
        assignment: picked.assignment,
        ...presentPromptVersion(picked.version),
      };
    },
  );

  app.get(
    '/api/v1/prompts/:name/comparison',
    {
      preValidation: read,
      schema: {
        params: nameParams,
        querystring: comparisonQuery,
        response: { 200: PromptComparisonResponse },
      },
    },
    async (request) => {
      const scope = await promptScopeOf(app, request);
      const name = request.params.name;
      const query = request.query;
      const range = parseTimeRange(query);
      const prompt = await existingPrompt(app, scope, name);
      const rows = await app.stores.events.analytics.promptComparison(scope, {
        ...range,
        promptName: prompt.name,
      });
      return {
        name: prompt.name,
        ...rangeOf(range),
        versions: rows.map((row) => {
          return {
            version: row.version,
            executions: row.executions,
            successes: row.successes,
            success_rate: ratio(row.successes, row.executions),
            latency_avg_ms: row.latency_avg_ms,
            latency_p95_ms: row.latency_p95_ms,
            tokens_avg: row.tokens_avg,
            cost_total_nanos: row.cost_nanos.toString(),
            cost_total_usd: formatUsdNanos(row.cost_nanos),
            cost_avg_usd:
              row.executions > 0
                ? formatUsdNanos(divideRounded(row.cost_nanos, BigInt(row.executions)))
                : null,
            feedback_count: row.feedback_count,
            feedback_avg: row.feedback_avg,
          };
        }),
      };
    },
  );

  function auditPrompt(
    request: FastifyRequest,
    prompt: Prompt,
    action: string,
    before: unknown,
    after: unknown,
  ): Promise<void> {
    return audit(app, request, {
      orgId: prompt.orgId,
      action,
      targetType: 'prompt',
      targetId: prompt.id,
      before,
      after: { name: prompt.name, project_id: prompt.projectId, ...(after as object) },
    });
  }
}
