import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { z } from 'zod';
import { ApiError } from '../http/errors';
import { assertStorableInput } from '../http/storable-text';

/**
 * The pre-handlers of the admin API: a key with the `admin` scope that
 * belongs to the whole organization (a project key never administers its org).
 */
export function orgAdminOnly(app: FastifyInstance): preHandlerAsyncHookHandler[] {
  return [
    app.requireScope('admin'),
    async (request) => {
      if (request.caller?.projectId) {
        throw new ApiError(
          'forbidden',
          'the admin API needs an organization admin key; this key belongs to a project',
        );
      }
    },
  ];
}

/** The organization of an authenticated request. */
export function orgIdOf(request: FastifyRequest): string {
  const caller = request.caller;
  if (!caller) throw new ApiError('unauthorized', 'an API key is required');
  return caller.orgId;
}

/**
 * Validates a value a handler assembles itself (an alert rule merged with its stored fields, a
 * gateway route with the model from the path); the first problem becomes a 400 naming the
 * field (`body` for the whole). A request's own body, query and params are validated by the
 * zod schemas their route declares (`http/zod-validation.ts`), not here.
 */
export function parseBody<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
): z.output<Schema> {
  assertStorableInput(body);
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw invalidField(issue.path.join('.') || 'body', issue.message, {
    issues: result.error.issues.map((each) => ({
      field: each.path.join('.') || 'body',
      message: each.message,
    })),
  });
}

/** A 400 `invalid_request` whose message and details name the field, as every Tollgate 400 does. */
export function invalidField(
  field: string,
  message: string,
  details: Record<string, unknown> = {},
): ApiError {
  return new ApiError('invalid_request', `${field}: ${message}`, { field, ...details });
}
