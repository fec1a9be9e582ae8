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

/**
 * `zodSerializerCompiler` that also refuses an answer its schema would cut: a field the
 * handler returns and the schema does not name is otherwise dropped without a word. Tests run
 * the app with it (`BuildAppOptions.strictAnswers`), so a field added to an answer but not to
 * its schema fails the route's test instead of vanishing from the API.
 */
export const strictZodSerializerCompiler: typeof zodSerializerCompiler = (route) => {
  const write = zodSerializerCompiler(route);
  return (data: unknown) => {
    const text = write(data);
    const dropped = droppedFields(data, JSON.parse(text) as unknown);
    if (dropped.length > 0) {
      throw new Error(
        `the answer of ${route.method} ${route.url} has fields its response schema leaves out: ${dropped.join(', ')}`,
      );
    }
    return text;
  };
};

/** Paths of the fields of `given` (a plain answer) that are missing from `written`. */
export function droppedFields(given: unknown, written: unknown, path = ''): string[] {
  if (Array.isArray(given)) {
    if (!Array.isArray(written)) return [];
    return given.flatMap((item, index) => droppedFields(item, written[index], `${path}[${index}]`));
  }
  if (!isPlainObject(given) || !isPlainObject(written)) return [];
  return Object.entries(given).flatMap(([name, value]) => {
    if (value === undefined) return [];
    const at = path ? `${path}.${name}` : name;
    return name in written ? droppedFields(value, written[name], at) : [at];
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)
  );
}
