import { divideRounded, formatUsdNanos, type Prompt, type PromptScope } from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../http/errors';
import { parseQuery } from '../http/parse-query';
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
import { invalidField, parseBody, parseParameter } from './admin-access';
import { audit } from './admin-tenants-present';
import { rangeOf, ratio } from './analytics/analytics-parameters';

type NameParams = { Params: { name: string } };

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
  const { project_id: projectId } = parseQuery(projectQuery, request.query);
  if (!projectId) {
    throw invalidField('project_id', 'an organization key must name the project of the prompts');
  }
  const project = await app.stores.meta.getProject(projectId);
  if (!project || project.orgId !== caller.orgId) {
    throw new ApiError('not_found', `project ${projectId} not found`, { field: 'project_id' });
  }
  return { orgId: caller.orgId, projectId };
}

function nameOf(request: FastifyRequest<NameParams>): string {
  return parseParameter(promptNameField, 'name', request.params.name);
}

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
export async function promptsRoutes(app: FastifyInstance): Promise<void> {
  const { meta } = app.stores;
  const read = app.requireScope('read');
  const admin = app.requireScope('admin');

  app.get('/api/v1/prompts', { preHandler: read }, async (request) => {
    const prompts = await meta.listPrompts(await promptScopeOf(app, request));
    return { prompts: prompts.map(presentPrompt) };
  });

  app.post('/api/v1/prompts', { preHandler: admin }, async (request, reply) => {
    const scope = await promptScopeOf(app, request);
    const body = parseBody(newPromptBody, request.body);
    const prompt = await meta.createPrompt(
      scope,
      body.name,
      toNewVersion(body, request.caller!.keyId),
    );
    if (!prompt) throw new ApiError('conflict', `prompt ${body.name} already exists`);
    const presented = presentPrompt(prompt);
    await auditPrompt(request, prompt, 'prompt.created', null, presented);
    return reply.status(201).send(presented);
  });

  app.get<NameParams>('/api/v1/prompts/:name', { preHandler: read }, async (request) => {
    const scope = await promptScopeOf(app, request);
    return presentPrompt(await existingPrompt(app, scope, nameOf(request)));
  });

  app.post<NameParams>(
    '/api/v1/prompts/:name/versions',
    { preHandler: admin },
    async (request, reply) => {
      const scope = await promptScopeOf(app, request);
      const name = nameOf(request);
      const body = parseBody(promptVersionBody, request.body);
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

  app.post<NameParams>('/api/v1/prompts/:name/activate', { preHandler: admin }, async (request) => {
    const scope = await promptScopeOf(app, request);
    const name = nameOf(request);
    const weights = parseBody(activationBody, request.body);
    const before = await existingPrompt(app, scope, name);
    const known = new Set(before.versions.map((version) => version.version));
    weights.forEach(({ version }, index) => {
      if (!known.has(version)) {
        const field =
          'versions' in (request.body as object) ? `versions.${index}.version` : 'version';
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
  });

  app.get<NameParams>('/api/v1/prompts/:name/resolve', { preHandler: read }, async (request) => {
    const scope = await promptScopeOf(app, request);
    const name = nameOf(request);
    const { userId } = parseQuery(resolveQuery, request.query);
    const prompt = await existingPrompt(app, scope, name);
    const picked = pickPromptVersion(prompt.name, prompt.versions, userId);
    if (!picked) throw new ApiError('not_found', `prompt ${name} has no active version`);
    return {
      name: prompt.name,
      assignment: picked.assignment,
      ...presentPromptVersion(picked.version),
    };
  });

  app.get<NameParams>('/api/v1/prompts/:name/comparison', { preHandler: read }, async (request) => {
    const scope = await promptScopeOf(app, request);
    const name = nameOf(request);
    const query = parseQuery(comparisonQuery, request.query);
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
  });

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
