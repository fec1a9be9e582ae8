import type { z } from 'zod';
import { ApiError } from './errors';
import { assertStorableInput } from './storable-text';

/** Validates query parameters; the first problem becomes a 400 naming the parameter. */
export function parseQuery<Schema extends z.ZodType>(
  schema: Schema,
  query: unknown,
): z.output<Schema> {
  assertStorableInput(query);
  const result = schema.safeParse(query ?? {});
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
