import { FlagValuesResponse } from '@tollgate/core/api';
import type { KeyScope } from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readScope } from '../auth/auth-plugin';
import { GATEWAY_FLAGS, evaluateFlag } from '../governance/flags/feature-flags';
import { ApiError, isApiError } from '../http/errors';
import { idField } from './admin-tenants-present';
import { flagNameField, flagUserIdField } from './flag-fields';

const flagQuerySchema = z.strictObject({
  project_id: idField.optional(),
  /** The app's user; `userId` is accepted as well, as SDKs tend to write it. */
  user_id: flagUserIdField.optional(),
  userId: flagUserIdField.optional(),
});

/** Apps read flags with whatever key they hold: read, ingest or gateway (or admin). */
const FLAG_READER_SCOPES: KeyScope[] = ['read', 'ingest', 'gateway'];

const nameParams = z.strictObject({ name: flagNameField });

/**
 * Feature flags as an app sees them (`GET /api/v1/flags`,
 * `GET /api/v1/flags/:name?user_id=`): each flag's value for the key's
 * project (an org key may name one with `project_id`) and the given user.
 */
export async function flagsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const checks = FLAG_READER_SCOPES.map((scope) => app.requireScope(scope));
  const anyReaderScope = async (request: FastifyRequest, reply: unknown) => {
    let refusal: unknown;
    for (const check of checks) {
      try {
        await check.call(app, request, reply as never);
        return;
      } catch (error) {
        if (!isApiError(error) || error.code !== 'forbidden') throw error;
        refusal = error;
      }
    }
    throw refusal;
  };

  async function contextOf(request: FastifyRequest) {
    // Validated by the route's query schema.
    const query = request.query as z.output<typeof flagQuerySchema>;
    const scope = await readScope(request, app.stores.meta, query.project_id);
    return {
      orgId: scope.orgId,
      context: {
        projectId: scope.projectId ?? null,
        userId: query.user_id ?? query.userId ?? null,
      },
    };
  }

  app.get(
    '/api/v1/flags',
    {
      preValidation: anyReaderScope,
      schema: { querystring: flagQuerySchema, response: { 200: FlagValuesResponse } },
    },
    async (request) => {
      const { orgId, context } = await contextOf(request);
      const flags = await app.policies.flags.flagsOf(orgId);
      const values = new Map<string, boolean>(Object.entries(GATEWAY_FLAGS));
      for (const flag of flags.values()) values.set(flag.name, evaluateFlag(flag, context));
      return {
        project_id: context.projectId,
        user_id: context.userId,
        flags: [...values]
          .sort(([left], [right]) => left.localeCompare(right))
          .map(([name, enabled]) => ({ name, enabled })),
      };
    },
  );

  app.get(
    '/api/v1/flags/:name',
    { preValidation: anyReaderScope, schema: { params: nameParams, querystring: flagQuerySchema } },
    async (request) => {
      const name = request.params.name;
      const { orgId, context } = await contextOf(request);
      const flag = (await app.policies.flags.flagsOf(orgId)).get(name);
      // Own names only: `constructor` or `__proto__` is a flag never set, like any other.
      if (!flag && !Object.hasOwn(GATEWAY_FLAGS, name))
        throw new ApiError('not_found', `flag ${name} not found`);
      return {
        name,
        enabled: await app.policies.flags.isEnabled(orgId, name, context),
        project_id: context.projectId,
        user_id: context.userId,
      };
    },
  );
}
