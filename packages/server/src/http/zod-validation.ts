import type { FastifySchemaCompiler } from 'fastify';
import { createSerializerCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { ApiError } from './errors';
import { assertStorableInput } from './storable-text';

/**
 * `?org_id=`, which every read takes: the auth plugin has already decided whose tenant the
 * request reads (`request.caller`), so a route's own query schema never names it. It is taken
 * out before the schema sees the query (strict schemas would refuse it) and put back after.
 */
const ORG_PARAMETER = 'org_id';

/** What a message names when the problem is the whole part rather than one field of it. */
const WHOLE_PART: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/** A zod failure as every Tollgate 400: `invalid_request`, the first field in the message, all in `details`. */
export function invalidInput(error: z.ZodError, whole: string): ApiError {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || whole;
  return new ApiError('invalid_request', `${field}: ${issue.message}`, {
    field,
    issues: error.issues.map((each) => ({
      field: each.path.join('.') || whole,
      message: each.message,
    })),
  });
}

/**
 * Fastify's validator for routes that declare zod schemas in `schema` (body, querystring,
 * params). The answer to bad input stays the catalogue's: unstorable text anywhere is refused
 * naming its field before the schema runs, then the schema's first issue names the field.
 * Returning the `ApiError` (rather than throwing) lets Fastify hand it to the error handler,
 * which answers `{ error: { code, message, details } }` as for any other ApiError.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const part = httpPart ?? 'body';
  const whole = WHOLE_PART[part] ?? part;
  return (data: unknown) => {
    try {
      assertStorableInput(data);
    } catch (error) {
      return { error: error as Error };
    }
    // Fastify passes `null` for a request without a body; the schema sees "no body".
    let input = part === 'body' && data === null ? undefined : data;
    let orgId: unknown;
    if (part === 'querystring' && input && typeof input === 'object' && ORG_PARAMETER in input) {
      const { [ORG_PARAMETER]: named, ...own } = input as Record<string, unknown>;
      orgId = named;
      input = own;
    }
    const result = schema.safeParse(input);
    if (!result.success) return { error: invalidInput(result.error, whole) };
    if (orgId === undefined) return { value: result.data };
    return { value: { ...(result.data as object), [ORG_PARAMETER]: orgId } };
  };
};

/**
 * Fastify's serializer for routes that declare zod schemas in `schema.response`: the answer is
 * encoded through the schema (keys it does not name are left out) and written as JSON. An
 * answer that does not match its schema is a programming error: it is logged and answered 500
 * (`internal_error`), so a test of the route fails rather than a client receiving another shape.
 */
export const zodSerializerCompiler = createSerializerCompiler({});
