import { isFailoverError, isUpstreamError } from '@tollgate/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { isApiError } from '../http/errors';
import type { ErrorReporter, ProblemKind } from './error-reporter';

declare module 'fastify' {
  interface FastifyInstance {
    /** Where errors and failures are reported (`SENTRY_DSN`), or nowhere. */
    errorReporter: ErrorReporter;
  }
  interface FastifyRequest {
    /** The error a handler threw, kept for the report of its 5xx answer. */
    thrownError?: unknown;
  }
}

/** What kind of problem a 5xx answer is, from the error behind it (if any). */
function kindOf(error: unknown): ProblemKind {
  // Every deployment failed (or none could be tried), or the last one's own failure passed through.
  if (isFailoverError(error) || isUpstreamError(error)) return 'upstream_exhausted';
  if (error === undefined || isApiError(error)) return 'server_error';
  return 'unhandled_error';
}

function tenantOf(request: FastifyRequest): { orgId?: string; projectId?: string } {
  const caller = request.caller;
  return { orgId: caller?.orgId, projectId: caller?.projectId ?? undefined };
}

/**
 * Reports every 5xx answer, with the error behind it when a handler threw
 * one: unhandled errors, store outages seen by requests, and gateway calls
 * every deployment failed. Each report names the request id, org and project
 * and the route's pattern (never its URL, body or headers). Errors that end
 * a stream after its first byte are answered in the stream and not reported
 * here. Closes the reporter (flushing what is queued) when the app closes.
 */
export const errorReportingPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { reporter: ErrorReporter }) => {
    const reporter = options.reporter;
    app.decorate('errorReporter', reporter);
    app.addHook('onClose', async () => {
      await reporter.close();
    });
    if (!reporter.enabled) return;
    app.decorateRequest('thrownError', undefined);
    app.addHook('onError', (request, _reply, error, done) => {
      request.thrownError = error;
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      if (reply.statusCode >= 500) {
        const error = request.thrownError;
        const route = request.routeOptions.url ?? '(no route)';
        const context = {
          requestId: request.id,
          ...tenantOf(request),
          details: {
            status: reply.statusCode,
            method: request.method,
            route,
            code: isApiError(error) ? error.code : undefined,
          },
        };
        const kind = kindOf(error);
        if (error === undefined || (isApiError(error) && error.status < 500)) {
          reporter.captureProblem(
            kind,
            `HTTP ${reply.statusCode} ${request.method} ${route}`,
            context,
          );
        } else {
          reporter.captureError(kind, error, context);
        }
      }
      done();
    });
  },
  { name: 'tollgate-error-reporting' },
);
