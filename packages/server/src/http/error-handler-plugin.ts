import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { isEventStoreError } from '../stores/events/event-store-error';
import { errorBody, isApiError, type ErrorCode } from './errors';

/** Framework errors we answer with a catalogued code instead of a 500. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
};

/**
 * Errors Fastify raises while routing, before any handler or error handler
 * (a malformed URL, a path parameter over the router's length limit): answered
 * in our format instead of Fastify's own `{ error, code, statusCode }`.
 */
export const answerFrameworkError: NonNullable<FastifyServerOptions['frameworkErrors']> = (
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
) => {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return reply
      .status(400)
      .send(errorBody('invalid_request', 'a path parameter is longer than the router accepts'));
  }
  if ((error.statusCode ?? 500) < 500) {
    return reply.status(400).send(errorBody('invalid_request', 'the request URL is malformed'));
  }
  reply.log.error({ err: error }, 'routing error');
  return reply.status(500).send(errorBody('internal_error', 'internal error; see the server log'));
};

/**
 * Why a JSON body was refused. Fastify's parser does not say whether the text was not JSON or
 * named a key that could rewrite object prototypes, so the message names both.
 */
function invalidJsonMessage(): string {
  return 'the body is not valid JSON, or it names "__proto__" or "constructor.prototype" as a key (refused: rename the key)';
}

/** Every error leaves as `{ error: { code, message, details? } }`; never a stack trace. */
export const errorHandlerPlugin = fastifyPlugin(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (isApiError(error)) {
        if (error.status >= 500) request.log.warn({ code: error.code }, error.message);
        return reply.status(error.status).send(errorBody(error.code, error.message, error.details));
      }
      if (isEventStoreError(error)) {
        if (error.code === 'invalid_cursor' || error.code === 'invalid_query') {
          return reply.status(400).send(errorBody('invalid_request', error.message));
        }
        if (error.code === 'store_unavailable') {
          return reply
            .status(503)
            .send(errorBody('store_unavailable', 'the event store is unavailable; retry later'));
        }
      }
      const code = error.code ? FASTIFY_CODES[error.code] : undefined;
      if (code) {
        return reply
          .status(error.statusCode ?? 400)
          .send(
            errorBody(
              code,
              error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? invalidJsonMessage() : error.message,
            ),
          );
      }
      if (error instanceof SyntaxError || (error.statusCode && error.statusCode < 500)) {
        return reply
          .status(error.statusCode ?? 400)
          .send(errorBody('invalid_request', error.message));
      }
      request.log.error({ err: error }, 'unhandled error');
      return reply
        .status(500)
        .send(errorBody('internal_error', 'internal error; see the server log'));
    });
    app.setNotFoundHandler((request, reply) =>
      reply
        .status(404)
        .send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
    );
  },
  { name: 'tollgate-error-handler' },
);
