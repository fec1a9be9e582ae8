import type { z } from 'zod';
import { ApiError } from './errors';
import { assertStorableInput } from './storable-text';

/**
 * `?org_id=`, which every read takes: the auth plugin has already decided whose tenant the
 * request reads (`request.caller`), so a route's own parameters never include it.
 */
const ORG_PARAMETER = 'org_id';

/** Validates query parameters; the first problem becomes a 400 naming the parameter. */
export function parseQuery<Schema extends z.ZodType>(
  schema: Schema,
  query: unknown,
): z.output<Schema> {
  assertStorableInput(query);
  const given = (query ?? {}) as Record<string, unknown>;
  const { [ORG_PARAMETER]: _consumed, ...own } = given;
  const result = schema.safeParse(ORG_PARAMETER in given ? own : given);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || 'query';
  throw new ApiError('invalid_request', `${field}: ${issue.message}`, {
    field,
    issues: result.error.issues.map((each) => ({
      field: each.path.join('.'),
      message: each.message,
    })),
  });
}
